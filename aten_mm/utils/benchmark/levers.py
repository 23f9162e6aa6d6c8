"""Time each efficiency lever of the efficient ATEN alone (paper §4.5).

Every module call of the faithful and the efficient ATEN that a lever
changes is timed in turn, several rounds, so that machine load hits all
variants alike: N_feat (``no_grad`` / ``inference_mode`` / channels-last),
FlowNet-S at full and half resolution, FlowWarp ⊙ scale, the ConvGRU
faithful, with each option alone and all together, and the heads with
several test-time proposal budgets / score thresholds.
"""
import copy
import statistics
import time
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from .frames import render_synthetic
from .stream_run import build_model, build_samples

#: ConvGRU options timed one at a time.
GRU_OPTIONS = {
    'GRU downsample=2 only': dict(downsample=2),
    'GRU bottleneck_channels=64 only': dict(bottleneck_channels=64),
    'GRU depthwise only': dict(depthwise=True),
}


def build_variants(faithful: nn.Module, efficient: nn.Module,
                   frames: Sequence[np.ndarray]
                   ) -> Dict[str, Tuple[Callable, Callable]]:
    """Name -> (context manager, callable) for every lever.

    Args:
        faithful (nn.Module): The faithful ATEN, eval mode.
        efficient (nn.Module): The efficient ATEN, eval mode.
        frames (Sequence[np.ndarray]): Three ``(H, W, 3)`` BGR frames:
            reference key, key, current frame.

    Returns:
        dict: ``{name: (torch.no_grad or torch.inference_mode, fn)}``.
    """
    from mmdet.structures import DetDataSample

    from aten_mm.registry import MODELS

    (x0, _), (x1, s1), (x2, _) = build_samples(
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


def time_levers(faithful: str, efficient: str, size: int = 512,
                rounds: int = 3, seed: int = 0) -> Dict[str, List[float]]:
    """Time every lever ``rounds`` times, interleaved.

    Args:
        faithful (str): Faithful ATEN config (random weights).
        efficient (str): Efficient ATEN config (random weights).
        size (int): Longer side of the synthetic frames.
        rounds (int): Rounds; in each, every variant runs once in turn.
        seed (int): Seed of the weights and of the frames.

    Returns:
        dict[str, list[float]]: Milliseconds of every round per variant.
    """
    variants = build_variants(build_model(faithful, None, seed),
                              build_model(efficient, None, seed),
                              render_synthetic(3, size, seed))
    times = {name: [] for name in variants}
    for rnd in range(rounds):
        for name, (ctx, fn) in variants.items():
            with ctx():
                start = time.perf_counter()
                fn()
                times[name].append(1000 * (time.perf_counter() - start))
        print(f'round {rnd + 1}/{rounds} done', flush=True)
    return times


def medians(times: Dict[str, List[float]]) -> Dict[str, float]:
    """Median milliseconds per variant of :func:`time_levers`."""
    return {name: statistics.median(v) for name, v in times.items()}
