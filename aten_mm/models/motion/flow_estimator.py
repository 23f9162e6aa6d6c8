"""A frame-pair flow model for FlowNet-S pretraining with mmengine."""
import math
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement
from torch import Tensor

from aten_mm.registry import MODELS


@MODELS.register_module()
class FlowEstimator(BaseModel):
    """FlowNet-S trained on frame pairs with ground-truth flow.

    Wraps the ``motion`` network of the video models so that
    ``tools/train.py configs/flownet/...`` pretrains it like any other
    model; the checkpoint's keys are ``motion.*``, which is also where a
    video model keeps its FlowNet-S, so either kind of checkpoint can
    initialise the other (``FlowNetS(init_cfg=dict(type='Pretrained',
    checkpoint=...))``).

    Inputs are pairs ``(N, 2, 3, H, W)`` from ``PackFlowInputs`` through a
    ``VideoDataPreprocessor``: frame 0 is frame ``t``, frame 1 frame
    ``t - 1``; the ground truth is the backward flow of ``t`` (for each
    pixel of ``t``, where its content is in ``t - 1``), which is the
    direction ``FlowNetS.forward(cur=t, ref=t-1)`` predicts.

    Args:
        motion (dict): ``FlowNetS`` config (``scale_channels=0``: the scale
            field is not trained here).
        loss_flow (dict): Multi-scale loss. Defaults to
            ``MultiLevelEPELoss`` with FlowNet's weights.
        person_weight (float): Weight of the EPE on person pixels
            (``gt_person``, known for the annotated frames) relative to
            the other pixels, 1 everywhere by default (FlowNet's loss). The
            video models warp person features, and person pixels are a
            small share of a frame: a larger weight trades background
            accuracy for person accuracy (docs/flow.md, run 4).
        data_preprocessor (dict, optional): Defaults to None.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 motion: dict,
                 loss_flow: dict = dict(type='MultiLevelEPELoss'),
                 person_weight: float = 1.0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.motion = MODELS.build(motion)
        if self.motion.input_scale != 1.0:
            raise ValueError('FlowEstimator: train FlowNet-S with '
                             'input_scale=1 (the ground truth is at frame '
                             f'resolution), got {self.motion.input_scale}')
        self.loss_flow = MODELS.build(loss_flow)
        if not person_weight > 0:
            raise ValueError('FlowEstimator: person_weight must be > 0, got '
                             f'{person_weight}')
        self.person_weight = float(person_weight)
        if self.loss_flow.flow_div != self.motion.flow_div:
            raise ValueError(
                'FlowEstimator: loss_flow.flow_div '
                f'({self.loss_flow.flow_div}) must equal motion.flow_div '
                f'({self.motion.flow_div})')

    @staticmethod
    def _split(inputs: Tensor) -> Tuple[Tensor, Tensor]:
        if inputs.dim() != 5 or inputs.shape[1] != 2:
            raise ValueError('FlowEstimator: inputs must be frame pairs '
                             f'(N, 2, 3, H, W), got {tuple(inputs.shape)}')
        return inputs[:, 0], inputs[:, 1]

    def _gt(self, data_samples: List[BaseDataElement], size) -> tuple:
        """Stack and zero-pad (invalid) the ground truth to ``size``:
        flow, validity and the per-pixel loss weight (None when
        ``person_weight`` is 1)."""
        flows, valids, weights = [], [], []
        for sample in data_samples:
            flow, valid = sample.gt_flow, sample.gt_valid.float()
            h, w = flow.shape[-2:]
            pad = (0, size[1] - w, 0, size[0] - h)
            flows.append(F.pad(flow, pad))
            valids.append(F.pad(valid, pad))
            if self.person_weight != 1.0:
                person = sample.get('gt_person', None)
                weight = torch.ones_like(valid)
                if person is not None:
                    weight[person.bool()] = self.person_weight
                weights.append(F.pad(weight, pad, value=1.0))
        weight = torch.stack(weights) if weights else None
        return torch.stack(flows), torch.stack(valids), weight

    def loss(self, inputs: Tensor,
             data_samples: List[BaseDataElement]) -> Dict[str, Tensor]:
        """Multi-scale EPE loss of a batch of pairs.

        Args:
            inputs (Tensor): (N, 2, 3, H, W) preprocessed pairs.
            data_samples (list[BaseDataElement]): ``gt_flow`` (2, h, w)
                float pixels, ``gt_valid`` (h, w) bool, h <= H, w <= W,
                ``gt_person`` (h, w) bool (read with ``person_weight``).

        Returns:
            dict[str, Tensor]: ``loss_flow`` and per-level ``epe_l*``.
        """
        cur, ref = self._split(inputs)
        flows, _, _ = self.motion.pyramid(cur, ref)
        d = self.motion.pad_divisor
        size = (math.ceil(cur.shape[2] / d) * d,
                math.ceil(cur.shape[3] / d) * d)
        gt, valid, weight = self._gt(data_samples, size)
        if weight is None:
            return self.loss_flow(flows, gt, valid)
        return self.loss_flow(flows, gt, valid, weight=weight)

    def predict(self, inputs: Tensor,
                data_samples: List[BaseDataElement]
                ) -> List[BaseDataElement]:
        """Dense flow at the frames' resolution.

        Returns:
            list[BaseDataElement]: the samples with ``pred_flow``
            (2, h, w) in pixels (cropped to each sample's ``img_shape``).
        """
        cur, ref = self._split(inputs)
        flow = self.motion.predict_dense(cur, ref)
        for i, sample in enumerate(data_samples):
            h, w = sample.metainfo.get('img_shape', flow.shape[-2:])
            sample.pred_flow = flow[i, :, :h, :w]
        return data_samples

    def _forward(self, inputs: Tensor, data_samples=None) -> Tensor:
        """Raw forward: the dense flow (N, 2, H, W)."""
        cur, ref = self._split(inputs)
        return self.motion.predict_dense(cur, ref)

    def forward(self, inputs: Tensor,
                data_samples: Optional[List[BaseDataElement]] = None,
                mode: str = 'tensor') -> Union[Dict, List, Tensor]:
        """mmengine entry: ``'loss'``, ``'predict'`` or ``'tensor'``."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise ValueError(f'FlowEstimator: invalid mode {mode!r}')
