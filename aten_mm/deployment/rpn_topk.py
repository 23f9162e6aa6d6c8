"""Proposal selection with ``topk`` instead of a full sort (deployment).

mmdet's ``RPNHead._predict_by_feat_single`` ranks every anchor's score
with a full ``sort`` and keeps the first ``nms_pre`` (a sort is faster
than ``topk`` on a GPU). On a CPU, sorting the 138 k anchor scores of the
paper's stride-4 RPN at 288 x 512 takes about 12 ms on two threads,
``topk`` of 300 of them under 1 ms. :func:`topk_predict_by_feat_single` is
that method with ``topk``; the ONNX Runtime backend installs it on the RPN
head (an instance attribute, as the head graphs), the PyTorch path keeps
mmdet's. The rest (box decoding, NMS by ``_bbox_post_process``) is the
head's own code.

**Ties.** ``topk`` and ``sort`` give the same candidates in the same order
only when the kept scores are all different and the last kept score is
above the first dropped one. Among equal scores each orders the indices
its own way, and ``torch.sort`` is not even stable on more than about a
thousand elements. Equal scores are common: a sigmoid rounds every logit
above about 17 to 1.0 in float32. So when the ``nms_pre + 1`` best scores
hold a tie, :func:`select_top` falls back to mmdet's full ``sort`` and
keeps its candidates, in its order. Before this fallback the backend kept
other proposals than PyTorch on frames with ties, which moved the study's
AP^r by 0.135 on one seed (docs/deployment.md).
"""
import copy
from typing import List, Optional, Tuple

import torch
from mmengine.structures import InstanceData
from torch import Tensor


def select_top(score: Tensor, k: int) -> Tuple[Tensor, Tensor]:
    """The ``k`` best of the 1-d ``score``, as mmdet's RPN picks them.

    ``score.sort(descending=True)`` cut at ``k`` (mmdet's code), computed
    with ``topk`` when that gives the same result: the ``k`` best scores
    all differ, and the ``k``-th is above the ``(k + 1)``-th. Otherwise
    (a tie that ``topk`` and ``sort`` may order differently) the full sort.

    Args:
        score (Tensor): ``(n, )`` scores, ``0 < k < n``.
        k (int): How many to keep.

    Returns:
        tuple[Tensor, Tensor]: The kept scores (descending) and their
        indices into ``score``.
    """
    vals, inds = score.topk(k + 1)
    if bool((vals[:-1] > vals[1:]).all()):
        return vals[:k], inds[:k]
    vals, inds = score.sort(descending=True)
    return vals[:k], inds[:k]


def topk_predict_by_feat_single(head,
                                cls_score_list: List[Tensor],
                                bbox_pred_list: List[Tensor],
                                score_factor_list: List[Tensor],
                                mlvl_priors: List[Tensor],
                                img_meta: dict,
                                cfg: Optional[dict] = None,
                                rescale: bool = False,
                                with_nms: bool = True) -> InstanceData:
    """One image's proposals from the RPN outputs, ``topk`` per level.

    Arguments and result as mmdet's ``RPNHead._predict_by_feat_single``
    (``head`` is the RPN head; ``score_factor_list`` and ``with_nms`` are
    unused there too): per level the anchors' scores (sigmoid, or softmax
    without the background column), the ``cfg.nms_pre`` best with their
    deltas and anchors, then decoding and the head's ``_bbox_post_process``
    (size filter, NMS, ``max_per_img``).
    """
    cfg = copy.deepcopy(head.test_cfg if cfg is None else cfg)
    nms_pre = cfg.get('nms_pre', -1)
    reg_dim = head.bbox_coder.encode_size
    deltas, priors, scores, levels = [], [], [], []
    for level, (cls, reg, prior) in enumerate(
            zip(cls_score_list, bbox_pred_list, mlvl_priors)):
        reg = reg.permute(1, 2, 0).reshape(-1, reg_dim)
        cls = cls.permute(1, 2, 0).reshape(-1, head.cls_out_channels)
        score = cls.sigmoid() if head.use_sigmoid_cls else \
            cls.softmax(-1)[:, :-1]
        score = score.reshape(-1)
        if 0 < nms_pre < score.numel():
            score, keep = select_top(score, nms_pre)
            reg, prior = reg[keep], prior[keep]
        deltas.append(reg)
        priors.append(prior)
        scores.append(score)
        levels.append(torch.full_like(score, level, dtype=torch.long))
    results = InstanceData()
    results.bboxes = head.bbox_coder.decode(
        torch.cat(priors), torch.cat(deltas), max_shape=img_meta['img_shape'])
    results.scores = torch.cat(scores)
    results.level_ids = torch.cat(levels)
    return head._bbox_post_process(
        results=results, cfg=cfg, rescale=rescale, img_meta=img_meta)


class TopkProposals:
    """Bound :func:`topk_predict_by_feat_single` for one RPN head."""

    def __init__(self, head) -> None:
        self.head = head

    def __call__(self, *args, **kwargs) -> InstanceData:
        return topk_predict_by_feat_single(self.head, *args, **kwargs)
