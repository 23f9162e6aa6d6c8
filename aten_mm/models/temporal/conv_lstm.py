"""ConvLSTM temporal encoder: the "ATEN (LSTM)" rows of Tables 1 and 3."""
from typing import List, Optional, Tuple, Union

import torch
import torch.nn as nn
from torch import Tensor

from aten_mm.registry import MODELS

from .base_recurrent_encoder import (
    BaseRecurrentEncoder,
    build_gate_conv,
    gate_activation,
)


class ConvLSTMCell(nn.Module):
    """One convolutional LSTM step (Shi et al. 2015, without peepholes)::

        i_t = sigma(x_t * w_xi + h_{t-1} * w_hi + b_i)
        f_t = sigma(x_t * w_xf + h_{t-1} * w_hf + b_f)
        o_t = sigma(x_t * w_xo + h_{t-1} * w_ho + b_o)
        g_t = tanh(x_t * w_xg + h_{t-1} * w_hg + b_g)
        c_t = f_t . c_{t-1} + i_t . g_t
        h_t = o_t . tanh(c_t)

    ``conv_x`` (C_in -> 4 C_h, bias) and ``conv_h`` (C_h -> 4 C_h, no bias)
    hold the four gates in the order i, f, o, g.

    Args:
        in_channels (int): Input channels C_in.
        hidden_channels (int): State channels C_h.
        kernel_size (int): Conv kernel. Defaults to 3.
        gate_act (str): ``'sigmoid'`` or ``'hard_sigmoid'`` for sigma.
            Defaults to 'sigmoid'.
        depthwise (bool): Depthwise-separable convs. Defaults to False.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int,
                 kernel_size: int = 3,
                 gate_act: str = 'sigmoid',
                 depthwise: bool = False) -> None:
        super().__init__()
        self.hidden_channels = hidden_channels
        self.sigma = gate_activation(gate_act)
        self.conv_x = build_gate_conv(in_channels, 4 * hidden_channels,
                                      kernel_size, True, depthwise)
        self.conv_h = build_gate_conv(hidden_channels, 4 * hidden_channels,
                                      kernel_size, False, depthwise)

    def input_conv(self, x: Tensor) -> Tensor:
        """Input-to-hidden convs: (B, C_in, H, W) -> (B, 4 C_h, H, W)."""
        return self.conv_x(x)

    def init_state(self, h0: Tensor) -> Tuple[Tensor, Tensor]:
        """State (h, c): h = ``h0``, c = 0."""
        return h0, torch.zeros_like(h0)

    def hidden(self, state: Tuple[Tensor, Tensor]) -> Tensor:
        return state[0]

    def step(self, x_proj: Tensor,
             state: Tuple[Tensor, Tensor]) -> Tuple[Tensor, Tensor]:
        """One LSTM step.

        Args:
            x_proj (Tensor): ``input_conv(x_t)`` (N, 4 C_h, H, W).
            state (tuple[Tensor, Tensor]): (h_{t-1}, c_{t-1}), each
                (N, C_h, H, W).

        Returns:
            tuple[Tensor, Tensor]: (h_t, c_t).
        """
        h, c = state
        gi, gf, go, gg = (x_proj + self.conv_h(h)).chunk(4, dim=1)
        c = self.sigma(gf) * c + self.sigma(gi) * torch.tanh(gg)
        h = self.sigma(go) * torch.tanh(c)
        return h, c


@MODELS.register_module()
class ConvLSTMEncoder(BaseRecurrentEncoder):
    """ConvLSTM temporal encoder with the interface of
    :class:`ConvGRUEncoder` (Eq. 4 with a convLSTM): the last hidden state
    over ``[F(k-p->k), ..., F(k-1->k), F_k]``. All options as in
    :class:`BaseRecurrentEncoder`; ``init_state='mean'`` sets h_0 to the
    mean input and c_0 to 0.
    """

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
        super().__init__(
            in_channels=in_channels,
            kernel_size=kernel_size,
            init_state=init_state,
            bottleneck_channels=bottleneck_channels,
            downsample=downsample,
            depthwise=depthwise,
            batched_input_conv=batched_input_conv,
            init_cfg=init_cfg)
        self.cell = ConvLSTMCell(self.hidden_channels, self.hidden_channels,
                                 kernel_size, gate_act, depthwise)
