"""Parsing R-CNN: Mask R-CNN plus a global parsing branch (paper §4.3).

Fig. 5 of the paper: on one feature map F (256 channels, stride 4) an
instance branch (RPN, RoIAlign, box and mask heads, person class) and a
global parsing branch (:class:`GlobalParsingHead`) run in parallel; their
results are fused into person and part instances. The loss is Eq. (7),
``L = L_parsing + L_cls + L_box + L_mask`` (plus mmdet's RPN terms).

The video models (ATEN, DFF, FGFA) produce F themselves (warped and
encoded), so the heads are exposed on a given feature:
:meth:`ParsingRCNN.loss_from_feat` and :meth:`ParsingRCNN.predict_from_feat`.
"""
from typing import List, Optional, Tuple

import torch
from mmdet.models.detectors import TwoStageDetector
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData
from torch import Tensor

from aten_mm.models.post_processing import fuse_instance_parsing
from aten_mm.registry import MODELS

#: Default post-processing of the original release (docs/vip_protocol.md §7).
_DEFAULT_FUSION = dict(score_thr=0.7, overlap_thr=0.7, person_label=0)


@MODELS.register_module()
class ParsingRCNN(TwoStageDetector):
    """Parsing R-CNN for instance-level human parsing (§4.3, Fig. 5, Eq. 7).

    ``extract_feat`` (backbone + :class:`VideoDeepLabV3Plus` neck) gives ONE
    tensor F ``(N, 256, H/4, W/4)``; the mmdet heads get it as ``(F,)``
    (RPN anchors and RoI extractors on the single stride-4 level).

    ``test_cfg.fusion`` (optional) sets the person/part fusion
    (:func:`fuse_instance_parsing`): ``score_thr`` (0.7), ``overlap_thr``
    (0.7) and ``person_label`` (0, the detector class fused as person).

    Without ``rpn_head``/``roi_head`` the model is a parsing-only network
    (the persons and part instances are then empty).

    Args:
        backbone (dict): Backbone config (a dilated ResNet).
        neck (dict): Neck config returning one tensor
            (:class:`VideoDeepLabV3Plus`).
        parsing_head (dict): :class:`GlobalParsingHead` config.
        rpn_head (dict, optional): RPN head config.
        roi_head (dict, optional): RoI head config (box + mask).
        train_cfg (dict, optional): ``rpn``, ``rpn_proposal``, ``rcnn``.
        test_cfg (dict, optional): ``rpn``, ``rcnn``, ``fusion``.
        data_preprocessor (dict, optional): Data preprocessor config.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 parsing_head: dict,
                 rpn_head: Optional[dict] = None,
                 roi_head: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None) -> None:
        if neck is None:
            raise ValueError('ParsingRCNN needs a neck that returns one '
                             'stride-4 feature (e.g. VideoDeepLabV3Plus)')
        super().__init__(
            backbone=backbone, neck=neck, rpn_head=rpn_head,
            roi_head=roi_head, train_cfg=train_cfg, test_cfg=test_cfg,
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.parsing_head = MODELS.build(parsing_head)
        fusion = dict(_DEFAULT_FUSION)
        if test_cfg is not None and test_cfg.get('fusion') is not None:
            unknown = set(test_cfg['fusion']) - set(_DEFAULT_FUSION)
            if unknown:
                raise ValueError(
                    f'test_cfg.fusion: unknown keys {sorted(unknown)}; '
                    f'expected {sorted(_DEFAULT_FUSION)}')
            fusion.update(test_cfg['fusion'])
        self.fusion_cfg = fusion

    @property
    def with_instances(self) -> bool:
        """bool: Whether the person (RPN + RoI) branch exists."""
        return self.with_rpn and self.with_roi_head

    def extract_feat(self, batch_inputs: Tensor) -> Tensor:
        """Feature F of the feature network N_feat (§4.5).

        Args:
            batch_inputs (Tensor): ``(N, 3, H, W)`` or ``(N, 1, 3, H, W)``
                (a one-frame clip from ``VideoDataPreprocessor``).

        Returns:
            Tensor: ``(N, C, H/4, W/4)``.
        """
        if batch_inputs.dim() == 5:
            if batch_inputs.size(1) != 1:
                raise ValueError(
                    'ParsingRCNN is a per-frame model: expected inputs '
                    '(N, 3, H, W) or (N, 1, 3, H, W), got '
                    f'{tuple(batch_inputs.shape)}; use a video model for '
                    'clips with several frames')
            batch_inputs = batch_inputs[:, 0]
        elif batch_inputs.dim() != 4:
            raise ValueError('ParsingRCNN expects (N, 3, H, W) inputs, got '
                             f'{tuple(batch_inputs.shape)}')
        feat = self.neck(self.backbone(batch_inputs))
        if not isinstance(feat, Tensor):
            raise TypeError(
                'ParsingRCNN: the neck must return one tensor (a single '
                f'stride-4 level), got {type(feat).__name__}')
        return feat

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: List[DetDataSample]) -> dict:
        """Losses of a batch of images (Eq. 7); see :meth:`loss_from_feat`.
        """
        return self.loss_from_feat(
            self.extract_feat(batch_inputs), batch_data_samples)

    def loss_from_feat(self, feat: Tensor,
                       batch_data_samples: List[DetDataSample]) -> dict:
        """Losses on a given feature F (Eq. 7).

        Args:
            feat (Tensor): ``(N, C, H/4, W/4)`` feature F.
            batch_data_samples (list[DetDataSample]): With ``gt_instances``
                (``bboxes``, ``labels``, ``masks``) and ``gt_sem_seg``.

        Returns:
            dict[str, Tensor]: ``loss_parsing``, ``loss_rpn_cls``,
            ``loss_rpn_bbox``, ``loss_cls``, ``acc``, ``loss_bbox``,
            ``loss_mask``.
        """
        losses = dict(self.parsing_head.loss(feat, batch_data_samples))
        if not self.with_instances:
            return losses
        x = (feat, )
        proposal_cfg = self.train_cfg.get('rpn_proposal', self.test_cfg.rpn)
        rpn_losses, rpn_results_list = self.rpn_head.loss_and_predict(
            x, self._rpn_data_samples(batch_data_samples),
            proposal_cfg=proposal_cfg)
        losses.update(rpn_losses)
        losses.update(self.roi_head.loss(
            self._roi_feats(feat), rpn_results_list, batch_data_samples))
        return losses

    @staticmethod
    def _roi_feats(feat: Tensor) -> Tuple[Tensor]:
        """The RoI heads' input: ``feat`` in contiguous NCHW memory.

        mmcv's RoIAlign reads its input's memory as contiguous NCHW
        whatever its strides (mmcv issue 2203), so a channels-last feature
        (a model converted with ``model.to(memory_format=
        torch.channels_last)``, a common CPU speed-up) gave wrong boxes
        and masks without an error. A contiguous ``feat`` is passed as is.
        """
        return (feat.contiguous(), )

    @staticmethod
    def _rpn_data_samples(
            batch_data_samples: List[DetDataSample]) -> List[DetDataSample]:
        """Class-agnostic copies of the ground truth for the RPN.

        Only boxes and labels (set to 0) are copied; the masks, which the
        RPN does not use, are not.
        """
        rpn_samples = []
        for sample in batch_data_samples:
            rpn_sample = DetDataSample(metainfo=sample.metainfo)
            gt = sample.gt_instances
            rpn_sample.gt_instances = InstanceData(
                bboxes=gt.bboxes, labels=torch.zeros_like(gt.labels))
            if 'ignored_instances' in sample:
                rpn_sample.ignored_instances = sample.ignored_instances
            rpn_samples.append(rpn_sample)
        return rpn_samples

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: List[DetDataSample],
                rescale: bool = True) -> List[DetDataSample]:
        """Predict a batch of images; see :meth:`predict_from_feat`."""
        return self.predict_from_feat(
            self.extract_feat(batch_inputs), batch_data_samples,
            rescale=rescale)

    def head_maps(self, feat: Tensor) -> Tensor:
        """The dense outputs of N_parse on F, stacked along channels.

        The global parsing head's logits (``num_classes`` channels) and,
        with the person branch, the RPN's objectness and box-delta maps
        (one level): everything of N_parse that is a dense map on F's grid.
        A video parser warps them from a key frame to its non-key frames
        instead of running the dense heads again (``propagate_heads``,
        Eq. 2 applied to the head outputs) and hands them back to
        :meth:`predict_from_feat`.

        Args:
            feat (Tensor): ``(N, C, h, w)`` feature F.

        Returns:
            Tensor: ``(N, num_classes [+ A·c + 4A], h, w)``.
        """
        maps = [self.parsing_head(feat)]
        if self.with_instances:
            cls_scores, bbox_preds = self.rpn_head((feat, ))
            if len(cls_scores) != 1:
                raise ValueError(
                    'ParsingRCNN.head_maps: the RPN must have one level '
                    f'(the stride-4 F), got {len(cls_scores)}')
            maps += [cls_scores[0], bbox_preds[0]]
        return torch.cat(maps, dim=1)

    def _split_head_maps(self, maps: Tensor) -> Tuple[Tensor, list, list]:
        """Undo :meth:`head_maps`' stacking: parsing logits, RPN maps."""
        k = self.parsing_head.num_classes
        if not self.with_instances:
            n_cls = n_reg = 0
        else:
            n_cls = self.rpn_head.rpn_cls.out_channels
            n_reg = self.rpn_head.rpn_reg.out_channels
        if maps.size(1) != k + n_cls + n_reg:
            raise ValueError(
                f'ParsingRCNN: head maps have {maps.size(1)} channels, '
                f'expected {k} parsing + {n_cls} RPN objectness + {n_reg} '
                'RPN box channels (ParsingRCNN.head_maps)')
        logits, cls, reg = maps.split([k, n_cls, n_reg], dim=1)
        return logits, [cls], [reg]

    def predict_from_feat(self,
                          feat: Tensor,
                          batch_data_samples: List[DetDataSample],
                          rescale: bool = True,
                          head_maps: Optional[Tensor] = None
                          ) -> List[DetDataSample]:
        """Persons, part map and part instances from a given F (Fig. 5).

        Masks are computed only for the detections kept after the box
        head's NMS (``test_cfg.rcnn``); the proposal budget is
        ``test_cfg.rpn.nms_pre`` / ``max_per_img``.

        Args:
            feat (Tensor): ``(N, C, H/4, W/4)`` feature F.
            batch_data_samples (list[DetDataSample]): With the image meta.
            rescale (bool): Results at ``ori_shape`` (else ``img_shape``).
                Defaults to True.
            head_maps (Tensor, optional): The dense head outputs on this
                frame's grid (:meth:`head_maps`, e.g. warped from a key
                frame); the parsing head's convs and the RPN's convs are
                then not run, the RoI heads still read ``feat``.

        Returns:
            list[DetDataSample]: ``batch_data_samples`` filled with
            ``pred_sem_seg`` (``sem_seg`` and ``max_prob``, ``(1, H0, W0)``),
            ``pred_instances`` (fused persons: ``bboxes`` (k, 4),
            ``scores``, ``labels``, ``masks`` bool (k, H0, W0), ids in
            score order) and ``pred_part_instances`` (``masks`` bool
            (m, H0, W0), ``labels`` in 1..num_classes-1, ``scores``,
            ``person_ids`` 1-based).
        """
        logits = rpn_maps = None
        if head_maps is not None:
            if head_maps.shape[0] != feat.shape[0] or \
                    head_maps.shape[-2:] != feat.shape[-2:]:
                raise ValueError(
                    'ParsingRCNN: head maps must be on the feature grid, '
                    f'got {tuple(head_maps.shape)} for a feature of '
                    f'{tuple(feat.shape)}')
            logits, *rpn_maps = self._split_head_maps(head_maps)
        parsings = self.parsing_head.predict(
            feat, batch_data_samples, rescale=rescale, logits=logits)
        if self.with_instances:
            x = (feat, )
            if batch_data_samples[0].get('proposals', None) is not None:
                rpn_results_list = [
                    s.proposals for s in batch_data_samples]
            elif rpn_maps is not None:
                rpn_results_list = self.rpn_head.predict_by_feat(
                    *rpn_maps, batch_img_metas=[
                        s.metainfo for s in batch_data_samples],
                    rescale=False)
            else:
                rpn_results_list = self.rpn_head.predict(
                    x, batch_data_samples, rescale=False)
            det_list = self.roi_head.predict(
                self._roi_feats(feat), rpn_results_list, batch_data_samples,
                rescale=rescale)
        else:
            det_list = [None] * len(batch_data_samples)
        for sample, parsing, dets in zip(batch_data_samples, parsings,
                                         det_list):
            sample.pred_sem_seg = parsing
            persons, parts = self._fuse(dets, parsing)
            sample.pred_instances = persons
            sample.pred_part_instances = parts
        return batch_data_samples

    def _fuse(self, dets: Optional[InstanceData],
              parsing) -> Tuple[InstanceData, InstanceData]:
        """Fuse one image's detections with its part map (§4.3)."""
        part_map = parsing.sem_seg[0]
        h, w = part_map.shape
        device = part_map.device
        if dets is None:
            dets = InstanceData(
                bboxes=torch.zeros((0, 4), device=device),
                scores=torch.zeros((0, ), device=device),
                labels=torch.zeros((0, ), dtype=torch.long, device=device),
                masks=torch.zeros((0, h, w), dtype=torch.bool,
                                  device=device))
        dets = dets[dets.labels == self.fusion_cfg['person_label']]
        fused = fuse_instance_parsing(
            dets.masks.bool(), dets.scores, part_map, parsing.max_prob[0],
            score_thr=self.fusion_cfg['score_thr'],
            overlap_thr=self.fusion_cfg['overlap_thr'],
            num_classes=self.parsing_head.num_classes)
        keep = fused['keep_inds']
        persons = InstanceData(
            bboxes=dets.bboxes[keep], scores=fused['person_scores'],
            labels=dets.labels[keep], masks=fused['person_masks'])
        parts = InstanceData(
            masks=fused['part_masks'], labels=fused['part_labels'],
            scores=fused['part_scores'],
            person_ids=fused['part_person_ids'])
        return persons, parts

    def _forward(self,
                 batch_inputs: Tensor,
                 batch_data_samples: Optional[List[DetDataSample]] = None
                 ) -> tuple:
        """Raw network outputs (no post-processing), for tracing/FLOPs.

        Returns:
            tuple: ``(parsing_logits,)`` followed by the RoI head's raw
            outputs when the person branch exists.
        """
        feat = self.extract_feat(batch_inputs)
        results = (self.parsing_head(feat), )
        if not self.with_instances:
            return results
        x = (feat, )
        rpn_results_list = self.rpn_head.predict(
            x, batch_data_samples, rescale=False)
        return results + (self.roi_head.forward(
            self._roi_feats(feat), rpn_results_list, batch_data_samples), )
