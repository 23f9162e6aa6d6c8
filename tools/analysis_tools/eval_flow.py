"""End-point error of optical flow on a set with ground-truth flow.

Usage::

    python tools/analysis_tools/eval_flow.py DATA_ROOT --split val \\
        --config configs/flownet/flownet-s_tiny_synthetic.py \\
        --checkpoint work_dirs/flow_tiny/iter_4000.pth [--json OUT]
    python tools/analysis_tools/eval_flow.py DATA_ROOT --split val \\
        --method zero|dis|farneback [--json OUT]

Every pair (frame t, frame t-1) of ``FlowPairDataset`` (the generator's
``flow/`` folder, docs/flow.md) is evaluated at the frames' own
resolution, for every method the same pairs. Printed: the mean EPE over
all valid pixels and over the valid person pixels of annotated frames.
All methods estimate the backward flow of frame t (where each pixel of t
is in t-1): FlowNet-S as ``motion.predict_dense(cur=t, ref=t-1)``,
OpenCV as ``calc(t, t-1)`` (OpenCV's flow maps its first image's pixels
into its second). The OpenCV baselines: ``cv2.DISOpticalFlow`` with the
medium preset and ``cv2.calcOpticalFlowFarneback(pyr_scale=0.5, levels=3,
winsize=15, iterations=3, poly_n=5, poly_sigma=1.2)``, on grey frames.
A checkpoint may be a flow-pretraining one (configs/flownet) or a video
model's (its ``motion``), with the config it was trained with.
"""
import argparse
import json
import math
import os
import os.path as osp
import sys
import time

import cv2
import numpy as np
from mmengine.utils import ProgressBar

from aten_mm.apis.cli import run_tool
from aten_mm.apis.config import ConfigError

METHODS = ('zero', 'dis', 'farneback')


class FlowEvalError(ConfigError):
    """Unusable input of eval_flow.py (printed as one ``error:`` line)."""


