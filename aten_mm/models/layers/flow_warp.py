"""Flow-guided bilinear warping W of the paper (Eq. 3, 6)."""
import threading
from typing import Dict, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from aten_mm.registry import MODELS

_PADDING_MODES = ('zeros', 'border')
#: Padded copies kept per thread for inference (see :func:`_padded`).
WORKSPACE_SLOTS = 8
_workspace = threading.local()


def _exact_size(size: int, align_corners: bool) -> int:
    """Smallest ``2**k + 1`` (align_corners) or ``2**k`` >= ``size``.

    With these sizes the normalised coordinate of every pixel is a dyadic
    number, so ``grid_sample``'s unnormalisation is exact in floating point
    (``(g + 1) / 2 * (size - 1)`` resp. ``((g + 1) * size - 1) / 2`` only
    multiply/divide by powers of two).
    """
    extra = 1 if align_corners else 0
    k = 0
    while (1 << k) + extra < size:
        k += 1
    return (1 << k) + extra


def _padded(x: Tensor, hp: int, wp: int, padding_mode: str) -> Tensor:
    """``x`` padded at the bottom and right to ``(hp, wp)``, as ``F.pad``
    with zeros (``'zeros'``) or replication (``'border'``) pads it, in a
    buffer reused by later calls of this thread with the same shape.

    A fresh padded copy per warp is a new block of tens of megabytes for
    the allocator: with other models' tensors in the same process, glibc
    handed it back as fresh pages, and the page faults tripled the warp's
    time (docs/deployment.md, session 9). The zero region of a ``'zeros'``
    buffer is never written; a ``'border'`` buffer's margin is rewritten
    from ``x`` on every call. Only for inputs no gradient flows through:
    ``grid_sample``'s backward reads its input, which a later call would
    overwrite. Not while tracing either: the graph would hold the buffer
    as a constant.
    """
    slots: Dict[Tuple, Tensor] = getattr(_workspace, 'slots', None)
    if slots is None:
        slots = _workspace.slots = {}
    key = (padding_mode, tuple(x.shape), hp, wp, x.dtype, x.device)
    buf = slots.get(key)
    if buf is None:
        if len(slots) >= WORKSPACE_SLOTS:
            slots.clear()
        buf = slots[key] = x.new_zeros(*x.shape[:2], hp, wp)
    h, w = x.shape[-2:]
    buf[:, :, :h, :w].copy_(x)
    if padding_mode == 'border':
        buf[:, :, :h, w:].copy_(x[:, :, :, w - 1:].expand(-1, -1, -1, wp - w))
        buf[:, :, h:].copy_(buf[:, :, h - 1:h].expand(-1, -1, hp - h, -1))
    return buf


