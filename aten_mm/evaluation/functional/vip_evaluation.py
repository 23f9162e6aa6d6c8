"""Per-frame records and the dataset summary of the VIP protocol.

``vip_frame_record`` reduces one frame (ground truth and prediction in the
evaluated form of :mod:`.vip_files`) to a few small arrays; ``vip_summary``
turns any collection of such records into mean IoU (§4), AP^r (§5) and
AP^r_vol (§6) exactly as docs/vip_protocol.md describes. Records are
independent of the order in which they arrive, so results gathered from
several processes give the same numbers as one process.
"""
from typing import List, Sequence

import numpy as np

from .average_precision import ap_at_thresholds, iou_thresholds, round_scores
from .instance_iou import instance_iou_matrix, max_iou_per_prediction
from .semantic_scores import confusion_matrix, segmentation_scores

#: AP^r thresholds t = 0.50, 0.55, ..., 0.95 (§5).
PERSON_IOU_THRS = iou_thresholds(0.5, 0.95, 0.05)
#: AP^r_vol thresholds t = 0.1, 0.2, ..., 0.9 (§6).
PART_IOU_THRS = iou_thresholds(0.1, 0.9, 0.1)


def vip_frame_record(gt: dict, pred: dict, key: str,
                     num_classes: int = 20) -> dict:
    """Reduce one frame to the compact record the summary needs.

    Args:
        gt (dict): ground-truth evaluated form (``sem_seg``,
            ``person_map``, ``part_map``, ``part_table``).
        pred (dict): prediction evaluated form (``sem_seg``,
            ``person_map``, ``person_scores``, ``part_map``,
            ``part_labels``, ``part_scores``).
        key (str): Unique frame name (``'<video>/<frame>'``); records are
            ranked in key order where scores tie.
        num_classes (int): Defaults to 20.

    Returns:
        dict: ``key``; ``conf`` ``(C, C)`` confusion counts;
        ``num_gt_persons``; ``person_scores`` / ``person_ious`` ``(K,)``
        (6-decimal scores, max IoU) for the person ids present in the map;
        ``part_gt_counts`` ``(C,)`` GT part instances per class;
        ``part_labels`` / ``part_scores`` / ``part_ious`` ``(M,)``.
    """
    shape = np.shape(gt['sem_seg'])
    for name in ('sem_seg', 'person_map', 'part_map'):
        if np.shape(pred[name]) != shape:
            raise ValueError(f'{key}: predicted {name} has size '
                             f'{np.shape(pred[name])}, the ground truth '
                             f'{shape}; predictions must be at GT size')
    conf = confusion_matrix(gt['sem_seg'], pred['sem_seg'], num_classes)

    pids, gids, iou = instance_iou_matrix(pred['person_map'],
                                         gt['person_map'])
    person_scores = np.asarray(pred['person_scores'], np.float64).ravel()
    if len(pids) and pids[-1] > len(person_scores):
        raise ValueError(f'{key}: person id {pids[-1]} has no score')

    ppids, pgids, piou = instance_iou_matrix(pred['part_map'],
                                            gt['part_map'])
    part_labels = np.asarray(pred['part_labels']).astype(np.int64).ravel()
    part_scores = np.asarray(pred['part_scores'], np.float64).ravel()
    if len(ppids) and ppids[-1] > len(part_labels):
        raise ValueError(f'{key}: part id {ppids[-1]} has no class/score')
    table = gt['part_table']
    missing = [int(i) for i in pgids if int(i) not in table]
    if missing:
        raise ValueError(f'{key}: GT part-instance ids {missing} are not '
                         'in the Instance_ids table')
    gt_part_labels = np.array([table[int(i)] for i in pgids], np.int64)
    pred_part_labels = part_labels[ppids - 1]
    return dict(
        key=key,
        conf=conf,
        num_gt_persons=len(gids),
        person_scores=round_scores(person_scores[pids - 1]),
        person_ious=max_iou_per_prediction(iou),
        part_gt_counts=np.bincount(gt_part_labels, minlength=num_classes),
        part_labels=pred_part_labels,
        part_scores=round_scores(part_scores[ppids - 1]),
        part_ious=max_iou_per_prediction(piou, pred_part_labels,
                                         gt_part_labels))


def vip_summary(records: List[dict],
                num_classes: int = 20,
                person_thrs: Sequence[float] = PERSON_IOU_THRS,
                part_thrs: Sequence[float] = PART_IOU_THRS) -> dict:
    """Dataset-level VIP scores from frame records (fractions, not %).

    Ties in score are ranked by frame key, then by id within the frame,
    which equals a stable sort over the frames listed in sorted order.

    Args:
        records (list[dict]): Outputs of :func:`vip_frame_record`.
        num_classes (int): Defaults to 20.
        person_thrs (Sequence[float]): AP^r thresholds.
        part_thrs (Sequence[float]): AP^r_vol thresholds.

    Returns:
        dict: ``num_frames``; the parsing scores of
        :func:`segmentation_scores`; ``person_aps`` ``(T,)``, ``APr``
        (mean), ``num_gt_persons``, ``num_pred_persons``; ``part_aps``
        ``(C - 1, T')`` (rows classes 1..C-1), ``part_map_per_thr``
        ``(T',)`` class means, ``APr_vol`` (official mean, NaN if a class
        lacks GT), ``APr_vol_nanmean``, ``part_classes_without_gt``.
    """
    records = sorted(records, key=lambda r: r['key'])
    keys = [r['key'] for r in records]
    if len(set(keys)) != len(keys):
        dup = sorted({k for k in keys if keys.count(k) > 1})
        raise ValueError(f'frames evaluated more than once: {dup[:5]}')
    conf = np.zeros((num_classes, num_classes), np.int64)
    for r in records:
        conf += r['conf']
    out = dict(num_frames=len(records))
    out.update(segmentation_scores(conf))

    def cat(name, dtype):
        arrays = [np.asarray(r[name], dtype) for r in records]
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype)

    num_gt = int(sum(r['num_gt_persons'] for r in records))
    scores = cat('person_scores', np.float64)
    person_aps = ap_at_thresholds(scores, cat('person_ious', np.float64),
                                  num_gt, person_thrs)
    out.update(person_aps=person_aps, APr=float(np.mean(person_aps)),
               num_gt_persons=num_gt, num_pred_persons=len(scores))

    labels = cat('part_labels', np.int64)
    p_scores = cat('part_scores', np.float64)
    p_ious = cat('part_ious', np.float64)
    gt_counts = np.zeros(num_classes, np.int64)
    for r in records:
        gt_counts += np.asarray(r['part_gt_counts'], np.int64)
    part_aps = np.stack([
        ap_at_thresholds(p_scores[labels == c], p_ious[labels == c],
                         int(gt_counts[c]), part_thrs)
        for c in range(1, num_classes)
    ])
    no_gt = [c for c in range(1, num_classes) if gt_counts[c] == 0]
    has_any = bool(np.any(~np.isnan(part_aps)))
    out.update(
        part_aps=part_aps,
        part_gt_counts=gt_counts,
        part_map_per_thr=part_aps.mean(axis=0),
        APr_vol=float(part_aps.mean()),
        APr_vol_nanmean=float(np.nanmean(part_aps)) if has_any else np.nan,
        part_classes_without_gt=no_gt)
    return out
