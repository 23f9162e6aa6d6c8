"""The global human parsing branch of Parsing R-CNN (paper §4.3, Fig. 5).

"We apply multi-rate atrous convolution on F to predict semantic
fine-grained part segmentation, like DeepLab": three parallel 3×3 atrous
convs (rates 6, 12, 18) on the stride-4 feature, summed into the class
logits; trained with softmax cross-entropy, L_parsing of Eq. (7).
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.structures import PixelData
from torch import Tensor

from aten_mm.registry import MODELS


@MODELS.register_module()
class GlobalParsingHead(BaseModule):
    """Atrous multi-rate part classifier, L_parsing of Eq. (7) (§4.3).

    ``logits = sum_r conv3x3_r(F)`` over the rates ``r`` (each conv has its
    own bias), at the stride of ``F`` (4). For the loss the logits are
    upsampled (bilinear) to the padded input size and compared with
    ``gt_sem_seg.sem_seg``; for prediction they are cropped to the image
    (``img_shape``) and resized to ``ori_shape``.

    Args:
        in_channels (int): Channels of ``F``. Defaults to 256.
        num_classes (int): Part classes including background (VIP: 20).
            Defaults to 20.
        dilations (Sequence[int]): Atrous rates. Defaults to (6, 12, 18).
        ignore_index (int): Label ignored by the loss. Defaults to 255.
        loss_weight (float): Weight of ``loss_parsing``. Defaults to 1.0.
        class_weight (Sequence[float], optional): Per-class weights of the
            cross-entropy (``num_classes`` values; the loss is then the
            weighted mean over the valid pixels, as ``F.cross_entropy``).
            Defaults to None (the paper's plain softmax cross-entropy).
        align_corners (bool): For the bilinear resizes. Defaults to False.
        init_cfg (dict or list[dict], optional): Initialisation config.
            Defaults to normal init with std 0.01 and zero bias.
    """

    def __init__(self,
                 in_channels: int = 256,
                 num_classes: int = 20,
                 dilations: Sequence[int] = (6, 12, 18),
                 ignore_index: int = 255,
                 loss_weight: float = 1.0,
                 class_weight: Optional[Sequence[float]] = None,
                 align_corners: bool = False,
                 init_cfg=dict(type='Normal', std=0.01, layer='Conv2d',
                               bias=0)) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_classes < 2:
            raise ValueError(f'num_classes must be >= 2, got {num_classes}')
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.loss_weight = loss_weight
        if class_weight is not None:
            class_weight = [float(w) for w in class_weight]
            if len(class_weight) != num_classes or min(class_weight) < 0:
                raise ValueError(
                    f'class_weight must hold {num_classes} weights >= 0, '
                    f'got {class_weight}')
            class_weight = torch.tensor(class_weight)
        # a buffer: moves with the module, not saved in checkpoints
        self.register_buffer('class_weight', class_weight, persistent=False)
        self.align_corners = align_corners
        self.convs = nn.ModuleList(
            nn.Conv2d(in_channels, num_classes, 3, padding=d, dilation=d)
            for d in dilations)

    def forward(self, feat: Tensor) -> Tensor:
        """Class logits.

        Args:
            feat (Tensor): ``(N, C, H/4, W/4)`` feature F.

        Returns:
            Tensor: ``(N, num_classes, H/4, W/4)`` logits.
        """
        return sum(conv(feat) for conv in self.convs)

    @staticmethod
    def _input_size(feat: Tensor, data_samples) -> Tuple[int, int]:
        """Padded network input size ``(Hp, Wp)`` of the batch."""
        if data_samples and 'batch_input_shape' in data_samples[0]:
            return tuple(data_samples[0].batch_input_shape)
        return feat.shape[-2] * 4, feat.shape[-1] * 4

    def loss(self, feat: Tensor, data_samples: list) -> dict:
        """Softmax cross-entropy over the valid pixels, L_parsing (Eq. 7).

        Args:
            feat (Tensor): ``(N, C, H/4, W/4)`` feature F.
            data_samples (list[DetDataSample]): With ``gt_sem_seg.sem_seg``
                ``(1, H, W)`` long (255 = ignore) at the padded input size
                (smaller maps are padded with ``ignore_index``).

        Returns:
            dict[str, Tensor]: ``loss_parsing``, the mean over non-ignored
            pixels times ``loss_weight`` (0 when every pixel is ignored).
        """
        logits = self(feat)
        size = self._input_size(feat, data_samples)
        logits = F.interpolate(logits, size=size, mode='bilinear',
                               align_corners=self.align_corners)
        targets = []
        for i, sample in enumerate(data_samples):
            if 'gt_sem_seg' not in sample:
                raise ValueError(
                    f'GlobalParsingHead.loss: data sample {i} has no '
                    'gt_sem_seg (expected PixelData(sem_seg=(1, H, W)))')
            seg = sample.gt_sem_seg.sem_seg.to(logits.device).long()
            seg = seg.reshape(seg.shape[-2:])
            h, w = seg.shape
            if h > size[0] or w > size[1]:
                raise ValueError(
                    f'gt_sem_seg of sample {i} is {h}x{w}, larger than '
                    f'the padded input {size[0]}x{size[1]}')
            seg = F.pad(seg, (0, size[1] - w, 0, size[0] - h),
                        value=self.ignore_index)
            targets.append(seg)
        target = torch.stack(targets)
        valid = target != self.ignore_index
        if valid.any():
            bad = target[valid]
            if bad.min() < 0 or bad.max() >= self.num_classes:
                raise ValueError(
                    'gt_sem_seg holds labels outside [0, '
                    f'{self.num_classes - 1}] and != {self.ignore_index}: '
                    f'{sorted(set(bad.unique().tolist()))}')
            loss = F.cross_entropy(logits, target, weight=self.class_weight,
                                   ignore_index=self.ignore_index)
        else:
            loss = logits.sum() * 0.
        return dict(loss_parsing=loss * self.loss_weight)

    def predict(self,
                feat: Tensor,
                data_samples: list,
                rescale: bool = True,
                logits: Optional[Tensor] = None) -> List[PixelData]:
        """Part map and per-pixel max probability per image.

        Args:
            feat (Tensor): ``(N, C, H/4, W/4)`` feature F.
            data_samples (list[DetDataSample]): Meta with ``img_shape``,
                ``ori_shape`` and ``batch_input_shape``.
            rescale (bool): Resize to ``ori_shape``; otherwise keep the
                (unpadded) ``img_shape``. Defaults to True.
            logits (Tensor, optional): ``(N, num_classes, H/4, W/4)``
                logits computed elsewhere (a video parser's propagated
                head maps); the convs are then not run on ``feat``.

        Returns:
            list[PixelData]: Per image, ``sem_seg`` ``(1, H0, W0)`` long and
            ``max_prob`` ``(1, H0, W0)`` float (softmax maximum).
        """
        if logits is None:
            logits = self(feat)
        logits = F.interpolate(
            logits, size=self._input_size(feat, data_samples),
            mode='bilinear', align_corners=self.align_corners)
        results = []
        for i, sample in enumerate(data_samples):
            h, w = sample.img_shape[:2]
            one = logits[i:i + 1, :, :h, :w]
            if rescale:
                out_size: Optional[tuple] = tuple(sample.ori_shape[:2])
                if out_size != (h, w):
                    one = F.interpolate(one, size=out_size, mode='bilinear',
                                        align_corners=self.align_corners)
            prob, label = one.softmax(dim=1).max(dim=1)
            results.append(PixelData(sem_seg=label, max_prob=prob))
        return results
