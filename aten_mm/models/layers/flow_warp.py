"""Flow-guided bilinear warping W of the paper (Eq. 3, 6)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from aten_mm.registry import MODELS

_PADDING_MODES = ('zeros', 'border')


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
    (about 15 ms for a 256 x 128 x 72 map on 2 CPU threads, on top of about
    20 ms for the sampling).

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
        mode = 'constant' if padding_mode == 'zeros' else 'replicate'
        x = F.pad(x, (0, wp - w, 0, hp - h), mode=mode)
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
