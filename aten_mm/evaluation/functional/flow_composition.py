"""Composed vs direct flow over a key interval, against ground truth.

ATEN's stream mode can compose the flow of key k to key k - 2l from
``k -> k - l`` and ``k - l -> k - 2l`` (:func:`compose_flows`) instead of
running FlowNet on the distant pair. This module measures what that costs
on a set with ground-truth flow between consecutive frames (the synthetic
generator's ``flow/`` folder, docs/synthetic_data.md): the reference flow
``t -> t - 2l`` is the composition of the 2l consecutive ground-truth
flows, valid where every step is valid (each mask read at the displaced
position, nearest neighbour) and the end point stays inside the frame.
"""
from typing import Callable, Dict, List, Sequence

import numpy as np
import torch

from aten_mm.models.layers.flow_compose import compose_flows
from aten_mm.models.layers.flow_warp import flow_warp


def _t(flow: np.ndarray) -> torch.Tensor:
    """(H, W, 2) numpy flow -> (1, 2, H, W) float tensor."""
    return torch.from_numpy(np.ascontiguousarray(flow, np.float32)).permute(
        2, 0, 1)[None]


def chain_ground_truth(flows: Sequence[np.ndarray],
                       valids: Sequence[np.ndarray]):
    """Ground-truth flow over several steps and where it is valid.

    Args:
        flows (list[np.ndarray]): ``(H, W, 2)`` backward flows of the
            chain, nearest first: ``t -> t-1``, ``t-1 -> t-2``, ….
        valids (list[np.ndarray]): ``(H, W)`` bool validity of each.

    Returns:
        tuple: ``(flow (H, W, 2) float32 of t -> t - len(flows),
        valid (H, W) bool)``.
    """
    flow = _t(flows[0])
    valid = torch.from_numpy(np.asarray(valids[0], np.float32))[None, None]
    h, w = flows[0].shape[:2]
    for nxt, ok in zip(flows[1:], valids[1:]):
        ok_t = torch.from_numpy(np.asarray(ok, np.float32))[None, None]
        # the step's validity where the chain has arrived (bilinear: a
        # sample next to an invalid pixel counts as invalid)
        valid = valid * (flow_warp(ok_t, flow) > 0.999).float()
        flow, _ = compose_flows(flow, _t(nxt))
    xs = torch.arange(w).view(1, w) + flow[0, 0]
    ys = torch.arange(h).view(h, 1) + flow[0, 1]
    inside = (xs >= 0) & (xs <= w - 1) & (ys >= 0) & (ys <= h - 1)
    valid = (valid[0, 0] > 0.5) & inside
    return flow[0].permute(1, 2, 0).numpy(), valid.numpy()


def composition_epe(num_frames: int, gap: int,
                    gt: Callable[[int], tuple],
                    estimate: Callable[[int, int], np.ndarray]
                    ) -> List[Dict[str, float]]:
    """EPE of direct and composed flow ``t -> t - 2·gap`` per frame.

    Args:
        num_frames (int): Frames of the video.
        gap (int): l, the key interval.
        gt (Callable): ``gt(t) -> (flow (H, W, 2), valid (H, W) bool)``,
            the ground-truth backward flow of frame t to t - 1.
        estimate (Callable): ``estimate(t, s) -> (H, W, 2)`` the estimated
            backward flow of frame t into frame s.

    Returns:
        list[dict]: Per frame t >= 2·gap: ``t``, ``valid`` (pixels),
        ``epe_direct`` and ``epe_composed`` (sums over valid pixels).
    """
    records = []
    steps = {}
    for t in range(2 * gap, num_frames):
        for s in range(t - 2 * gap + 1, t + 1):
            if s not in steps:
                steps[s] = gt(s)
        chain = [steps[s] for s in range(t, t - 2 * gap, -1)]
        ref, valid = chain_ground_truth([c[0] for c in chain],
                                        [c[1] for c in chain])
        direct = estimate(t, t - 2 * gap)
        near, far = estimate(t, t - gap), estimate(t - gap, t - 2 * gap)
        composed, _ = compose_flows(_t(near), _t(far))
        composed = composed[0].permute(1, 2, 0).numpy()
        err = {}
        for name, flow in (('direct', direct), ('composed', composed)):
            d = np.linalg.norm(flow - ref, axis=-1)
            err[f'epe_{name}'] = float(d[valid].sum())
        records.append(dict(t=t, valid=int(valid.sum()), **err))
        steps.pop(t - 2 * gap + 1, None)
    return records


def composition_summary(records: List[Dict[str, float]]) -> Dict:
    """Mean EPE per valid pixel of both flows over ``records``."""
    n = sum(r['valid'] for r in records)
    if n == 0:
        return dict(pairs=len(records), valid_pixels=0, epe_direct=None,
                    epe_composed=None)
    return dict(pairs=len(records), valid_pixels=n,
                epe_direct=sum(r['epe_direct'] for r in records) / n,
                epe_composed=sum(r['epe_composed'] for r in records) / n)
