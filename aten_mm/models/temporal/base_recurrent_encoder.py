"""Shared driver of the recurrent temporal encoders (paper Eq. 4)."""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import DepthwiseSeparableConvModule
from mmengine.model import BaseModule
from torch import Tensor

INIT_STATES = ('zeros', 'mean')
GATE_ACTS = ('sigmoid', 'hard_sigmoid')


def build_gate_conv(in_channels: int, out_channels: int, kernel_size: int,
                    bias: bool, depthwise: bool) -> nn.Module:
    """A 'same'-padded k x k conv, plain or depthwise-separable.

    ``depthwise=True`` gives mmcv's ``DepthwiseSeparableConvModule`` without
    norm or activation: ``W_pw * (W_dw (*)_groups x + b_dw) + b_pw`` (both
    biases present iff ``bias``), i.e. a per-channel k x k conv followed by
    a 1 x 1 conv.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Odd kernel size.
        bias (bool): Whether the conv(s) have a bias.
        depthwise (bool): Depthwise-separable instead of a dense conv.

    Returns:
        nn.Module: The conv, (N, in, H, W) -> (N, out, H, W).
    """
    if depthwise:
        return DepthwiseSeparableConvModule(
            in_channels, out_channels, kernel_size,
            padding=kernel_size // 2, act_cfg=None, bias=bias)
    return nn.Conv2d(in_channels, out_channels, kernel_size,
                     padding=kernel_size // 2, bias=bias)


def gate_activation(name: str):
    """The gate nonlinearity sigma of Eq. (5).

    ``'sigmoid'``: 1 / (1 + exp(-x)); ``'hard_sigmoid'``: PyTorch's
    ``hardsigmoid``, clamp(x / 6 + 1 / 2, 0, 1).
    """
    if name == 'sigmoid':
        return torch.sigmoid
    if name == 'hard_sigmoid':
        return F.hardsigmoid
    raise ValueError(f'gate_act must be one of {GATE_ACTS}, got {name!r}')


class BaseConvRNNCell(nn.Module):
    """Shared part of the conv-recurrent cells (paper Eq. 5 and ConvLSTM).

    Holds the gate nonlinearity sigma, the input-to-hidden conv ``conv_x``
    (C_in -> ``num_gates`` C_h, with bias) whose output channels are the
    per-gate input terms ``x_t * w_x. + b_.`` of all gates, so that the
    encoder can compute them for every step at once, and the
    hidden-to-hidden convs (no bias) named in ``hidden_convs``, built in
    that order. Subclasses set ``num_gates`` and ``hidden_convs`` and
    implement ``step``; ``init_state`` / ``hidden`` default to a state
    that is h itself.

    Args:
        in_channels (int): Input channels C_in.
        hidden_channels (int): State channels C_h.
        kernel_size (int): Conv kernel. Defaults to 3.
        gate_act (str): ``'sigmoid'`` or ``'hard_sigmoid'`` for sigma.
            Defaults to 'sigmoid'.
        depthwise (bool): Depthwise-separable convs. Defaults to False.
    """

    num_gates: int = 1
    #: hidden-to-hidden convs: attribute name -> output channels in units
    #: of C_h (each C_h -> n C_h, k x k, no bias)
    hidden_convs: Dict[str, int] = {}

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int,
                 kernel_size: int = 3,
                 gate_act: str = 'sigmoid',
                 depthwise: bool = False) -> None:
        super().__init__()
        self.hidden_channels = hidden_channels
        self.gate_act = gate_act
        self.sigma = gate_activation(gate_act)
        self.conv_x = build_gate_conv(in_channels,
                                      self.num_gates * hidden_channels,
                                      kernel_size, True, depthwise)
        for name, gates in self.hidden_convs.items():
            setattr(self, name,
                    build_gate_conv(hidden_channels, gates * hidden_channels,
                                    kernel_size, False, depthwise))

    def input_conv(self, x: Tensor) -> Tensor:
        """Input-to-hidden convs.

        Args:
            x (Tensor): (B, C_in, H, W) inputs.

        Returns:
            Tensor: (B, num_gates * C_h, H, W) per-gate input terms.
        """
        return self.conv_x(x)

    def init_state(self, h0: Tensor):
        """The state is h itself: (N, C_h, H, W)."""
        return h0

    def hidden(self, state) -> Tensor:
        """The hidden state h (N, C_h, H, W) of ``state``."""
        return state

    def step(self, x_proj: Tensor, state):
        """One recurrent step from ``input_conv(x_t)`` and the state."""
        raise NotImplementedError


class BaseRecurrentEncoder(BaseModule):
    """Runs a conv-recurrent cell over ``[F(k-p->k), ..., F(k-1->k), F(k)]``.

    The encoder of paper Eq. (4): the inputs are fed in list order (key
    last) and the last hidden state is the encoded key feature. Subclasses
    set ``cell_cls``, a :class:`BaseConvRNNCell` (``input_conv(x)``,
    ``init_state(h0)``, ``step(x_proj, state)``, ``hidden(state)``), built
    as ``self.cell`` at C_hidden -> C_hidden channels.

    Faithful mode (``bottleneck_channels=None``, ``downsample=1``)::

        out = h_T,   h_T = cell(x_1 ... x_T)            (x_t = F_t)

    Efficient mode (issue 10; either option set)::

        x_t = proj_in(avg_pool_d(F_t))       proj_in: 1x1 conv C -> b
                                              (identity without bottleneck)
        out = F_k + up_d(proj_out(h_T))      proj_out: 1x1 conv b -> C,
                                              zero-initialised, so a fresh
                                              encoder returns F_k exactly
                                              up_d: bilinear resize to
                                              (H, W), align_corners=False

    ``avg_pool_d`` is a d x d average pool with stride d (``ceil_mode``,
    partial border windows average their valid pixels).

    Args:
        in_channels (int): Channels C of the features. Defaults to 256.
        kernel_size (int): Kernel of the recurrent convs. Defaults to 3.
        init_state (str): Initial hidden state h_0: ``'zeros'`` or
            ``'mean'`` (the mean of the T inputs x_t). Defaults to 'zeros'.
        gate_act (str): ``'sigmoid'`` or ``'hard_sigmoid'`` for the gate
            nonlinearity sigma. Defaults to 'sigmoid'.
        bottleneck_channels (int, optional): Run the cell at b channels
            (efficient mode). Defaults to None.
        downsample (int): Run the cell on a d-times average-pooled copy
            (efficient mode when > 1; 1, 2 or 4 typical). Defaults to 1.
        depthwise (bool): Depthwise-separable recurrent convs (see
            :func:`build_gate_conv`). Defaults to False.
        batched_input_conv (bool): Compute the input-to-hidden convs of all
            T steps in one conv over the stacked inputs (exact, the same
            ops; faster) instead of one conv per step. Defaults to True.
        init_cfg (dict | list[dict], optional): mmengine init config.
    """

    cell_cls: Optional[type] = None

    def __init__(self,
                 in_channels: int = 256,
                 kernel_size: int = 3,
                 init_state: str = 'zeros',
                 gate_act: str = 'sigmoid',
                 bottleneck_channels: Optional[int] = None,
                 downsample: int = 1,
                 depthwise: bool = False,
                 batched_input_conv: bool = True,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        name = type(self).__name__
        if init_state not in INIT_STATES:
            raise ValueError(f'{name}: init_state must be one of '
                             f'{INIT_STATES}, got {init_state!r}')
        if kernel_size % 2 != 1:
            raise ValueError(
                f'{name}: kernel_size must be odd, got {kernel_size}')
        if int(downsample) != downsample or downsample < 1:
            raise ValueError(f'{name}: downsample must be an integer >= 1, '
                             f'got {downsample}')
        if bottleneck_channels is not None and bottleneck_channels < 1:
            raise ValueError(f'{name}: bottleneck_channels must be >= 1 or '
                             f'None, got {bottleneck_channels}')
        self.in_channels = in_channels
        self.kernel_size = kernel_size
        self.init_state = init_state
        self.bottleneck_channels = bottleneck_channels
        self.downsample = int(downsample)
        self.depthwise = depthwise
        self.batched_input_conv = batched_input_conv
        self.hidden_channels = bottleneck_channels or in_channels
        self.residual = bottleneck_channels is not None or downsample > 1
        self.proj_in = (nn.Conv2d(in_channels, bottleneck_channels, 1)
                        if bottleneck_channels is not None else None)
        self.proj_out = (nn.Conv2d(self.hidden_channels, in_channels, 1)
                         if self.residual else None)
        self._zero_proj_out()
        if self.cell_cls is None:
            raise TypeError(f'{name} must set cell_cls (a BaseConvRNNCell)')
        self.cell = self.cell_cls(self.hidden_channels, self.hidden_channels,
                                  kernel_size, gate_act, depthwise)

    def _zero_proj_out(self) -> None:
        if self.proj_out is not None:
            nn.init.zeros_(self.proj_out.weight)
            nn.init.zeros_(self.proj_out.bias)

    def init_weights(self) -> None:
        """mmengine init; ``proj_out`` stays zero (residual starts at F_k)."""
        super().init_weights()
        self._zero_proj_out()

    def _check_inputs(self, feats: Sequence[Tensor]) -> None:
        name = type(self).__name__
        if not isinstance(feats, (list, tuple)) or len(feats) == 0:
            raise ValueError(f'{name}: expected a non-empty list of '
                             f'(N, C, H, W) features, got {type(feats)}')
        shape = feats[0].shape
        for i, f in enumerate(feats):
            if f.dim() != 4 or f.shape != shape:
                raise ValueError(
                    f'{name}: all features must share one (N, C, H, W) '
                    f'shape; feats[0] is {tuple(shape)}, feats[{i}] is '
                    f'{tuple(f.shape)}')
        if shape[1] != self.in_channels:
            raise ValueError(f'{name}: expected {self.in_channels} channels '
                             f'(in_channels), got {shape[1]}')

    def encoder_inputs(self, feats: Sequence[Tensor]) -> Tensor:
        """The cell inputs x_t stacked: (T, N, C_hidden, h, w)."""
        x = torch.stack(list(feats), dim=0)
        t, n = x.shape[:2]
        x = x.flatten(0, 1)
        if self.downsample > 1:
            x = F.avg_pool2d(x, self.downsample, ceil_mode=True)
        if self.proj_in is not None:
            x = self.proj_in(x)
        return x.view(t, n, *x.shape[1:])

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        """Encode ``feats`` (key last) into the key's feature (Eq. 4).

        Args:
            feats (list[Tensor]): T features (N, C, H, W), the warped
                references furthest first and the key feature last.

        Returns:
            Tensor: (N, C, H, W) encoded key feature.
        """
        self._check_inputs(feats)
        xs = self.encoder_inputs(feats)
        steps = xs.shape[0]
        if self.batched_input_conv:
            proj = self.cell.input_conv(xs.flatten(0, 1))
            proj = proj.view(steps, -1, *proj.shape[1:])
        else:
            proj = [self.cell.input_conv(xs[t]) for t in range(steps)]
        if self.init_state == 'mean':
            h0 = xs.mean(dim=0)
        else:
            h0 = xs.new_zeros(xs.shape[1:])
        state = self.cell.init_state(h0)
        for t in range(steps):
            state = self.cell.step(proj[t], state)
        h = self.cell.hidden(state)
        if not self.residual:
            return h
        key = feats[-1]
        delta = self.proj_out(h)
        if delta.shape[2:] != key.shape[2:]:
            delta = F.interpolate(delta, size=key.shape[2:],
                                  mode='bilinear', align_corners=False)
        return key + delta
