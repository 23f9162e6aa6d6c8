"""End-point error of optical flow (issue 13 §2)."""
import math
from typing import Dict, Iterable, Optional

import numpy as np


def flow_epe_sums(pred: np.ndarray, gt: np.ndarray, valid: np.ndarray,
                  person: Optional[np.ndarray] = None) -> Dict[str, float]:
    """Sums of the end-point error of one flow field.

    EPE(p) = ||pred(p) - gt(p)||_2 in pixels. Summed over the valid pixels
    and over the valid person pixels (person given); pooled over a set by
    :func:`flow_epe_summary`.

    Args:
        pred (np.ndarray): (H, W, 2) predicted flow in pixels.
        gt (np.ndarray): (H, W, 2) ground-truth flow in pixels.
        valid (np.ndarray): (H, W) bool, pixels with a valid ground truth.
        person (np.ndarray, optional): (H, W) bool person pixels; None when
            the frame has no person annotation (it adds nothing to the
            person sums).

    Returns:
        dict[str, float]: ``epe_sum``, ``num``, ``person_epe_sum``,
        ``person_num``.

    Raises:
        ValueError: Shapes that do not agree.
    """
    pred = np.asarray(pred, dtype=np.float64)
    gt = np.asarray(gt, dtype=np.float64)
    valid = np.asarray(valid, dtype=bool)
    if pred.shape != gt.shape or gt.ndim != 3 or gt.shape[2] != 2 or \
            valid.shape != gt.shape[:2]:
        raise ValueError(
            f'flow EPE: expected pred and gt (H, W, 2) and valid (H, W), '
            f'got {pred.shape}, {gt.shape}, {valid.shape}')
    epe = np.sqrt(((pred - gt)**2).sum(-1))
    out = dict(epe_sum=float(epe[valid].sum()), num=int(valid.sum()),
               person_epe_sum=0.0, person_num=0)
    if person is not None:
        person = np.asarray(person, dtype=bool)
        if person.shape != valid.shape:
            raise ValueError(f'flow EPE: person mask {person.shape}, '
                             f'expected {valid.shape}')
        sel = valid & person
        out.update(person_epe_sum=float(epe[sel].sum()),
                   person_num=int(sel.sum()))
    return out


def flow_epe_summary(records: Iterable[Dict[str, float]]) -> Dict[str, float]:
    """Pool per-pair sums into the set's mean EPEs.

    Pixel-weighted means over the whole set (every valid pixel counts
    once, as FlowNet's benchmarks average per pixel within an image; a
    large image counts more than a small one).

    Args:
        records (Iterable[dict]): Outputs of :func:`flow_epe_sums`.

    Returns:
        dict[str, float]: ``EPE`` (all valid pixels), ``EPE_person``
        (valid person pixels of annotated frames; NaN when there are
        none), ``num_pairs``, ``num_pixels``, ``num_person_pixels``.
    """
    epe = num = pepe = pnum = pairs = 0
    for rec in records:
        epe += rec['epe_sum']
        num += rec['num']
        pepe += rec['person_epe_sum']
        pnum += rec['person_num']
        pairs += 1
    return dict(EPE=epe / num if num else math.nan,
                EPE_person=pepe / pnum if pnum else math.nan,
                num_pairs=pairs, num_pixels=num, num_person_pixels=pnum)
