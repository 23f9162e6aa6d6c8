"""Proposal selection with ``topk`` instead of a full sort (deployment).

mmdet's ``RPNHead._predict_by_feat_single`` ranks every anchor's score
with a full ``sort`` and keeps the first ``nms_pre`` (a sort is faster
than ``topk`` on a GPU). On a CPU, sorting the 138 k anchor scores of the
paper's stride-4 RPN at 288 x 512 takes about 25 ms, ``topk`` of 300 of
them under 1 ms, for the same candidates in the same order (both give the
scores in descending order). :func:`topk_predict_by_feat_single` is that
method with ``topk``; the ONNX Runtime backend installs it on the RPN
head (an instance attribute, as the head graphs), the PyTorch path keeps
mmdet's. The rest (box decoding, NMS by ``_bbox_post_process``) is the
head's own code.
"""
import copy
from typing import List, Optional

import torch
from mmengine.structures import InstanceData
from torch import Tensor


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
            score, keep = score.topk(nms_pre)
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
