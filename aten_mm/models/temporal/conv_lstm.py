"""ConvLSTM temporal encoder: the "ATEN (LSTM)" rows of Tables 1 and 3."""
from typing import Tuple

import torch
from torch import Tensor

from aten_mm.registry import MODELS

from .base_recurrent_encoder import BaseConvRNNCell, BaseRecurrentEncoder


class ConvLSTMCell(BaseConvRNNCell):
    """One convolutional LSTM step (Shi et al. 2015, without peepholes)::

        i_t = sigma(x_t * w_xi + h_{t-1} * w_hi + b_i)
        f_t = sigma(x_t * w_xf + h_{t-1} * w_hf + b_f)
        o_t = sigma(x_t * w_xo + h_{t-1} * w_ho + b_o)
        g_t = tanh(x_t * w_xg + h_{t-1} * w_hg + b_g)
        c_t = f_t . c_{t-1} + i_t . g_t
        h_t = o_t . tanh(c_t)

    ``conv_x`` (C_in -> 4 C_h, bias) and ``conv_h`` (C_h -> 4 C_h, no bias)
    hold the four gates in the order i, f, o, g.

    Arguments as :class:`BaseConvRNNCell`.
    """

    num_gates = 4
    hidden_convs = dict(conv_h=4)

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

    cell_cls = ConvLSTMCell
