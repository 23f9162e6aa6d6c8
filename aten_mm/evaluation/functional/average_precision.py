"""AP of instance predictions ranked by score (docs/vip_protocol.md §5, §6).

Both AP^r (persons) and AP^r_vol (part instances, per class) score each
prediction by its maximum IoU with any ground-truth instance of its frame
(strict ``>`` a threshold makes a true positive, no one-to-one matching) and
integrate precision over recall with the VOC2010+ all-point rule.
"""
from typing import Sequence

import numpy as np


def round_scores(scores) -> np.ndarray:
    """Round scores exactly as ``'%f' % s`` prints them (6 decimals).

    The official files store scores with ``%f`` and the scripts rank those;
    rounding through the same formatting makes in-memory evaluation and the
    file round trip rank identically (ties included).

    Args:
        scores (array-like): ``(n,)`` scores.

    Returns:
        np.ndarray: ``(n,)`` float64 rounded scores.
    """
    scores = np.asarray(scores, dtype=np.float64).ravel()
    return np.array([float('%f' % s) for s in scores], dtype=np.float64)


def voc_ap(recall: np.ndarray, precision: np.ndarray) -> float:
    """VOC2010+ all-point average precision (not the 11-point variant).

    Adds the sentinels (recall 0, precision 0) and (recall 1, precision 0),
    takes the monotone precision envelope from the right and sums
    ``Δrecall × precision`` where recall changes.

    Args:
        recall (np.ndarray): ``(n,)`` cumulative recall, ranked order.
        precision (np.ndarray): ``(n,)`` cumulative precision.

    Returns:
        float: the area.
    """
    mrec = np.concatenate(([0.0], np.asarray(recall, float), [1.0]))
    mpre = np.concatenate(([0.0], np.asarray(precision, float), [0.0]))
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    idx = np.nonzero(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


def ap_at_thresholds(scores: np.ndarray,
                     max_ious: np.ndarray,
                     num_gt: int,
                     thresholds: Sequence[float]) -> np.ndarray:
    """AP of ranked predictions at several IoU thresholds.

    Predictions are ranked by descending score with a *stable* sort, so
    ties keep the order of the inputs (callers pass a canonical order).
    At threshold ``t`` a prediction is a true positive iff its max IoU
    ``> t`` (strict).

    Args:
        scores (np.ndarray): ``(n,)`` (already rounded) scores.
        max_ious (np.ndarray): ``(n,)`` max IoU of each prediction with the
            GT instances of its frame (0 when the frame has none).
        num_gt (int): Total number of GT instances (recall denominator).
        thresholds (Sequence[float]): IoU thresholds.

    Returns:
        np.ndarray: ``(len(thresholds),)`` APs; NaN everywhere when
        ``num_gt == 0`` (recall undefined, as in the official scripts).
    """
    thresholds = np.asarray(thresholds, dtype=np.float64)
    if num_gt <= 0:
        return np.full(len(thresholds), np.nan)
    scores = np.asarray(scores, dtype=np.float64).ravel()
    max_ious = np.asarray(max_ious, dtype=np.float64).ravel()
    order = np.argsort(-scores, kind='stable')
    ious = max_ious[order]
    aps = np.zeros(len(thresholds))
    rank = np.arange(1, len(ious) + 1)
    for i, t in enumerate(thresholds):
        cum_tp = np.cumsum(ious > t)
        aps[i] = voc_ap(cum_tp / num_gt, cum_tp / rank)
    return aps


def iou_thresholds(start: float, stop: float, step: float) -> np.ndarray:
    """Thresholds ``start, start + step, ..., stop`` as decimal literals.

    Rounded to 10 decimals so that ``0.6`` is the double nearest 0.6 (an
    ``arange`` would give 0.6000000000000001 and move the strict ``>``
    boundary).

    Returns:
        np.ndarray: the thresholds.
    """
    num = int(round((stop - start) / step)) + 1
    return np.round(start + step * np.arange(num), 10)
