"""FlowNet-Simple with the scale-field head (paper §4.2, §4.5)."""
import logging
import math
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.logging import print_log
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

# The input conventions of the FlowNet-S weights we know (issue 13 §3):
# ``mean`` is subtracted from the RGB image on the 0..255 scale (RGB order),
# the result is divided by ``std``; ``pair_mean`` then removes the
# per-channel mean of the two frames; ``bgr`` reverses the channel order
# last. Checked against the sources' code:
# - aten: ours (what tools/train.py configs/flownet/... learns with);
# - mmflow: ``preprocess_cfg=dict(mean=[0, 0, 0], std=[255] * 3,
#   to_rgb=False)`` on mmcv's BGR images: BGR / 255, no mean;
# - mmtracking: ``FlowNetSimple(flow_img_norm_mean=[0.411, 0.432, 0.450],
#   flow_img_norm_std=[255] * 3)`` applied to the RGB images of its DFF /
#   FGFA configs (``to_rgb=True``): RGB / 255 - (0.411, 0.432, 0.450);
# - flownet2-pytorch: ``FlowNet2S.forward``: ``(x - rgb_mean) / 255`` with
#   ``rgb_mean`` the per-channel mean of the pair, on RGB (its convert.py
#   flips conv1's input channels of the BGR Caffe weights);
# - FlowNetPytorch (ClementPinard, same key names as flownet2-pytorch but
#   no deconv / predictor biases): RGB / 255 - (0.45, 0.432, 0.411).
INPUT_CONVENTIONS = {
    'aten': dict(mean=FLOWNET_MEAN_RGB, std=255.0, pair_mean=False,
                 bgr=False),
    'mmflow': dict(mean=(0.0, 0.0, 0.0), std=255.0, pair_mean=False,
                   bgr=True),
    'mmtracking': dict(mean=(0.411 * 255, 0.432 * 255, 0.450 * 255),
                       std=255.0, pair_mean=False, bgr=False),
    'flownet2-pytorch': dict(mean=(0.0, 0.0, 0.0), std=255.0,
                             pair_mean=True, bgr=False),
    'flownetpytorch': dict(mean=FLOWNET_MEAN_RGB, std=255.0,
                           pair_mean=False, bgr=False),
}
# The state-dict entries that carry the input convention with the weights.
INPUT_BUFFERS = ('input_mean', 'input_std', 'input_pair_mean', 'input_bgr')
UNTRAINED_WARNING = (
    'FlowNetS starts from random weights (no init_cfg=dict('
    "type='Pretrained', checkpoint=...)): its flow warps features to "
    'arbitrary places until it has learned. Pretrain it with '
    '`python tools/train.py configs/flownet/flownet-s_tiny_synthetic.py` '
    '(or convert public weights with '
    'tools/model_converters/flownets_to_aten.py) and set '
    "model.motion.init_cfg=dict(type='Pretrained', checkpoint=...); see "
    'docs/flow.md.')


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

    The input convention (``flow_mean``, ``flow_std``, ``'pair'`` mean,
    ``to_bgr``) belongs to the weights: it is kept in the state dict as the
    buffers ``input_mean``, ``input_std``, ``input_pair_mean`` and
    ``input_bgr`` (:data:`INPUT_BUFFERS`), so loading a checkpoint (ours,
    or one converted by ``tools/model_converters/flownets_to_aten.py``,
    which writes the source's convention, :data:`INPUT_CONVENTIONS`)
    restores it; the constructor arguments only set it for untrained
    weights. A checkpoint without these entries keeps the configured one.

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
        pad_divisor (int): Internal padding multiple. 64 (FlowNet's):
            every level of the 6-level encoder halves exactly. A smaller
            multiple of 4 pads less (144 rows stay 144 with 16, instead of
            192): the encoder's odd levels round up, and each decoder level
            crops its upsampled feature and flow to the skip feature's
            size. Defaults to 64.
        norm_cfg (dict, optional): Norm layer of the encoder convs
            (FlowNetS-BN checkpoints). Defaults to None.
        act_cfg (dict): Activation. Defaults to LeakyReLU(0.1).
        warn_untrained (bool): Log one warning at :meth:`init_weights`
            when the weights start random (no ``Pretrained`` init_cfg):
            right for the ``motion`` of a video model, off for flow
            pretraining itself. Defaults to True.
        init_cfg (dict | list[dict], optional): mmengine init config.
            Defaults to Kaiming (a=0.1, leaky_relu, fan_in) on convs and
            deconvs, as FlowNet; the scale head always keeps its own init.
            ``dict(type='Pretrained', checkpoint=PATH, prefix=None)`` loads
            FlowNet-S weights through the project's safe loader
            (:meth:`load_pretrained`), with their input convention.
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
                 warn_untrained: bool = True,
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
        if feat_stride <= 0 or pad_divisor <= 0 or pad_divisor % 4 != 0:
            raise ValueError(
                'FlowNetS: feat_stride must be > 0 and pad_divisor a '
                f'positive multiple of 4, got {feat_stride} and '
                f'{pad_divisor}')
        if isinstance(flow_mean, str) and flow_mean != 'pair':
            raise ValueError("FlowNetS: flow_mean must be 3 numbers or "
                             f"'pair', got {flow_mean!r}")
        self.scale_channels = scale_channels
        self.flow_div = float(flow_div)
        self.feat_stride = feat_stride
        self.input_scale = float(input_scale)
        self.pad_divisor = pad_divisor
        self.base_channels = base_channels
        self.warn_untrained = warn_untrained
        pair_mean = flow_mean == 'pair'

        # Affine map preprocessor output -> FlowNet input: x * a + b.
        d_mean = torch.zeros(3) if data_mean is None else torch.tensor(
            data_mean, dtype=torch.float32)
        d_std = torch.ones(3) if data_std is None else torch.tensor(
            data_std, dtype=torch.float32)
        f_mean = torch.zeros(3) if pair_mean else torch.tensor(
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
        # preprocessor output -> 0..255 RGB: x * data_std + data_mean
        self.register_buffer('_data_std', d_std.view(1, 3, 1, 1),
                             persistent=False)
        self.register_buffer('_data_mean', d_mean.view(1, 3, 1, 1),
                             persistent=False)
        # the weights' own convention, saved with them
        self.register_buffer('input_mean', f_mean)
        self.register_buffer('input_std', f_std)
        self.register_buffer('input_pair_mean', torch.tensor(pair_mean))
        self.register_buffer('input_bgr', torch.tensor(bool(to_bgr)))

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

    # -- initialisation and checkpoints -----------------------------------
    def _pretrained_cfg(self) -> Optional[dict]:
        """The ``Pretrained`` entry of ``init_cfg`` (None when absent)."""
        cfgs = self.init_cfg if isinstance(self.init_cfg, list) else [
            self.init_cfg]
        found = [c for c in cfgs
                 if isinstance(c, dict) and c.get('type') == 'Pretrained']
        if len(found) > 1:
            raise ValueError('FlowNetS: init_cfg has more than one '
                             "'Pretrained' entry")
        return dict(found[0]) if found else None

    def init_weights(self) -> None:
        """Initialise: random (FlowNet's Kaiming) or from a checkpoint.

        With ``init_cfg=dict(type='Pretrained', checkpoint=PATH,
        prefix=None)`` the weights and their input convention are loaded
        by :meth:`load_pretrained`; otherwise mmengine's init runs and, if
        ``warn_untrained``, one warning says that the flow is untrained.
        The scale field always starts at its paper init unless the
        checkpoint holds one of the same shape.
        """
        pretrained = self._pretrained_cfg()
        if pretrained is None:
            super().init_weights()
            if self.scale_head is not None:
                self.scale_head.init_weights()
            if self.warn_untrained:
                print_log(UNTRAINED_WARNING, logger='current',
                          level=logging.WARNING)
            return
        unknown = set(pretrained) - {'type', 'checkpoint', 'prefix',
                                     'map_location'}
        if unknown or not pretrained.get('checkpoint'):
            raise ValueError(
                "FlowNetS: init_cfg=dict(type='Pretrained') takes "
                "'checkpoint' (required), 'prefix' and 'map_location', got "
                f'{sorted(pretrained)}')
        if self.scale_head is not None:
            self.scale_head.init_weights()
        self.load_pretrained(pretrained['checkpoint'],
                             prefix=pretrained.get('prefix'),
                             map_location=pretrained.get('map_location',
                                                         'cpu'))
        self._is_init = True

    def load_pretrained(self, filename: str, prefix: Optional[str] = None,
                        map_location: str = 'cpu') -> Dict[str, object]:
        """Load FlowNet-S weights and their input convention.

        The file is read with :func:`aten_mm.utils.checkpoint.
        safe_torch_load` (``weights_only``). Accepted: a flow-pretraining
        checkpoint of ``configs/flownet`` (keys ``motion.*``), a video
        model's checkpoint (``motion.*`` too), a converted public FlowNet-S
        (``flownets_to_aten.py``, bare keys) or any dict with our key names
        under one prefix. The input convention comes from the state dict's
        ``input_*`` entries, else from ``meta['flownet_input']`` (written
        by the converter), else the configured one is kept (logged).

        Args:
            filename (str): Checkpoint path or URL.
            prefix (str, optional): Prefix of the FlowNet-S keys, e.g.
                ``'motion.'``. None: found from the key ``conv1.conv.weight``
                (must be unique).
            map_location (str): As in :func:`torch.load`.

        Returns:
            dict: ``prefix``, ``convention`` (``'checkpoint'``, ``'meta'``
            or ``'config'``) and ``scale_head`` (loaded or not).

        Raises:
            ValueError: No FlowNet-S weights under the prefix, or weights
                that do not fit this model (missing keys, other shapes).
        """
        from aten_mm.utils.checkpoint import safe_torch_load
        ckpt = safe_torch_load(filename, map_location=map_location)
        state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) \
            else None
        if not isinstance(state, dict):
            raise ValueError(f'{filename}: expected a checkpoint dict with '
                             f"'state_dict', got {type(ckpt).__name__}")
        state = {k[len('module.'):] if k.startswith('module.') else k: v
                 for k, v in state.items()}
        if prefix is None:
            sig = 'conv1.conv.weight'
            found = [k[:-len(sig)] for k in state
                     if k == sig or k.endswith('.' + sig)]
            if len(found) != 1:
                raise ValueError(
                    f'{filename}: cannot tell where the FlowNet-S weights '
                    f'are (keys ending in {sig!r}: {found or "none"}); set '
                    "init_cfg prefix, e.g. 'motion.'")
            prefix = found[0]
        own = {k[len(prefix):]: v for k, v in state.items()
               if k.startswith(prefix)}
        if not own:
            raise ValueError(f'{filename}: no key starts with prefix '
                             f'{prefix!r}')
        model_state = self.state_dict()
        optional = set(INPUT_BUFFERS) | {
            k for k in model_state if k.startswith('scale_head.')}
        missing = sorted(k for k in model_state
                         if k not in own and k not in optional)
        wrong = sorted(
            f'{k}: {tuple(v.shape)} vs {tuple(model_state[k].shape)}'
            for k, v in own.items()
            if k in model_state and k not in optional
            and tuple(v.shape) != tuple(model_state[k].shape))
        if missing or wrong:
            raise ValueError(
                f'{filename} (prefix {prefix!r}) does not fit this FlowNetS '
                f'(base_channels={self.base_channels}): missing '
                f'{missing[:6]}, other shapes {wrong[:6]}')
        scale_ok = self.scale_head is not None and all(
            k in own and own[k].shape == model_state[k].shape
            for k in model_state if k.startswith('scale_head.'))
        load = {k: v for k, v in own.items() if k in model_state and (
            not k.startswith('scale_head.') or scale_ok)}
        self.load_state_dict(load, strict=False)
        if all(k in own for k in INPUT_BUFFERS):
            source = 'checkpoint'
        elif isinstance(ckpt.get('meta'), dict) and \
                'flownet_input' in ckpt['meta']:
            self.set_input_convention(**ckpt['meta']['flownet_input'])
            source = 'meta'
        else:
            source = 'config'
        print_log(
            f'FlowNetS: loaded {len(load)} tensors from {filename} '
            f'(prefix {prefix!r}); input convention from {source}: '
            f'{self.input_convention()}; scale field '
            f'{"from the checkpoint" if scale_ok else "at its paper init"}',
            logger='current', level=logging.INFO)
        return dict(prefix=prefix, convention=source, scale_head=scale_ok)

    def input_convention(self) -> Dict[str, object]:
        """The input normalisation of the weights, as plain Python values.

        Returns:
            dict: ``mean`` (3 floats, RGB on 0..255), ``std`` (3 floats),
            ``pair_mean`` (bool), ``bgr`` (bool): the keyword arguments of
            :meth:`set_input_convention` (and the values of
            :data:`INPUT_CONVENTIONS`).
        """
        return dict(mean=[round(float(v), 4) for v in self.input_mean],
                    std=[round(float(v), 4) for v in self.input_std],
                    pair_mean=bool(self.input_pair_mean),
                    bgr=bool(self.input_bgr))

    def set_input_convention(self, mean: Sequence[float],
                             std: Union[Sequence[float], float],
                             pair_mean: bool, bgr: bool) -> None:
        """Set the input normalisation (see :data:`INPUT_CONVENTIONS`)."""
        std = [float(std)] * 3 if isinstance(std, (int, float)) else std
        if len(mean) != 3 or len(std) != 3:
            raise ValueError('FlowNetS: mean and std need 3 values, got '
                             f'{mean} and {std}')
        with torch.no_grad():
            self.input_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
            self.input_std.copy_(torch.as_tensor(std, dtype=torch.float32))
            self.input_pair_mean.fill_(bool(pair_mean))
            self.input_bgr.fill_(bool(bgr))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata,
                              strict, missing_keys, unexpected_keys,
                              error_msgs) -> None:
        """Load; a checkpoint without ``input_*`` keeps the configured ones.

        Checkpoints written before the convention was stored lack these
        entries; they are then not reported as missing.
        """
        absent = [prefix + n for n in INPUT_BUFFERS
                  if prefix + n not in state_dict]
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)
        for key in absent:
            if key in missing_keys:
                missing_keys.remove(key)

    # -- forward ------------------------------------------------------------
    def extra_repr(self) -> str:
        """The settings that change the computation but hold no tensor
        (printed, and part of an exported graph's fingerprint)."""
        return (f'input_scale={self.input_scale}, '
                f'pad_divisor={self.pad_divisor}, '
                f'feat_stride={self.feat_stride}, flow_div={self.flow_div}')

    def normalize(self, img: Tensor) -> Tensor:
        """Preprocessor output (N, 3, H, W) -> FlowNet input (N, 3, H, W).

        ``(img * data_std + data_mean - input_mean) / input_std`` (RGB).
        """
        rgb = img * self._data_std + self._data_mean
        return (rgb - self.input_mean.view(1, 3, 1, 1)) / \
            self.input_std.view(1, 3, 1, 1)

    def _prepare(self, cur: Tensor, ref: Tensor) -> Tensor:
        """Normalise, concatenate ``[cur, ref]`` and resize: (N, 6, h, w)."""
        cur = self.normalize(cur)
        ref = self.normalize(ref)
        if bool(self.input_pair_mean):
            pair = torch.stack((cur, ref), dim=0)
            mean = pair.mean(dim=(0, 3, 4), keepdim=True)[0]
            cur = cur - mean
            ref = ref - mean
        if bool(self.input_bgr):
            cur = cur.flip(1)
            ref = ref.flip(1)
        x = torch.cat((cur, ref), dim=1)
        if self.input_scale != 1.0:
            # Python ints (also while tracing for ONNX: a fixed size)
            h, w = (int(v) for v in x.shape[2:])
            size = (max(1, round(h * self.input_scale)),
                    max(1, round(w * self.input_scale)))
            x = F.interpolate(x, size=size, mode='bilinear',
                              align_corners=False)
        return x

    def forward_raw(self, x: Tensor) -> Tuple[List[Tensor], Tensor]:
        """Run FlowNet-S on a 6-channel input padded to ``pad_divisor``.

        Args:
            x (Tensor): (N, 6, H, W), H and W multiples of
                ``pad_divisor``.

        Returns:
            tuple: ``flows``: the raw predictions [flow6, ..., flow2], each
            (N, 2, ceil(H / 2**level), ceil(W / 2**level)) in units of
            ``flow_div`` input pixels; ``feat``: the stride-4 concat
            feature (N, decoder_channels, H / 4, W / 4).
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
                # with pad_divisor < 64 a level may have rounded up: the
                # 2x upsampled maps are then one row/column larger (Python
                # ints, also while tracing)
                h, w = (int(v) for v in skips[skip].shape[2:])
                feat = torch.cat((skips[skip], up_feat[:, :, :h, :w],
                                  up_flow[:, :, :h, :w]), dim=1)
            flow = getattr(self, f'predict_flow{level}')(feat)
            flows.append(flow)
        return flows, feat


    def pyramid(self, cur: Tensor,
                ref: Tensor) -> Tuple[List[Tensor], Tensor, Tuple[int, int]]:
        """All decoder levels on the padded network input (for training).

        Args:
            cur (Tensor): (N, 3, H, W) preprocessed frame (flow lives on
                its grid).
            ref (Tensor): (N, 3, H, W) preprocessed reference frame.

        Returns:
            tuple: ``flows`` [flow6, ..., flow2], level ``l`` of shape
            (N, 2, Hp / 2**l, Wp / 2**l) with (Hp, Wp) the network input
            (resized by ``input_scale``) padded to ``pad_divisor``; values
            in pixels of that input grid divided by ``flow_div`` at every
            level (FlowNet's convention: only the sampling grid gets
            coarser); ``feat`` the stride-4 feature; ``(hs, ws)`` the
            un-padded network input size.
        """
        if cur.dim() != 4 or cur.shape != ref.shape or cur.size(1) != 3:
            raise ValueError(
                'FlowNetS: cur and ref must both be (N, 3, H, W), got '
                f'{tuple(cur.shape)} and {tuple(ref.shape)}')
        x = self._prepare(cur, ref)
        hs, ws = x.shape[2:]
        d = self.pad_divisor
        hp, wp = math.ceil(hs / d) * d, math.ceil(ws / d) * d
        if (hp, wp) != (hs, ws):
            x = F.pad(x, (0, wp - ws, 0, hp - hs))
        flows, feat = self.forward_raw(x)
        return flows, feat, (hs, ws)

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
        h, w = cur.shape[2:]
        flows, feat, (hs, ws) = self.pyramid(cur, ref)
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

    def predict_dense(self, cur: Tensor, ref: Tensor) -> Tensor:
        """Full-resolution flow in pixels of the frames (for evaluation).

        The stride-4 prediction (``predict_flow2``), bilinearly upsampled
        to the frame size as FlowNet does at test time.

        Args:
            cur (Tensor): (N, 3, H, W) preprocessed frame.
            ref (Tensor): (N, 3, H, W) preprocessed reference frame.

        Returns:
            Tensor: (N, 2, H, W) flow in pixels of the (un-resized) frames,
            mapping positions of ``cur`` to positions in ``ref``.
        """
        h, w = cur.shape[2:]
        flows, _, (hs, ws) = self.pyramid(cur, ref)
        raw = flows[-1][:, :, :math.ceil(hs / 4), :math.ceil(ws / 4)]
        # the stride-4 cells cover ceil(hs / 4) * 4 input pixels: upsample
        # that extent, then crop to the input and resize to the frame
        up = F.interpolate(raw, scale_factor=4, mode='bilinear',
                           align_corners=False)[:, :, :hs, :ws]
        if (hs, ws) != (h, w):
            up = F.interpolate(up, size=(h, w), mode='bilinear',
                               align_corners=False)
        factor = up.new_tensor([self.flow_div * w / ws,
                                self.flow_div * h / hs]).view(1, 2, 1, 1)
        return up * factor
