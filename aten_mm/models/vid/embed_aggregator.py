"""Adaptive weighting of FGFA (Zhu et al., ICCV 2017), the Table 1 baseline.
"""
from typing import Sequence

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor, nn

from aten_mm.registry import MODELS


@MODELS.register_module()
class EmbedAggregator(BaseModule):
    """Cosine-similarity weighted aggregation of aligned features.

    A small embedding network (1×1, 3×3, 1×1 convolutions with ReLU between)
    maps every feature to an embedding; the weight of frame j at pixel p is
    ``softmax_j(cos(e_j(p), e_t(p)))`` over the frames, and the aggregated
    feature is ``Σ_j w_j ⊙ F_{j→t}`` (FGFA, Eq. 2-4 of its paper).

    Args:
        in_channels (int): Feature channels C. Defaults to 256.
        channels (Sequence[int]): Output channels of the three convs.
            Defaults to ``(128, 128, 512)``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 256,
                 channels: Sequence[int] = (128, 128, 512),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(channels) != 3:
            raise ValueError('EmbedAggregator: channels must list the 3 '
                             f'conv widths (1x1, 3x3, 1x1), got {channels}')
        c1, c2, c3 = channels
        self.embed = nn.Sequential(
            ConvModule(in_channels, c1, 1),
            ConvModule(c1, c2, 3, padding=1),
            ConvModule(c2, c3, 1, act_cfg=None))

    def weights(self, target: Tensor, feats: Tensor) -> Tensor:
        """Per-pixel aggregation weights.

        Args:
            target (Tensor): ``(1, C, h, w)`` target feature F_t.
            feats (Tensor): ``(M, C, h, w)`` features aligned to t.

        Returns:
            Tensor: ``(M, 1, h, w)``, summing to 1 over the M frames.
        """
        e_t = F.normalize(self.embed(target), dim=1)
        e = F.normalize(self.embed(feats), dim=1)
        cos = (e * e_t).sum(dim=1, keepdim=True)
        return torch.softmax(cos, dim=0)

    def forward(self, target: Tensor, feats: Tensor) -> Tensor:
        """Aggregate ``feats`` (``(M, C, h, w)``) for ``target``.

        Returns:
            Tensor: ``(1, C, h, w)``.
        """
        return (self.weights(target, feats) * feats).sum(0, keepdim=True)
