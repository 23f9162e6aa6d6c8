"""Time each efficiency lever of issue 10 alone (interleaved, median ms).

Builds the faithful and the efficient ATEN (random weights, no download),
renders synthetic frames at the paper's size and times every module call in
turn, ``--rounds`` times, so that machine load hits all variants alike:
N_feat (``no_grad`` / ``inference_mode`` / channels-last), FlowNet-S at full
and half resolution, FlowWarp ⊙ scale, the ConvGRU faithful and with each
option alone and all together, and the heads with several test-time
proposal budgets / score thresholds.

Example::

    python tools/analysis_tools/benchmark_levers.py --rounds 3 \
        --out levers.json
"""
import argparse
import copy
import json
import os.path as osp
import statistics
import sys
import time

import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from benchmark import build_model, render_synthetic  # noqa: E402

FAITHFUL = 'configs/aten/aten_r50-d8-deeplabv3plus_l3-p2_1xb1-40e_vip.py'
EFFICIENT = ('configs/aten/'
             'aten_r50-d8-deeplabv3plus_l3-p2_efficient_1xb1-40e_vip.py')
GRU_OPTIONS = {
    'GRU downsample=2 only': dict(downsample=2),
    'GRU bottleneck_channels=64 only': dict(bottleneck_channels=64),
    'GRU depthwise only': dict(depthwise=True),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--faithful', default=FAITHFUL, help='ATEN config')
    parser.add_argument('--efficient', default=EFFICIENT,
                        help='efficient ATEN config')
    parser.add_argument('--size', type=int, default=512,
                        help='longer side of the frames (paper: 512)')
    parser.add_argument('--rounds', type=int, default=3,
                        help='interleaved rounds (the median is reported)')
    parser.add_argument('--threads', type=int, default=2,
                        help='torch CPU threads')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='write the times as JSON')
    args = parser.parse_args(argv)
    args.channels_last = False  # build_model's option; levers time it apart
    return args


def build_variants(faithful, efficient, frames):
    """Name -> (context manager, callable) for every lever."""
    from mmdet.structures import DetDataSample

    from aten_mm.apis import benchmark as bm
    from aten_mm.registry import MODELS

    (x0, _), (x1, s1), (x2, _) = bm.build_samples(
        frames, faithful.data_preprocessor)
    ref, key, cur = x0[:, 0], x1[:, 0], x2[:, 0]
    det = faithful.detector
    det_cl = copy.deepcopy(det).to(memory_format=torch.channels_last)
    key_cl = key.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        feat = det.extract_feat(key)
        feats = [det.extract_feat(ref), det.extract_feat(cur), feat]

    def heads(max_per_img, thr):
        def run():
            det.rpn_head.test_cfg.max_per_img = max_per_img
            det.roi_head.test_cfg.score_thr = thr
            return det.predict_from_feat(
                feat, [DetDataSample(metainfo=s1.metainfo)])
        return run

    def flow(scale):
        def run():
            faithful.motion.input_scale = scale
            return faithful.motion(cur, key)
        return run

    no_grad, inference = torch.no_grad, torch.inference_mode
    variants = {
        'N_feat (no_grad)': (no_grad, lambda: det.extract_feat(key)),
        'N_feat (inference_mode)': (inference,
                                    lambda: det.extract_feat(key)),
        'N_feat (channels_last)': (no_grad,
                                   lambda: det_cl.extract_feat(key_cl)),
        'F full resolution': (no_grad, flow(1.0)),
        'F input_scale=0.5': (no_grad, flow(0.5)),
        'W (warp * scale)': (no_grad, lambda: faithful.align(feat, cur, key)),
        'GRU faithful (256 ch, stride 4, 3x3)': (
            no_grad, lambda: faithful.encoder(feats)),
        'GRU efficient config (all options)': (
            no_grad, lambda: efficient.encoder(feats)),
    }
    for name, options in GRU_OPTIONS.items():
        torch.manual_seed(0)
        enc = MODELS.build(dict(type='ConvGRUEncoder',
                                in_channels=feat.shape[1],
                                kernel_size=3, **options)).eval()
        variants[name] = (no_grad, lambda enc=enc: enc(feats))
    for props, thr in ((1000, 0.05), (300, 0.05), (1000, 0.7), (100, 0.7)):
        variants[f'N_parse {props} proposals, score_thr {thr}'] = (
            no_grad, heads(props, thr))
    return variants


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    faithful = build_model(args.faithful, None, args)
    efficient = build_model(args.efficient, None, args)
    variants = build_variants(faithful, efficient,
                              render_synthetic(3, args.size, args.seed))
    times = {name: [] for name in variants}
    for rnd in range(args.rounds):
        for name, (ctx, fn) in variants.items():
            with ctx():
                start = time.perf_counter()
                fn()
                times[name].append(1000 * (time.perf_counter() - start))
        print(f'round {rnd + 1}/{args.rounds} done', flush=True)
    median = {name: statistics.median(v) for name, v in times.items()}
    for name, ms in median.items():
        print(f'{name:45s} {ms:9.1f} ms')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(median_ms=median, all_ms=times), f, indent=1)
    return median


if __name__ == '__main__':
    from aten_mm.apis.cli import run_tool
    run_tool(main)