def flow_warp(x: Tensor,
              flow: Tensor,
              padding_mode: str = 'zeros',
              align_corners: bool = True) -> Tensor:
    """Warp ``x`` with a dense flow: ``out(p) = x(p + flow(p))`` (Eq. 6, W).

    Bilinear sampling (``F.grid_sample``) of ``x`` at ``p + flow(p)``, where
    ``p`` runs over the integer pixel positions of ``x``'s grid; bilinear
    taps that fall outside the map read 0 (``'zeros'``) or the coordinates
    are clamped to the map (``'border'``). Differentiable w.r.t. ``x`` and
    ``flow``.

    Exactness: ``x`` is padded (zeros / replicate, which does not change
    the result for either padding mode) to a size whose normalised pixel
    coordinates are dyadic, so a zero flow returns ``x`` bit-exactly and an
    integer flow is an exact shift. Without it ``grid_sample`` mixes ~1e-7
    of the neighbours into every pixel. The pad costs one copy of ``x``
    (about 1 ms for a 256 x 72 x 128 map on 2 CPU threads, against about
    10 ms for the sampling). When no gradient is needed the padded copy
    goes into a per-thread workspace reused by later calls
    (:data:`WORKSPACE_SLOTS` shapes), so inference does not ask the
    allocator for a new block on every warp.

    Args:
        x (Tensor): Features (N, C, H, W) to be sampled (e.g. F_ref).
        flow (Tensor): (N, 2, H, W) displacements in pixels of ``x``'s grid;
            channel 0 = x (to the right), channel 1 = y (down). In ATEN the
            flow maps positions of the current frame to positions in the
            reference frame (see ``FlowNetS.forward``), so the output is
            the reference feature aligned to the current frame.
        padding_mode (str): ``'zeros'`` or ``'border'``. Defaults to
            ``'zeros'``.
        align_corners (bool): Internal normalisation convention passed to
            ``grid_sample``. The flow is always in pixels and the sampling
            positions are always ``p + flow(p)``, so both settings give the
            same result; kept for API compatibility. Defaults to True.

    Returns:
        Tensor: (N, C, H, W) warped features, same dtype as ``x``.
    """
    if padding_mode not in _PADDING_MODES:
        raise ValueError(f'flow_warp: padding_mode must be one of '
                         f'{_PADDING_MODES}, got {padding_mode!r}')
    if x.dim() != 4 or flow.dim() != 4 or flow.size(1) != 2:
        raise ValueError(
            'flow_warp: expected x (N, C, H, W) and flow (N, 2, H, W), got '
            f'x {tuple(x.shape)} and flow {tuple(flow.shape)}')
    n, _, h, w = x.shape
    if flow.size(0) != n or flow.shape[2:] != x.shape[2:]:
        raise ValueError(
            'flow_warp: flow must match x in batch and spatial size, got '
            f'x {tuple(x.shape)} and flow {tuple(flow.shape)}')
    flow = flow.to(x.dtype)
    hp = _exact_size(h, align_corners)
    wp = _exact_size(w, align_corners)
    if (hp, wp) != (h, w):
        needs_grad = torch.is_grad_enabled() and (x.requires_grad
                                                  or flow.requires_grad)
        # a traced graph must not bake a cached buffer in as a constant
        if needs_grad or torch.jit.is_tracing():
            mode = 'constant' if padding_mode == 'zeros' else 'replicate'
            x = F.pad(x, (0, wp - w, 0, hp - h), mode=mode)
        else:
            x = _padded(x, hp, wp, padding_mode)
    xs = torch.arange(w, device=x.device, dtype=x.dtype).view(1, 1, w)
    ys = torch.arange(h, device=x.device, dtype=x.dtype).view(1, h, 1)
    px = xs + flow[:, 0]
    py = ys + flow[:, 1]
    if align_corners:
        gx = px * (2.0 / max(wp - 1, 1)) - 1.0
        gy = py * (2.0 / max(hp - 1, 1)) - 1.0
    else:
        gx = (2.0 * px + 1.0) * (1.0 / wp) - 1.0
        gy = (2.0 * py + 1.0) * (1.0 / hp) - 1.0
    grid = torch.stack((gx, gy), dim=-1)
    return F.grid_sample(x, grid, mode='bilinear', padding_mode=padding_mode,
                         align_corners=align_corners)


@MODELS.register_module()
class FlowWarp(nn.Module):
    """Module form of :func:`flow_warp` (paper Eq. 6, the sampler W).

    Args:
        padding_mode (str): ``'zeros'`` or ``'border'``. Defaults to
            ``'zeros'``.
        align_corners (bool): See :func:`flow_warp`. Defaults to True.
    """

    def __init__(self, padding_mode: str = 'zeros',
                 align_corners: bool = True) -> None:
        super().__init__()
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f'FlowWarp: padding_mode must be one of '
                             f'{_PADDING_MODES}, got {padding_mode!r}')
        self.padding_mode = padding_mode
        self.align_corners = align_corners

    def forward(self, x: Tensor, flow: Tensor) -> Tensor:
        """Warp ``x`` (N, C, H, W) by ``flow`` (N, 2, H, W) in pixels.

        Returns:
            Tensor: (N, C, H, W) features sampled at ``p + flow(p)``.
        """
        return flow_warp(x, flow, self.padding_mode, self.align_corners)

    def extra_repr(self) -> str:
        return (f'padding_mode={self.padding_mode!r}, '
                f'align_corners={self.align_corners}')