def opencv_flow(method: str, cur: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Backward flow of ``cur`` (frame t) into ``ref`` (frame t - 1).

    Args:
        method (str): ``'zero'``, ``'dis'`` or ``'farneback'``.
        cur (np.ndarray): (H, W, 3) uint8 BGR frame t.
        ref (np.ndarray): (H, W, 3) uint8 BGR frame t - 1.

    Returns:
        np.ndarray: (H, W, 2) float32, ``cur(y, x)`` is at ``ref(y + dy,
        x + dx)``.
    """
    h, w = cur.shape[:2]
    if method == 'zero':
        return np.zeros((h, w, 2), np.float32)
    a = cv2.cvtColor(cur, cv2.COLOR_BGR2GRAY)
    b = cv2.cvtColor(ref, cv2.COLOR_BGR2GRAY)
    if method == 'dis':
        dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        return dis.calc(a, b, None)
    if method == 'farneback':
        return cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 3, 15, 3, 5,
                                            1.2, 0)
    raise ValueError(f'unknown method {method!r}, expected {METHODS}')


class ModelFlow:
    """FlowNet-S of a config + checkpoint, as a pair -> flow function.

    Args:
        config (str): Config the checkpoint was trained with.
        checkpoint (str): Checkpoint (safe loader).
    """

    def __init__(self, config: str, checkpoint: str) -> None:
        import torch  # noqa: F401  (deferred: the OpenCV path needs none)
        from mmengine.dataset import pseudo_collate

        from aten_mm.apis.config import load_config
        from aten_mm.registry import MODELS
        from aten_mm.utils import register_all_modules
        from aten_mm.utils.checkpoint import (
            load_checkpoint_to_model,
            safe_torch_load,
        )
        register_all_modules(init_default_scope=True)
        cfg = load_config(config)
        model = MODELS.build(cfg.model)
        motion = getattr(model, 'motion', None)
        if motion is None or not hasattr(motion, 'predict_dense'):
            raise FlowEvalError(
                f'{config}: the model ({type(model).__name__}) has no '
                'FlowNet-S `motion` to evaluate')
        ckpt = safe_torch_load(checkpoint)
        try:
            report = load_checkpoint_to_model(model, ckpt, checkpoint)
        except ValueError as e:
            raise FlowEvalError(str(e)) from None
        lost = [k for k in report['missing_keys']
                if k.startswith('motion.') and
                not k.startswith('motion.scale_head.') and
                not k.startswith('motion.input_')]
        bad = [k for k, _, _ in report['mismatched_shapes']
               if k.startswith('motion.')]
        if lost or bad:
            raise FlowEvalError(
                f'{checkpoint}: no FlowNet-S weights for this config '
                f'({config}): missing {lost[:4]}, other shapes {bad[:4]}')
        self.model = model.eval()
        self.collate = pseudo_collate

    def __call__(self, packed: dict) -> np.ndarray:
        """Flow (H, W, 2) of a ``PackFlowInputs`` result."""
        import torch
        with torch.no_grad():
            data = self.model.data_preprocessor(self.collate([packed]),
                                                False)
            pair = data['inputs']
            flow = self.model.motion.predict_dense(pair[:, 0], pair[:, 1])
        h, w = packed['inputs'].shape[-2:]
        return flow[0, :, :h, :w].permute(1, 2, 0).cpu().numpy()


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='EPE of a FlowNet-S checkpoint or an OpenCV baseline on '
        'the ground-truth flow of a set (docs/flow.md)')
    parser.add_argument('data_root', help='set root (VIP or DAVIS layout '
                        'with a flow/ folder)')
    parser.add_argument('--split', default='val', help='split (default: '
                        'val)')
    parser.add_argument('--config', help='config of the checkpoint')
    parser.add_argument('--checkpoint', help='FlowNet-S or video-model '
                        'checkpoint')
    parser.add_argument('--method', choices=METHODS,
                        help='classical baseline instead of a checkpoint')
    parser.add_argument('--json', help='write the numbers to this file')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing --json file')
    args = parser.parse_args(argv)
    has_model = args.config is not None or args.checkpoint is not None
    if has_model == (args.method is not None):
        parser.error('give either --config and --checkpoint, or --method')
    if has_model and (args.config is None or args.checkpoint is None):
        parser.error('--config and --checkpoint go together')
    return args


def evaluate(dataset, flow_fn) -> dict:
    """EPE sums of ``flow_fn`` over every pair of ``dataset``."""
    from aten_mm.evaluation.functional import (
        flow_epe_summary,
        flow_epe_sums,
    )
    records = []
    bar = ProgressBar(len(dataset))
    for i in range(len(dataset)):
        packed = dataset[i]
        sample = packed['data_samples']
        pred = flow_fn(packed)
        gt = sample.gt_flow.numpy().transpose(1, 2, 0)
        person = sample.gt_person.numpy() if sample.has_person else None
        records.append(flow_epe_sums(pred, gt, sample.gt_valid.numpy(),
                                     person))
        bar.update()
    sys.stdout.write('\n')
    return flow_epe_summary(records)


def write_json(path: str, result: dict, overwrite: bool) -> None:
    """Write ``result`` (NaN as null) atomically; refuse to overwrite."""
    if osp.exists(path) and not overwrite:
        raise FileExistsError(f'{path} exists (pass --overwrite to '
                              'replace it)')
    clean = {k: (None if isinstance(v, float) and math.isnan(v) else v)
             for k, v in result.items()}
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        json.dump(clean, f, indent=2, allow_nan=False)
        f.write('\n')
    os.replace(tmp, path)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.json and osp.exists(args.json) and not args.overwrite:
        raise FlowEvalError(f'{args.json} exists (pass --overwrite to '
                            'replace it)')
    from aten_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    from aten_mm.datasets import FlowPairDataset
    if not osp.isdir(args.data_root):
        raise FileNotFoundError(f'data root not found: {args.data_root}')
    try:
        dataset = FlowPairDataset(
            data_root=args.data_root, split=args.split, test_mode=True,
            pipeline=[dict(type='LoadFlowPair'),
                      dict(type='PackFlowInputs')])
    except ValueError as e:
        raise FlowEvalError(str(e)) from None
    if args.method:
        def flow_fn(packed):
            imgs = packed['inputs'].numpy().transpose(0, 2, 3, 1)
            return opencv_flow(args.method, np.ascontiguousarray(imgs[0]),
                               np.ascontiguousarray(imgs[1]))
        name = args.method
    else:
        flow_fn = ModelFlow(args.config, args.checkpoint)
        name = f'checkpoint {args.checkpoint}'
    start = time.time()
    try:
        summary = evaluate(dataset, flow_fn)
    except ValueError as e:
        raise FlowEvalError(str(e)) from None
    result = dict(method=args.method or 'flownet', config=args.config,
                  checkpoint=args.checkpoint, data_root=args.data_root,
                  split=args.split, **summary,
                  seconds=round(time.time() - start, 2))
    print(f'{name} on {summary["num_pairs"]} pairs of {args.data_root} '
          f'({args.split}), frame resolution')
    print(f'EPE (all valid pixels): {summary["EPE"]:.4f} px '
          f'({summary["num_pixels"]} pixels)')
    print(f'EPE (person pixels):    {summary["EPE_person"]:.4f} px '
          f'({summary["num_person_pixels"]} pixels of annotated frames)')
    if args.json:
        write_json(args.json, result, args.overwrite)
        print(f'wrote {args.json}')
    return result


if __name__ == '__main__':
    run_tool(main)
