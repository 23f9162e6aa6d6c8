"""DAVIS region similarity J and contour accuracy F (docs/davis_protocol.md).

The paper's Table 2 reports DAVIS-2016 val in the unsupervised setting with
the official toolkit's measures, re-implemented here from their definitions.
"""
import math
from typing import Dict, Sequence

import cv2
import numpy as np


def davis_j(pred: np.ndarray, gt: np.ndarray) -> float:
    """Region similarity ``J = |M ∩ G| / |M ∪ G|`` (1 when both empty).

    Args:
        pred (np.ndarray): ``(H, W)`` binary predicted mask.
        gt (np.ndarray): ``(H, W)`` binary ground-truth mask.

    Returns:
        float: J in [0, 1].
    """
    pred, gt = _binary_pair(pred, gt)
    union = np.count_nonzero(pred | gt)
    if union == 0:
        return 1.0
    return np.count_nonzero(pred & gt) / union


def boundary_map(mask: np.ndarray) -> np.ndarray:
    """One-pixel boundary of a binary mask (the toolkit's ``seg2bmap``).

    Pixel ``p`` is a boundary pixel iff the mask differs between ``p`` and
    its east, south or south-east neighbour; on the last row only east is
    compared, on the last column only south; the bottom-right pixel is 0.

    Args:
        mask (np.ndarray): ``(H, W)`` binary mask.

    Returns:
        np.ndarray: ``(H, W)`` bool boundary map.
    """
    m = np.asarray(mask).astype(bool)
    b = np.zeros_like(m)
    c = m[:-1, :-1]
    b[:-1, :-1] = (c != m[:-1, 1:]) | (c != m[1:, :-1]) | (c != m[1:, 1:])
    b[-1, :-1] = m[-1, :-1] != m[-1, 1:]
    b[:-1, -1] = m[:-1, -1] != m[1:, -1]
    return b


def disk(radius: int) -> np.ndarray:
    """Disk structuring element ``x² + y² <= r²``, ``(2r+1, 2r+1)`` uint8."""
    r = np.arange(-radius, radius + 1)
    return (r[:, None]**2 + r[None, :]**2 <= radius**2).astype(np.uint8)


def boundary_tolerance(height: int, width: int,
                       ratio: float = 0.008) -> int:
    """Dilation radius ``ceil(ratio · sqrt(H² + W²))`` (8 px at 854×480)."""
    return int(math.ceil(ratio * math.sqrt(height**2 + width**2)))


def davis_f(pred: np.ndarray, gt: np.ndarray,
            ratio: float = 0.008) -> float:
    """Contour accuracy F of one frame.

    ``P = |B_M ∩ dil(B_G)| / |B_M|``, ``R = |B_G ∩ dil(B_M)| / |B_G|``
    with disk dilation of radius :func:`boundary_tolerance`; no predicted
    boundary but a GT one: P = 1, R = 0; the reverse: P = 0, R = 1;
    neither: P = R = 1. ``F = 2PR / (P + R)`` (0 when P + R = 0).

    Args:
        pred (np.ndarray): ``(H, W)`` binary predicted mask.
        gt (np.ndarray): ``(H, W)`` binary ground-truth mask.
        ratio (float): Tolerance as a fraction of the image diagonal.

    Returns:
        float: F in [0, 1].
    """
    pred, gt = _binary_pair(pred, gt)
    b_m, b_g = boundary_map(pred), boundary_map(gt)
    n_m, n_g = np.count_nonzero(b_m), np.count_nonzero(b_g)
    if n_m == 0 and n_g == 0:
        precision = recall = 1.0
    elif n_m == 0:
        precision, recall = 1.0, 0.0
    elif n_g == 0:
        precision, recall = 0.0, 1.0
    else:
        kernel = disk(boundary_tolerance(*pred.shape, ratio=ratio))
        dil_m = cv2.dilate(b_m.astype(np.uint8), kernel).astype(bool)
        dil_g = cv2.dilate(b_g.astype(np.uint8), kernel).astype(bool)
        precision = np.count_nonzero(b_m & dil_g) / n_m
        recall = np.count_nonzero(b_g & dil_m) / n_g
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def sequence_statistics(values: Sequence[float],
                        num_bins: int = 4) -> Dict[str, float]:
    """Mean, recall and decay of one sequence's per-frame values.

    Recall = fraction of values ``> 0.5``. Decay: bin edges
    ``ids = round(linspace(1, n, 5) + 1e-10) - 1``, bin ``i`` = frames
    ``ids[i] .. ids[i+1]`` inclusive; decay = mean(bin 0) − mean(bin 3).

    Args:
        values (Sequence[float]): Per-frame J or F of the evaluated frames.
        num_bins (int): Defaults to 4.

    Returns:
        dict: ``mean``, ``recall``, ``decay``.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        raise ValueError('a sequence has no evaluated frame')
    ids = (np.round(np.linspace(1, len(x), num_bins + 1) + 1e-10) - 1
           ).astype(int)
    bins = [x[ids[i]:ids[i + 1] + 1] for i in range(num_bins)]
    return dict(mean=float(x.mean()),
                recall=float(np.mean(x > 0.5)),
                decay=float(bins[0].mean() - bins[-1].mean()))


def _binary_pair(pred, gt):
    pred = np.asarray(pred).astype(bool)
    gt = np.asarray(gt).astype(bool)
    if pred.shape != gt.shape or pred.ndim != 2:
        raise ValueError(f'masks must be 2-D of one size, got {pred.shape} '
                         f'and {gt.shape}')
    return pred, gt


def davis_summary(sequences: Dict[str, list],
                  drop_first_last: bool = True) -> dict:
    """Per-sequence statistics and dataset means (fractions, not %).

    Args:
        sequences (dict[str, list]): sequence name → list of
            ``(frame_id, J, F)`` for every frame of the sequence (any order).
        drop_first_last (bool): True = DAVIS-2016 toolkit (first and last
            frame of each sequence not evaluated); False = davis2017
            toolkit, unsupervised mode (all frames). Defaults to True.

    Returns:
        dict: ``J_mean``, ``J_recall``, ``J_decay``, ``F_mean``,
        ``F_recall``, ``F_decay`` (means over sequences, each sequence
        weighs the same), ``JF_mean`` and ``per_sequence`` (name → dict of
        the six values).
    """
    per_seq = {}
    for name in sorted(sequences):
        frames = sorted(sequences[name], key=lambda x: x[0])
        if drop_first_last:
            if len(frames) < 3:
                raise ValueError(
                    f'sequence {name!r} has {len(frames)} frames; dropping '
                    'the first and last frame (DAVIS-2016) needs >= 3')
            frames = frames[1:-1]
        stats = {}
        for col, measure in ((1, 'J'), (2, 'F')):
            s = sequence_statistics([f[col] for f in frames])
            stats.update({f'{measure}_{k}': v for k, v in s.items()})
        per_seq[name] = stats
    if not per_seq:
        raise ValueError('no sequence to evaluate')
    out = {
        k: float(np.mean([s[k] for s in per_seq.values()]))
        for k in ('J_mean', 'J_recall', 'J_decay', 'F_mean', 'F_recall',
                  'F_decay')
    }
    out['JF_mean'] = (out['J_mean'] + out['F_mean']) / 2
    out['per_sequence'] = per_seq
    return out
