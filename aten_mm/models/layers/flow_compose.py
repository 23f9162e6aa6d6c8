"""Composition of backward flows along a chain of key frames (Eq. 3).

In stream mode with p >= 2, the reference keys k - l, k - 2l, … of key k
are aligned to k with flows ``k -> k - j·l``. The previous keys already
computed ``k - l -> k - 2l`` and so on, so only ``k -> k - l`` needs a new
FlowNet pass: ``k -> k - 2l`` is the composition

``f_{k→k-2l}(x) = f_{k→k-l}(x) + f_{k-l→k-2l}(x + f_{k→k-l}(x))``

(follow x into k - l, then from there into k - 2l). The scale fields
compose by product, the second one read at the same displaced position:
``S_{k→k-2l}(x) = S_{k→k-l}(x) · S_{k-l→k-2l}(x + f_{k→k-l}(x))``.
Composition is exact where both flows are (up to bilinear interpolation of
the second field); it differs from a direct flow where the middle frame
occludes what the other two see.
"""
from typing import Optional, Tuple

from torch import Tensor

from .flow_warp import flow_warp


def compose_flows(flow_ab: Tensor, flow_bc: Tensor,
                  scale_ab: Optional[Tensor] = None,
                  scale_bc: Optional[Tensor] = None
                  ) -> Tuple[Tensor, Optional[Tensor]]:
    """Flow (and scale field) ``a -> c`` from ``a -> b`` and ``b -> c``.

    Args:
        flow_ab (Tensor): ``(N, 2, h, w)`` backward flow of frame a into
            frame b, in pixels of the ``(h, w)`` grid (channel 0 = x).
        flow_bc (Tensor): ``(N, 2, h, w)`` flow of b into c, same grid.
        scale_ab (Tensor, optional): ``(N, C, h, w)`` scale field of the
            pair (a, b) (Eq. 6); None when the flow net has none.
        scale_bc (Tensor, optional): ``(N, C, h, w)`` scale field of (b, c).

    Returns:
        tuple: ``(flow_ac (N, 2, h, w), scale_ac (N, C, h, w) or None)``.
        The second field is read with border replication, so a position
        displaced outside the map takes the nearest edge value.
    """
    flow_ac = flow_ab + flow_warp(flow_bc, flow_ab, padding_mode='border')
    if scale_ab is None or scale_bc is None:
        return flow_ac, None
    return flow_ac, scale_ab * flow_warp(scale_bc, flow_ab,
                                         padding_mode='border')
