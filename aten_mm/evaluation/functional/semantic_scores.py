"""Dataset-level parsing scores from a confusion matrix
(docs/vip_protocol.md §4).

The paper's "mean IoU" (Table 1) is computed from one confusion matrix summed
over every pixel of every evaluated frame, not from per-image IoUs.
"""
from typing import Dict

import numpy as np


def confusion_matrix(gt: np.ndarray,
                     pred: np.ndarray,
                     num_classes: int = 20) -> np.ndarray:
    """Count (ground truth, prediction) pixel pairs of one frame.

    Pixels whose ground truth is ``>= num_classes`` (e.g. 255) or negative
    are ignored.

    Args:
        gt (np.ndarray): ``(H, W)`` integer ground-truth label map.
        pred (np.ndarray): ``(H, W)`` integer predicted label map with
            values in ``0 .. num_classes - 1``.
        num_classes (int): Number of classes, background included.
            Defaults to 20.

    Returns:
        np.ndarray: ``(num_classes, num_classes)`` int64 counts, rows = GT,
        columns = prediction.
    """
    gt = np.asarray(gt)
    pred = np.asarray(pred)
    if gt.shape != pred.shape:
        raise ValueError(f'prediction shape {pred.shape} differs from the '
                         f'ground-truth shape {gt.shape}')
    gt = gt.astype(np.int64).ravel()
    pred = pred.astype(np.int64).ravel()
    valid = (gt >= 0) & (gt < num_classes)
    gt, pred = gt[valid], pred[valid]
    if pred.size and (pred.min() < 0 or pred.max() >= num_classes):
        raise ValueError('predicted labels must lie in 0..'
                         f'{num_classes - 1}, got values in '
                         f'{pred.min()}..{pred.max()}')
    counts = np.bincount(gt * num_classes + pred,
                         minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def segmentation_scores(conf: np.ndarray) -> Dict[str, np.ndarray]:
    """Turn a summed confusion matrix into the parsing scores.

    ``IoU_c = diag / (row_sum + col_sum - diag)``; the mean IoU is the
    nanmean over all classes (background included), so a class with zero
    union is skipped. Accuracies follow the same rule with the GT count.

    Args:
        conf (np.ndarray): ``(C, C)`` counts, rows = GT, columns = pred.

    Returns:
        dict: fractions (not percent): ``IoU`` ``(C,)`` (NaN for zero
        union), ``Acc`` ``(C,)`` per-class recall (NaN without GT),
        ``mIoU``, ``aAcc`` (pixel accuracy), ``mAcc`` (mean class
        accuracy) and ``fwIoU`` (frequency-weighted IoU).
    """
    conf = np.asarray(conf, dtype=np.float64)
    diag = np.diag(conf)
    gt_sum = conf.sum(axis=1)
    pred_sum = conf.sum(axis=0)
    union = gt_sum + pred_sum - diag
    total = conf.sum()
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = np.where(union > 0, diag / union, np.nan)
        acc = np.where(gt_sum > 0, diag / gt_sum, np.nan)
        freq = gt_sum / total if total > 0 else np.zeros_like(gt_sum)
    nan = float('nan')
    has_iou = bool(np.any(~np.isnan(iou)))
    has_acc = bool(np.any(~np.isnan(acc)))
    return dict(
        IoU=iou,
        Acc=acc,
        mIoU=float(np.nanmean(iou)) if has_iou else nan,
        aAcc=float(diag.sum() / total) if total > 0 else nan,
        mAcc=float(np.nanmean(acc)) if has_acc else nan,
        fwIoU=float(np.nansum(freq * iou)) if total > 0 else nan)
