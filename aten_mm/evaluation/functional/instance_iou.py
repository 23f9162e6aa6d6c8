"""IoU between predicted and ground-truth instances given as id maps.

Used by AP^r and AP^r_vol (docs/vip_protocol.md §5, §6). Both sides are
label maps (0 = background, ids ≥ 1); one joint histogram of (pred id,
gt id) pairs gives every intersection at once, instead of looping over mask
pairs.
"""
from typing import Tuple

import numpy as np
import torch


def masks_to_id_map(masks) -> np.ndarray:
    """Paint ``(n, H, W)`` masks into one id map (mask ``i`` → id ``i+1``).

    Where masks overlap, the pixel keeps the smallest id (the first,
    highest-scored mask), as no official file can hold overlaps.

    Args:
        masks (np.ndarray | Tensor): ``(n, H, W)`` bool masks (``n`` may
            be 0).

    Returns:
        np.ndarray: ``(H, W)`` int32 id map.
    """
    if isinstance(masks, torch.Tensor):
        masks = masks.detach().cpu().numpy()
    masks = np.asarray(masks).astype(bool)
    if masks.ndim != 3:
        raise ValueError(f'masks must be (n, H, W), got {masks.shape}')
    id_map = np.zeros(masks.shape[1:], dtype=np.int32)
    for i in range(masks.shape[0] - 1, -1, -1):
        id_map[masks[i]] = i + 1
    return id_map


def instance_iou_matrix(
        pred_map: np.ndarray,
        gt_map: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """IoU of every predicted id with every ground-truth id.

    Args:
        pred_map (np.ndarray): ``(H, W)`` non-negative int id map.
        gt_map (np.ndarray): ``(H, W)`` non-negative int id map.

    Returns:
        tuple: ``pred_ids`` ``(K,)`` and ``gt_ids`` ``(G,)`` — the non-zero
        ids present, ascending — and ``iou`` ``(K, G)`` float64.
    """
    pred_map = np.asarray(pred_map).astype(np.int64).ravel()
    gt_map = np.asarray(gt_map).astype(np.int64).ravel()
    if pred_map.shape != gt_map.shape:
        raise ValueError('prediction and ground-truth id maps differ in '
                         'size')
    pred_ids, pred_inv = _compact(pred_map)
    gt_ids, gt_inv = _compact(gt_map)
    n_p, n_g = len(pred_ids) + 1, len(gt_ids) + 1
    hist = np.bincount(pred_inv * n_g + gt_inv,
                       minlength=n_p * n_g).reshape(n_p, n_g)
    area_p = hist.sum(axis=1)[1:]
    area_g = hist.sum(axis=0)[1:]
    inter = hist[1:, 1:].astype(np.float64)
    union = area_p[:, None] + area_g[None, :] - inter
    iou = inter / np.maximum(union, 1)
    return pred_ids, gt_ids, iou


def _compact(id_map: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Map the ids of a flat map to ``0`` (bg) and ``1 .. n`` (present)."""
    if id_map.size and id_map.min() < 0:
        raise ValueError('id maps must be non-negative')
    present = np.bincount(id_map) > 0 if id_map.size else np.zeros(1, bool)
    present[0] = False
    ids = np.nonzero(present)[0]
    lut = np.zeros(len(present), dtype=np.int64)
    lut[ids] = np.arange(1, len(ids) + 1)
    return ids, lut[id_map]


def max_iou_per_prediction(iou: np.ndarray,
                           pred_labels: np.ndarray = None,
                           gt_labels: np.ndarray = None) -> np.ndarray:
    """Maximum IoU of each prediction over the GT instances (same class).

    Args:
        iou (np.ndarray): ``(K, G)`` IoU matrix.
        pred_labels (np.ndarray, optional): ``(K,)`` classes; when given
            with ``gt_labels`` only same-class pairs count.
        gt_labels (np.ndarray, optional): ``(G,)`` classes.

    Returns:
        np.ndarray: ``(K,)`` max IoU, 0 where no (same-class) GT exists.
    """
    if pred_labels is not None and gt_labels is not None:
        same = (np.asarray(pred_labels)[:, None]
                == np.asarray(gt_labels)[None, :])
        iou = np.where(same, iou, 0.0)
    if iou.shape[1] == 0:
        return np.zeros(iou.shape[0])
    return iou.max(axis=1)
