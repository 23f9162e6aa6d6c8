"""FlowNet-Simple with the scale-field head (paper §4.2, §4.5)."""
import math
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from aten_mm.registry import MODELS

# (name, channel multiplier of base_channels, kernel, stride) of the encoder
ENCODER_ARCH = (
    ('conv1', 1, 7, 2),
    ('conv2', 2, 5, 2),
    ('conv3', 4, 5, 2),
    ('conv3_1', 4, 3, 1),
    ('conv4', 8, 3, 2),
    ('conv4_1', 8, 3, 1),
    ('conv5', 8, 3, 2),
    ('conv5_1', 8, 3, 1),
    ('conv6', 16, 3, 2),
    ('conv6_1', 16, 3, 1),
)
# Decoder levels, coarse to fine: (level, encoder feature of that level,
# channel multiplier of deconv{level}, which brings level + 1 to this level).
# Level 6 reads conv6_1 alone; level l < 6 reads
# cat(feature, deconv{l}(concat_{l+1}), upsampled_flow{l+1}_to_{l}(flow)).
DECODER_ARCH = (
    (6, 'conv6_1', None),
    (5, 'conv5_1', 8),
    (4, 'conv4_1', 4),
    (3, 'conv3_1', 2),
    (2, 'conv2', 1),
)
# Default FlowNet input normalisation: Caffe FlowNet's mean (0.411, 0.432,
# 0.450) in BGR order, written here in RGB order, on the 0..255 scale.
FLOWNET_MEAN_RGB = (0.450 * 255, 0.432 * 255, 0.411 * 255)


