"""Fusion of person detections and the global parsing map (paper §4.2).

The original ATEN release turned its raw outputs (person masks with scores
and a per-pixel part map) into the files the official VIP scripts read in
one fixed way (docs/interfaces.md, "Post-processing"). This module is the
single implementation, the detector's post-processing (``predict``); the
evaluation imports it from here.
"""
from typing import Dict

import torch
from torch import Tensor


def fuse_instance_parsing(person_masks: Tensor,
                          person_scores: Tensor,
                          part_map: Tensor,
                          part_prob: Tensor,
                          score_thr: float = 0.7,
                          overlap_thr: float = 0.7,
                          num_classes: int = 20) -> Dict[str, Tensor]:
    """Make non-overlapping persons and part instances
    (docs/vip_protocol.md §7).

    Persons are visited by descending score (stable for ties); those with a
    score below ``score_thr`` are dropped. Each person loses the pixels
    already claimed by a higher-scored kept person; when the surviving
    fraction of its mask is ``<= overlap_thr`` (or its mask is empty) it is
    dropped and claims nothing. Survivors get ids ``1, 2, ...`` in score
    order. A part instance is ``(part_map == c) ∩ person i`` for
    ``c = 1 .. num_classes - 1`` (outer loop) and each kept person ``i`` in
    ascending id (inner loop); its score is the mean of ``part_prob`` over
    its pixels times the person's score. Part pixels outside every kept
    person are dropped.

    Args:
        person_masks (Tensor): ``(n, H, W)`` bool person masks.
        person_scores (Tensor): ``(n,)`` person scores.
        part_map (Tensor): ``(H, W)`` long parsing label map (0 = bg).
        part_prob (Tensor): ``(H, W)`` float per-pixel maximum softmax
            probability of the parsing head.
        score_thr (float): Minimum person score kept (``>=``).
            Defaults to 0.7.
        overlap_thr (float): A person whose surviving fraction is
            ``<= overlap_thr`` is dropped. Defaults to 0.7.
        num_classes (int): Number of parsing classes, background included.
            Defaults to 20.

    Returns:
        dict[str, Tensor]:
            - ``person_masks``: ``(k, H, W)`` bool, non-overlapping, in
              id order (row ``i`` is person id ``i + 1``).
            - ``person_scores``: ``(k,)`` their scores.
            - ``keep_inds``: ``(k,)`` long, indices into the inputs.
            - ``part_masks``: ``(m, H, W)`` bool.
            - ``part_labels``: ``(m,)`` long in ``1 .. num_classes - 1``.
            - ``part_scores``: ``(m,)`` float.
            - ``part_person_ids``: ``(m,)`` long, 1-based person ids.
    """
    if person_masks.dim() != 3:
        raise ValueError('person_masks must be (n, H, W), got shape '
                         f'{tuple(person_masks.shape)}')
    h, w = part_map.shape[-2:]
    if person_masks.shape[1:] != (h, w) or part_prob.shape[-2:] != (h, w):
        raise ValueError(
            'person_masks, part_map and part_prob must share (H, W); got '
            f'{tuple(person_masks.shape)}, {tuple(part_map.shape)}, '
            f'{tuple(part_prob.shape)}')
    device = part_map.device
    person_masks = person_masks.to(device=device, dtype=torch.bool)
    person_scores = person_scores.to(device).float()
    part_map = part_map.reshape(h, w).long()
    part_prob = part_prob.reshape(h, w).float()

    order = torch.sort(person_scores, descending=True, stable=True).indices
    taken = torch.zeros((h, w), dtype=torch.bool, device=device)
    kept_masks, keep_inds = [], []
    for idx in order.tolist():
        if person_scores[idx] < score_thr:
            continue
        mask = person_masks[idx]
        area = int(mask.sum())
        if area == 0:
            continue
        remain = mask & ~taken
        if int(remain.sum()) / area <= overlap_thr:
            continue
        taken |= remain
        kept_masks.append(remain)
        keep_inds.append(idx)

    k = len(keep_inds)
    keep_inds_t = torch.tensor(keep_inds, dtype=torch.long, device=device)
    if k:
        fused_masks = torch.stack(kept_masks)
    else:
        fused_masks = torch.zeros((0, h, w), dtype=torch.bool, device=device)
    fused_scores = person_scores[keep_inds_t]

    # person id map: 0 = no kept person, i = i-th kept person (1-based)
    id_map = torch.zeros((h, w), dtype=torch.long, device=device)
    for i, m in enumerate(kept_masks, start=1):
        id_map[m] = i
    valid = (id_map > 0) & (part_map > 0) & (part_map < num_classes)
    # joint (class, person) index, class-major so the order is c then id
    joint = part_map[valid] * (k + 1) + id_map[valid]
    size = num_classes * (k + 1)
    counts = torch.bincount(joint, minlength=size)
    prob_sums = torch.bincount(
        joint, weights=part_prob[valid].double(), minlength=size)
    present = torch.nonzero(counts, as_tuple=False).flatten()
    labels = present // (k + 1)
    pids = present % (k + 1)
    mean_prob = (prob_sums[present] / counts[present]).float()
    scores = mean_prob * fused_scores[pids - 1] if k else mean_prob
    part_masks = ((part_map[None] == labels[:, None, None])
                  & (id_map[None] == pids[:, None, None]))
    return dict(
        person_masks=fused_masks,
        person_scores=fused_scores,
        keep_inds=keep_inds_t,
        part_masks=part_masks,
        part_labels=labels,
        part_scores=scores,
        part_person_ids=pids)
