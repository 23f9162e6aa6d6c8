"""DeepLabV3+ as a neck: N_feat's head that yields F (paper §4.3, §4.5).

The paper's feature network N_feat is a ResNet with a DeepLabV3+ head whose
output, a 256-channel map at stride 4, is the feature F that is warped,
encoded by the ConvGRU (Eq. 3-6) and fed to Parsing R-CNN. mmseg's
DeepLabV3+ ends in a classifier; here the same ASPP + decoder stops at the
fused stride-4 feature, so it can be a detector neck.
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule, DepthwiseSeparableConvModule
from mmengine.model import BaseModule
from mmseg.models.decode_heads.aspp_head import ASPPModule
from mmseg.models.decode_heads.sep_aspp_head import (
    DepthwiseSeparableASPPModule,
)
from mmseg.models.utils import resize
from torch import Tensor

from aten_mm.registry import MODELS

#: Output strides the ASPP rates can be scaled to (rates are given at 16).
_RATE_STRIDE = 16


@MODELS.register_module()
class VideoDeepLabV3Plus(BaseModule):
    """ASPP + DeepLabV3+ decoder → one 256-ch stride-4 feature (§4.5).

    ``x_high = inputs[in_index[1]]`` (stride ``output_stride``) goes through
    ASPP: a 1×1 conv, three 3×3 atrous convs and an image-pooling branch,
    concatenated and projected by a 1×1 conv to ``channels``. The result is
    upsampled (bilinear) to the stride-4 low-level feature
    ``x_low = inputs[in_index[0]]``, concatenated with a 1×1 projection of
    ``x_low`` to ``low_level_channels`` (48 in DeepLabV3+) and fused by two
    3×3 convs into ``out_channels``.

    Atrous rates are given at output stride 16 (DeepLabV3+: 6, 12, 18) and
    scaled by ``16 / output_stride`` (12, 24, 36 at output stride 8).

    Training with one image per batch (paper: batch size 1): the pooled
    branch is a ``(N, C, 1, 1)`` map, on which batch norm cannot train with
    ``N = 1``; it therefore uses ``pool_norm_cfg`` (no norm by default;
    GroupNorm also works) instead of ``norm_cfg``.

    Args:
        in_channels (int): Channels of the high-level (ASPP) input.
        low_level_in_channels (int): Channels of the stride-4 input.
        in_index (Sequence[int]): Indices of (low-level, high-level) maps in
            the backbone's output tuple. Defaults to ``(0, 3)``.
        channels (int): ASPP branch channels. Defaults to 256.
        low_level_channels (int): Projection width of the low-level feature.
            Defaults to 48.
        out_channels (int): Output channels. Defaults to 256.
        dilations (Sequence[int]): ASPP rates at output stride 16 (1 means
            the 1×1 branch). Defaults to ``(1, 6, 12, 18)``.
        output_stride (int): Stride of the high-level input: 8, 16 or 32.
            Defaults to 16.
        separable (bool): Depthwise-separable atrous and decoder convs (as
            mmseg's DeepLabV3+); plain convs otherwise. Defaults to False.
        dropout_ratio (float): Dropout after the ASPP projection.
            Defaults to 0.
        conv_cfg (dict, optional): Conv config. Defaults to None.
        norm_cfg (dict, optional): Norm of all convs except the pooled
            branch. Defaults to ``dict(type='BN')``.
        pool_norm_cfg (dict, optional): Norm of the pooled branch.
            Defaults to None (conv with bias).
        act_cfg (dict): Activation config. Defaults to ``dict(type='ReLU')``.
        align_corners (bool): For the bilinear upsampling.
            Defaults to False.
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 low_level_in_channels: int,
                 in_index: Sequence[int] = (0, 3),
                 channels: int = 256,
                 low_level_channels: int = 48,
                 out_channels: int = 256,
                 dilations: Sequence[int] = (1, 6, 12, 18),
                 output_stride: int = 16,
                 separable: bool = False,
                 dropout_ratio: float = 0.,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 pool_norm_cfg: Optional[dict] = None,
                 act_cfg: dict = dict(type='ReLU'),
                 align_corners: bool = False,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(in_index) != 2:
            raise ValueError('in_index must be (low_level_index, '
                             f'high_level_index), got {in_index}')
        if output_stride not in (8, 16, 32):
            raise ValueError(
                f'output_stride must be 8, 16 or 32, got {output_stride}')
        self.in_index = tuple(in_index)
        self.output_stride = output_stride
        self.align_corners = align_corners
        self.out_channels = out_channels
        self.dilations = self.scale_rates(dilations, output_stride)

        self.image_pool = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            ConvModule(
                in_channels, channels, 1, conv_cfg=conv_cfg,
                norm_cfg=pool_norm_cfg, act_cfg=act_cfg))
        aspp_type = DepthwiseSeparableASPPModule if separable else ASPPModule
        self.aspp_modules = aspp_type(
            dilations=self.dilations, in_channels=in_channels,
            channels=channels, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
            act_cfg=act_cfg)
        self.aspp_project = ConvModule(
            (len(self.dilations) + 1) * channels, channels, 1,
            conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.dropout = (nn.Dropout2d(dropout_ratio)
                        if dropout_ratio > 0 else nn.Identity())
        self.low_level_project = ConvModule(
            low_level_in_channels, low_level_channels, 1, conv_cfg=conv_cfg,
            norm_cfg=norm_cfg, act_cfg=act_cfg)
        if separable:
            fuse_kw = dict(norm_cfg=norm_cfg, act_cfg=act_cfg)
            self.decoder = nn.Sequential(
                DepthwiseSeparableConvModule(
                    channels + low_level_channels, out_channels, 3,
                    padding=1, **fuse_kw),
                DepthwiseSeparableConvModule(
                    out_channels, out_channels, 3, padding=1, **fuse_kw))
        else:
            fuse_kw = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                           act_cfg=act_cfg)
            self.decoder = nn.Sequential(
                ConvModule(channels + low_level_channels, out_channels, 3,
                           padding=1, **fuse_kw),
                ConvModule(out_channels, out_channels, 3, padding=1,
                           **fuse_kw))

    @staticmethod
    def scale_rates(dilations: Sequence[int],
                    output_stride: int) -> Tuple[int, ...]:
        """Scale atrous rates given at output stride 16 to ``output_stride``.

        Args:
            dilations (Sequence[int]): Rates at output stride 16.
            output_stride (int): Target output stride.

        Returns:
            tuple[int]: The scaled rates (a rate of 1 stays 1).
        """
        scaled = []
        for d in dilations:
            if d == 1:
                scaled.append(1)
                continue
            r = d * _RATE_STRIDE / output_stride
            if r != int(r) or r < 1:
                raise ValueError(
                    f'ASPP rate {d} (at output stride 16) cannot be scaled '
                    f'to output stride {output_stride}')
            scaled.append(int(r))
        return tuple(scaled)

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        """Fuse the backbone's low- and high-level maps.

        Args:
            inputs (Sequence[Tensor]): Backbone outputs; ``inputs[i]`` is
                ``(N, C_i, H_i, W_i)``; the low-level one is at stride 4,
                the high-level one at ``output_stride``.

        Returns:
            Tensor: ``(N, out_channels, H_low, W_low)``, stride 4.
        """
        if len(inputs) <= max(self.in_index):
            raise ValueError(
                f'{type(self).__name__}: in_index={self.in_index} but the '
                f'backbone gives {len(inputs)} feature maps')
        x_low = inputs[self.in_index[0]]
        x_high = inputs[self.in_index[1]]
        ratio = self.output_stride // 4
        expected = [-(-s // ratio) for s in x_low.shape[-2:]]
        if list(x_high.shape[-2:]) != expected:
            raise ValueError(
                f'{type(self).__name__}: high-level input of size '
                f'{tuple(x_high.shape[-2:])} does not match output_stride='
                f'{self.output_stride} for the stride-4 input of size '
                f'{tuple(x_low.shape[-2:])} (expected {tuple(expected)}); '
                'check the backbone strides/dilations and in_index')
        pooled = resize(
            self.image_pool(x_high), size=x_high.shape[2:],
            mode='bilinear', align_corners=self.align_corners)
        aspp = torch.cat([pooled] + self.aspp_modules(x_high), dim=1)
        aspp = self.dropout(self.aspp_project(aspp))
        aspp = resize(aspp, size=x_low.shape[2:], mode='bilinear',
                      align_corners=self.align_corners)
        low = self.low_level_project(x_low)
        return self.decoder(torch.cat([aspp, low], dim=1))