class ScaleFieldHead(nn.Module):
    """The scale field S: a 1x1 conv with zero weights and frozen unit bias.

    Paper §4.2: "an additional 1x1 convolution layer attached to the top
    feature of the flow network. The weights ... are initialized with zeros.
    The biases are initialized with ones and frozen during train phase."
    The bias is a parameter with ``requires_grad=False`` and is also detached
    in ``forward``, so no optimiser (or a later ``requires_grad_(True)``)
    changes it. The class is deliberately not an ``nn.Conv2d`` so that
    mmengine ``init_cfg``s that target ``Conv2d`` layers leave it alone;
    :meth:`init_weights` restores the paper's initialisation.

    Args:
        in_channels (int): Channels of the decoder feature.
        out_channels (int): Channels of the scale field (= feature channels).
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.weight = nn.Parameter(torch.zeros(out_channels, in_channels, 1,
                                               1))
        self.bias = nn.Parameter(torch.ones(out_channels),
                                 requires_grad=False)

    def init_weights(self) -> None:
        """Weights 0 and bias 1: the scale field starts exactly at 1."""
        with torch.no_grad():
            self.weight.zero_()
            self.bias.fill_(1.0)
        self.bias.requires_grad_(False)

    def forward(self, x: Tensor) -> Tensor:
        """(N, in_channels, h, w) -> scale field (N, out_channels, h, w)."""
        return F.conv2d(x, self.weight, self.bias.detach())


@MODELS.register_module()
class FlowNetS(BaseModule):
    """FlowNet-Simple (Dosovitskiy et al. 2015) + the ATEN scale field.

    The flow function F and the scale field S of paper Eq. (3), (6) (§4.2,
    §4.5). Encoder: conv1 7x7/2 (64), conv2 5x5/2 (128), conv3 5x5/2 (256),
    conv3_1 (256), conv4 /2 (512), conv4_1, conv5 /2 (512), conv5_1,
    conv6 /2 (1024), conv6_1 (1024), LeakyReLU 0.1 (channels scale with
    ``base_channels``). Decoder: the FlowNet refinement (``predict_flow6``
    ... ``predict_flow2``, ``deconv5`` ... ``deconv2``,
    ``upsampled_flow6_to_5`` ... ``upsampled_flow3_to_2``, concatenation of
    skip feature, deconvolved feature and upsampled flow). The scale field
    is a 1x1 conv (:class:`ScaleFieldHead`) on the stride-4 concatenated
    feature that ``predict_flow2`` reads.

    Input: the two frames as produced by the data preprocessor (RGB,
    normalised by ``data_mean`` / ``data_std``). They are mapped back to
    0..255 and re-normalised the FlowNet way, ``(rgb - flow_mean) /
    flow_std``, optionally reversed to BGR (``to_bgr``) for weights trained
    on BGR input, concatenated as ``[cur, ref]`` (6 channels), optionally
    resized by ``input_scale`` and zero-padded bottom/right to a multiple
    of ``pad_divisor`` (64: every level aligns); the outputs are cropped
    back.

    Flow units: FlowNet predicts at every level the flow divided by
    ``flow_div`` (20 in FlowNet) in pixels of the network's input image.
    The returned flow is converted to pixels of the feature grid of stride
    ``feat_stride`` of the un-resized frames::

        flow_x = raw_x * flow_div / (sx * feat_stride)
        flow_y = raw_y * flow_div / (sy * feat_stride)

    where ``sx, sy`` are the actual resize factors (``input_scale`` up to
    rounding of the resized size). With ``input_scale != 1`` or
    ``feat_stride != 4`` the stride-4 map of the network is resized
    (bilinear) to the ``ceil(H / feat_stride) x ceil(W / feat_stride)``
    grid; with the defaults it is only cropped (exact).

    Direction: FlowNet's flow goes from its first input to its second, so
    ``forward(cur, ref)`` returns, for every position ``p`` of ``cur``'s
    grid, ``p + flow(p)`` = the corresponding position in ``ref``; hence
    ``flow_warp(F_ref, flow) * scale`` is ``F_ref`` aligned to ``cur``.

    Args:
        scale_channels (int): Channels of the scale field (= channels of the
            warped features). 0 disables the head (``scale`` is None).
            Defaults to 256.
        flow_div (float): The divisor of the raw network output. Defaults to
            20.0.
        feat_stride (int): Stride of the feature grid the flow is returned
            in. Defaults to 4.
        input_scale (float): Resize factor of the frames before the network
            (issue 10: 0.5 runs FlowNet on half-resolution frames).
            Defaults to 1.0.
        data_mean (Sequence[float], optional): RGB mean the preprocessor
            subtracted (0..255 scale). None: the input is already in
            0..255 RGB. Defaults to the ImageNet mean.
        data_std (Sequence[float], optional): RGB std the preprocessor
            divided by. Defaults to the ImageNet std.
        flow_mean (Sequence[float] | str): FlowNet's RGB mean on the
            0..255 scale, or ``'pair'`` for the per-channel mean of the
            image pair (flownet2-pytorch). Defaults to
            :data:`FLOWNET_MEAN_RGB`.
        flow_std (Sequence[float] | float): FlowNet's std on the 0..255
            scale. Defaults to 255 (images in 0..1).
        to_bgr (bool): Reverse the channel order after normalisation.
            Defaults to False.
        base_channels (int): Channels of conv1; the others scale with it
            (64 is FlowNet-S; small values make tiny test models).
            Defaults to 64.
        pad_divisor (int): Internal padding multiple. Defaults to 64.
        norm_cfg (dict, optional): Norm layer of the encoder convs
            (FlowNetS-BN checkpoints). Defaults to None.
        act_cfg (dict): Activation. Defaults to LeakyReLU(0.1).
        init_cfg (dict | list[dict], optional): mmengine init config.
            Defaults to Kaiming (a=0.1, leaky_relu, fan_in) on convs and
            deconvs, as FlowNet; the scale head always keeps its own init.
    """

    def __init__(self,
                 scale_channels: int = 256,
                 flow_div: float = 20.0,
                 feat_stride: int = 4,
                 input_scale: float = 1.0,
                 data_mean: Optional[Sequence[float]] = (123.675, 116.28,
                                                         103.53),
                 data_std: Optional[Sequence[float]] = (58.395, 57.12,
                                                        57.375),
                 flow_mean: Union[Sequence[float], str] = FLOWNET_MEAN_RGB,
                 flow_std: Union[Sequence[float], float] = 255.0,
                 to_bgr: bool = False,
                 base_channels: int = 64,
                 pad_divisor: int = 64,
                 norm_cfg: Optional[dict] = None,
                 act_cfg: dict = dict(type='LeakyReLU', negative_slope=0.1),
                 init_cfg: Optional[Union[dict, List[dict]]] = dict(
                     type='Kaiming',
                     layer=['Conv2d', 'ConvTranspose2d'],
                     a=0.1,
                     mode='fan_in',
                     nonlinearity='leaky_relu',
                     bias=0)) -> None:
        super().__init__(init_cfg=init_cfg)
        if input_scale <= 0:
            raise ValueError(
                f'FlowNetS: input_scale must be > 0, got {input_scale}')
        if feat_stride <= 0 or pad_divisor % 64 != 0:
            raise ValueError(
                'FlowNetS: feat_stride must be > 0 and pad_divisor a '
                f'multiple of 64, got {feat_stride} and {pad_divisor}')
        if isinstance(flow_mean, str) and flow_mean != 'pair':
            raise ValueError("FlowNetS: flow_mean must be 3 numbers or "
                             f"'pair', got {flow_mean!r}")
        self.scale_channels = scale_channels
        self.flow_div = float(flow_div)
        self.feat_stride = feat_stride
        self.input_scale = float(input_scale)
        self.to_bgr = to_bgr
        self.pad_divisor = pad_divisor
        self.base_channels = base_channels
        self.pair_mean = flow_mean == 'pair'

        # Affine map preprocessor output -> FlowNet input: x * a + b.
        d_mean = torch.zeros(3) if data_mean is None else torch.tensor(
            data_mean, dtype=torch.float32)
        d_std = torch.ones(3) if data_std is None else torch.tensor(
            data_std, dtype=torch.float32)
        f_mean = torch.zeros(3) if self.pair_mean else torch.tensor(
            flow_mean, dtype=torch.float32)
        f_std = torch.tensor(flow_std, dtype=torch.float32)
        if f_std.dim() == 0:
            f_std = f_std.repeat(3)
        for name, t in (('data_mean', d_mean), ('data_std', d_std),
                        ('flow_mean', f_mean), ('flow_std', f_std)):
            if t.shape != (3, ):
                raise ValueError(
                    f'FlowNetS: {name} must have 3 values (RGB), got '
                    f'{t.tolist()}')
        self.register_buffer('_in_mul', (d_std / f_std).view(1, 3, 1, 1),
                             persistent=False)
        self.register_buffer('_in_add',
                             ((d_mean - f_mean) / f_std).view(1, 3, 1, 1),
                             persistent=False)

        b = base_channels
        in_ch = 6
        self.encoder_names = []
        for name, mult, kernel, stride in ENCODER_ARCH:
            self.add_module(
                name,
                ConvModule(in_ch, mult * b, kernel, stride=stride,
                           padding=kernel // 2, norm_cfg=norm_cfg,
                           act_cfg=act_cfg))
            self.encoder_names.append(name)
            in_ch = mult * b
        out_ch = {name: mult * b for name, mult, _, _ in ENCODER_ARCH}

        feat_ch = 0
        for level, skip, deconv_mult in DECODER_ARCH:
            if deconv_mult is None:
                feat_ch = out_ch[skip]
            else:
                self.add_module(
                    f'deconv{level}',
                    ConvModule(feat_ch, deconv_mult * b, 4, stride=2,
                               padding=1, conv_cfg=dict(type='deconv'),
                               act_cfg=act_cfg))
                self.add_module(
                    f'upsampled_flow{level + 1}_to_{level}',
                    nn.ConvTranspose2d(2, 2, 4, 2, 1, bias=False))
                feat_ch = out_ch[skip] + deconv_mult * b + 2
            self.add_module(f'predict_flow{level}',
                            nn.Conv2d(feat_ch, 2, 3, padding=1))
        self.decoder_channels = feat_ch  # the stride-4 concat feature
        if scale_channels > 0:
            self.scale_head = ScaleFieldHead(feat_ch, scale_channels)
        else:
            self.scale_head = None

    def init_weights(self) -> None:
        """mmengine init, then the scale field's own (weights 0, bias 1)."""
        super().init_weights()
        if self.scale_head is not None:
            self.scale_head.init_weights()

    def normalize(self, img: Tensor) -> Tensor:
        """Preprocessor output (N, 3, H, W) -> FlowNet input (N, 3, H, W)."""
        return img * self._in_mul + self._in_add

    def _prepare(self, cur: Tensor, ref: Tensor) -> Tensor:
        """Normalise, concatenate ``[cur, ref]`` and resize: (N, 6, h, w)."""
        cur = self.normalize(cur)
        ref = self.normalize(ref)
        if self.pair_mean:
            pair = torch.stack((cur, ref), dim=0)
            mean = pair.mean(dim=(0, 3, 4), keepdim=True)[0]
            cur = cur - mean
            ref = ref - mean
        if self.to_bgr:
            cur = cur.flip(1)
            ref = ref.flip(1)
        x = torch.cat((cur, ref), dim=1)
        if self.input_scale != 1.0:
            h, w = x.shape[2:]
            size = (max(1, round(h * self.input_scale)),
                    max(1, round(w * self.input_scale)))
            x = F.interpolate(x, size=size, mode='bilinear',
                              align_corners=False)
        return x

    def forward_raw(self, x: Tensor) -> Tuple[List[Tensor], Tensor]:
        """Run FlowNet-S on a 6-channel input padded to ``pad_divisor``.

        Args:
            x (Tensor): (N, 6, H, W), H and W multiples of 64.

        Returns:
            tuple: ``flows``: the raw predictions [flow6, ..., flow2], each
            (N, 2, H / 2**level, W / 2**level) in units of ``flow_div``
            input pixels; ``feat``: the stride-4 concat feature
            (N, decoder_channels, H / 4, W / 4).
        """
        skips = {}
        for name in self.encoder_names:
            x = getattr(self, name)(x)
            skips[name] = x
        feat = flow = None
        flows = []
        for level, skip, deconv_mult in DECODER_ARCH:
            if deconv_mult is None:
                feat = skips[skip]
            else:
                up_feat = getattr(self, f'deconv{level}')(feat)
                up_flow = getattr(
                    self, f'upsampled_flow{level + 1}_to_{level}')(flow)
                feat = torch.cat((skips[skip], up_feat, up_flow), dim=1)
            flow = getattr(self, f'predict_flow{level}')(feat)
            flows.append(flow)
        return flows, feat

    def forward(self, cur: Tensor,
                ref: Tensor) -> Tuple[Tensor, Optional[Tensor]]:
        """Flow and scale field from ``cur`` to ``ref`` (Eq. 3, 6).

        Args:
            cur (Tensor): (N, 3, H, W) preprocessed frame whose grid the
                outputs live on (the target frame I_i, e.g. the key frame
                in Eq. 3 or a non-key frame in Eq. 2).
            ref (Tensor): (N, 3, H, W) preprocessed reference frame I_j.

        Returns:
            tuple[Tensor, Tensor | None]:

            - flow (N, 2, ceil(H / s), ceil(W / s)) with s = feat_stride:
              pixels of that grid, channel 0 = x, 1 = y, mapping positions
              of ``cur`` to positions in ``ref``.
            - scale (N, scale_channels, ceil(H / s), ceil(W / s)), or None
              when ``scale_channels == 0``.
        """
        if cur.dim() != 4 or cur.shape != ref.shape or cur.size(1) != 3:
            raise ValueError(
                'FlowNetS: cur and ref must both be (N, 3, H, W), got '
                f'{tuple(cur.shape)} and {tuple(ref.shape)}')
        h, w = cur.shape[2:]
        x = self._prepare(cur, ref)
        hs, ws = x.shape[2:]
        d = self.pad_divisor
        hp, wp = math.ceil(hs / d) * d, math.ceil(ws / d) * d
        if (hp, wp) != (hs, ws):
            x = F.pad(x, (0, wp - ws, 0, hp - hs))
        flows, feat = self.forward_raw(x)
        valid = (math.ceil(hs / 4), math.ceil(ws / 4))
        raw = flows[-1][:, :, :valid[0], :valid[1]]
        scale = None
        if self.scale_head is not None:
            scale = self.scale_head(feat[:, :, :valid[0], :valid[1]])
        out_size = (math.ceil(h / self.feat_stride),
                    math.ceil(w / self.feat_stride))
        if valid != out_size:
            raw = F.interpolate(raw, size=out_size, mode='bilinear',
                                align_corners=False)
            if scale is not None:
                scale = F.interpolate(scale, size=out_size,
                                      mode='bilinear', align_corners=False)
        factor = raw.new_tensor([
            self.flow_div / (ws / w * self.feat_stride),
            self.flow_div / (hs / h * self.feat_stride)
        ]).view(1, 2, 1, 1)
        return raw * factor, scale
