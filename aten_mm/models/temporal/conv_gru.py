"""ConvGRU temporal encoder (paper §4.1, Eq. 4-5)."""
from typing import List, Optional, Union

import torch
import torch.nn as nn
from torch import Tensor

from aten_mm.registry import MODELS

from .base_recurrent_encoder import BaseConvRNNCell, BaseRecurrentEncoder


class ConvGRUCell(BaseConvRNNCell):
    """One convolutional GRU step, paper Eq. (5)::

        z_t  = sigma(x_t * w_xz + h_{t-1} * w_hz + b_z)
        r_t  = sigma(x_t * w_xr + h_{t-1} * w_hr + b_r)
        h'_t = tanh(x_t * w_xh' + (r_t . h_{t-1}) * w_hh' + b_h')
        h_t  = (1 - z_t) . h_{t-1} + z_t . h'_t

    ``*`` is a k x k convolution, ``.`` the element-wise product. The three
    input convs are one conv ``conv_x`` (C_in -> 3 C_h, bias (b_z, b_r,
    b_h'), output channels ordered z, r, h'); the hidden convs are
    ``conv_h_zr`` (C_h -> 2 C_h, no bias, ordered z, r) and ``conv_h_h``
    (C_h -> C_h, no bias).

    Arguments as :class:`BaseConvRNNCell`.
    """

    num_gates = 3
    hidden_convs = dict(conv_h_zr=2, conv_h_h=1)

    def step(self, x_proj: Tensor, h: Tensor) -> Tensor:
        """One step of Eq. (5).

        Args:
            x_proj (Tensor): ``input_conv(x_t)`` (N, 3 C_h, H, W).
            h (Tensor): h_{t-1} (N, C_h, H, W).

        Returns:
            Tensor: h_t (N, C_h, H, W).
        """
        xz, xr, xh = x_proj.chunk(3, dim=1)
        hz, hr = self.conv_h_zr(h).chunk(2, dim=1)
        z = self.sigma(xz + hz)
        r = self.sigma(xr + hr)
        h_cand = torch.tanh(xh + self.conv_h_h(r * h))
        return (1 - z) * h + z * h_cand


@MODELS.register_module()
class ConvGRUEncoder(BaseRecurrentEncoder):
    """ConvGRU temporal encoder, paper Eq. (4): F̄_k = convGRU(F(k-p->k),
    ..., F(k-1->k), F_k), the last hidden state (3x3 convs, 256 channels in
    the paper, §4.5).

    Args:
        in_channels (int): Feature channels. Defaults to 256.
        kernel_size (int): Defaults to 3.
        init_state (str): ``'zeros'`` or ``'mean'``. Defaults to 'zeros'.
        gate_act (str): ``'sigmoid'`` or ``'hard_sigmoid'``. Defaults to
            'sigmoid'.
        bottleneck_channels (int, optional): See
            :class:`BaseRecurrentEncoder` (efficient mode).
        downsample (int): See :class:`BaseRecurrentEncoder`.
        depthwise (bool): Depthwise-separable gate convs.
        batched_input_conv (bool): One input conv for all steps (exact).
        update_gate_bias (float, optional): Start value of the update
            gate's bias b_z of Eq. (5), set at construction and again by
            ``init_weights``. None keeps PyTorch's default conv init. A
            negative value makes a fresh encoder close its update gate
            (z_t = sigma(b_z) ~ 0 when the other terms are small), so
            h_T ~ h_0: with ``init_state='mean'`` a new encoder starts as
            the average of its aligned inputs instead of a random mix
            (measured in docs/synthetic_study.md, "What the video models
            lose on non-key frames"). With depthwise gates it is the
            pointwise conv's bias. Only the initial value: Eq. (5) and its
            training are unchanged. Defaults to None.
        init_cfg (dict | list[dict], optional): mmengine init config.
    """

    cell_cls = ConvGRUCell

    def __init__(self,
                 *args,
                 update_gate_bias: Optional[float] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None,
                 **kwargs) -> None:
        super().__init__(*args, init_cfg=init_cfg, **kwargs)
        self.update_gate_bias = update_gate_bias
        self._set_update_gate_bias()

    def _set_update_gate_bias(self) -> None:
        if self.update_gate_bias is None:
            return
        conv = self.cell.conv_x
        # the depthwise-separable conv's pointwise conv carries the bias
        conv = getattr(conv, 'pointwise_conv', conv)
        conv = getattr(conv, 'conv', conv)
        if not isinstance(conv, nn.Conv2d) or conv.bias is None:
            raise TypeError('ConvGRUEncoder: update_gate_bias needs a '
                            'conv_x with a bias')
        with torch.no_grad():
            conv.bias[:self.hidden_channels].fill_(
                float(self.update_gate_bias))

    def init_weights(self) -> None:
        """mmengine init, then ``update_gate_bias`` (if set) on b_z."""
        super().init_weights()
        self._set_update_gate_bias()
