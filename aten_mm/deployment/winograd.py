"""Winograd F(4x4, 3x3) convolutions for the exported graphs.

ONNX Runtime's CPU convolution computes a 3 x 3 convolution directly (9
multiply-adds per input channel and output pixel) and reaches about the
peak of two AVX2 cores on the large ones of the parsers (the DeepLabV3+
decoder's and the RPN's 256-channel convs on the stride-4 map). Winograd's
minimal filtering algorithm F(m x m, r x r) (Lavin and Gray, "Fast
Algorithms for Convolutional Neural Networks", CVPR 2016) computes an
m x m output tile from an (m + 2) x (m + 2) input tile with (m + 2)^2
multiplications per channel pair instead of 9 m^2: for m = 4, 36 instead
of 144, so 4x fewer multiply-adds, spent in 36 independent matrix
products over the channels::

    Y = A^T [ (G g G^T) ⊙ (B^T d B) ] A

where ``g`` is a 3 x 3 filter, ``d`` a 6 x 6 input tile and the element-wise
product ⊙ is summed over the input channels (the matrix products). The
matrices below are those of the paper for the interpolation points
0, ±1, ±2 (and infinity). The same function as the convolution; in float32
it differs from the direct sum by about 1e-5 of the output's magnitude
(the transforms multiply by up to 8 and divide by 24), ten times the
difference between two direct kernels, and within the export tolerance.

:class:`WinogradConv2d` is the module the export traces in place of an
``nn.Conv2d`` (3 x 3, stride 1, dilation 1, padding 1, one group);
:func:`winograd_convs` swaps it in for the convolutions that gain from it
while a graph is traced and puts the originals back. It changes neither
the PyTorch model nor its weights (the graph fingerprints stay those of
the model); the graphs it writes are compared with the PyTorch model's
direct convolutions like every other graph.
"""
from contextlib import contextmanager
from typing import Iterator, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

#: Input transform B^T (6 x 6), points 0, 1, -1, 2, -2, infinity.
B_T = ((4., 0., -5., 0., 1., 0.),
       (0., -4., -4., 1., 1., 0.),
       (0., 4., -4., -1., 1., 0.),
       (0., -2., -1., 2., 1., 0.),
       (0., 2., -1., -2., 1., 0.),
       (0., 4., 0., -5., 0., 1.))
#: Filter transform G (6 x 3).
G = ((1 / 4, 0., 0.),
     (-1 / 6, -1 / 6, -1 / 6),
     (-1 / 6, 1 / 6, -1 / 6),
     (1 / 24, 1 / 12, 1 / 6),
     (1 / 24, -1 / 12, 1 / 6),
     (0., 0., 1.))
#: Output transform A^T (4 x 6).
A_T = ((1., 1., 1., 1., 1., 0.),
       (0., 1., -1., 2., -2., 0.),
       (0., 1., 1., 4., 4., 0.),
       (0., 1., -1., 8., -8., 1.))
#: Output tile size m and input tile size m + 2.
TILE = 4
WINDOW = 6
#: Defaults of :func:`winograd_convs`: fewest input and output channels,
#: fewest 4 x 4 output tiles per image (docs/deployment.md measures both).
MIN_CHANNELS = 128
MIN_TILES = 32


def winograd_eligible(conv: nn.Module) -> bool:
    """Whether ``conv`` is a plain 3 x 3, stride-1, undilated, one-group,
    zero-padded-by-1 ``nn.Conv2d`` (the convolution F(4x4, 3x3)
    computes)."""
    return (type(conv) is nn.Conv2d and conv.kernel_size == (3, 3)
            and conv.stride == (1, 1) and conv.dilation == (1, 1)
            and conv.padding == (1, 1) and conv.groups == 1
            and conv.padding_mode == 'zeros')


class _DepthToSpace(torch.autograd.Function):
    """``(n, 16 C, h, w)`` with channels ordered (row, column, channel) of
    a 4 x 4 block -> ``(n, C, 4 h, 4 w)``: ONNX ``DepthToSpace`` in DCR
    mode (``torch.pixel_shuffle`` is the CRD order), one node in the
    graph instead of a six-dimensional transpose."""

    @staticmethod
    def forward(ctx, y: Tensor, channels: int) -> Tensor:
        n, _, h, w = y.shape
        y = y.reshape(n, TILE, TILE, channels, h, w)
        return y.permute(0, 3, 4, 1, 5, 2).reshape(n, channels, TILE * h,
                                                   TILE * w)

    @staticmethod
    def symbolic(g, y, channels):
        return g.op('DepthToSpace', y, blocksize_i=TILE, mode_s='DCR')


class WinogradConv2d(nn.Module):
    """A 3 x 3 convolution computed with Winograd F(4x4, 3x3).

    Built from an eligible ``nn.Conv2d`` (:func:`winograd_eligible`); the
    transformed filters ``U = G g G^T`` are computed in float64 from the
    convolution's weights at construction and stored as float32. The
    forward pass:

    1. pads the input by 1 (and to a multiple of 4 plus 2) and cuts it
       into overlapping 6 x 6 tiles at stride 4 while applying
       ``B^T d B``: one grouped convolution with the 36 fixed 6 x 6
       kernels ``B^T e_kl B`` per channel;
    2. multiplies, for each of the 36 tile positions, the (out, in)
       matrix of ``U`` with the (in, tiles) matrix of the input: one
       batched matrix product, the only step whose cost grows with
       in x out channels;
    3. applies ``A^T · A`` (one matrix product with ``A^T ⊗ A^T``) and
       puts the 4 x 4 output tiles in place (``DepthToSpace``), then crops
       to the input size and adds the bias.

    On a map of fewer than ``min_tiles`` 4 x 4 output tiles the matrix
    products are too small to repay the transforms (in ONNX Runtime, 256 or
    more channels: a 3 x 4 map took 2.2x the direct time, 9 x 16 the same,
    ten 14 x 14 maps 0.94x, 18 x 32 0.64x; docs/deployment.md), and the
    convolution is computed directly. The spatial size of a traced graph
    is fixed, so the choice is made once, at tracing.

    Args:
        conv (nn.Conv2d): The convolution to reproduce.
        min_tiles (int): Fewest output tiles per image for Winograd.
            Defaults to :data:`MIN_TILES`.

    Attributes:
        applied (bool): Whether a forward pass took the Winograd path.
    """

    def __init__(self, conv: nn.Conv2d,
                 min_tiles: Optional[int] = None) -> None:
        super().__init__()
        if not winograd_eligible(conv):
            raise ValueError(
                'WinogradConv2d reproduces a 3x3, stride-1, undilated, '
                f'one-group convolution padded by 1, got {conv}')
        self.conv = conv
        self.min_tiles = MIN_TILES if min_tiles is None else min_tiles
        self.applied = False
        w = conv.weight.detach().to(torch.float64)
        g = torch.tensor(G, dtype=torch.float64)
        b_t = torch.tensor(B_T, dtype=torch.float64)
        a_t = torch.tensor(A_T, dtype=torch.float64)
        self.in_channels, self.out_channels = conv.in_channels, \
            conv.out_channels
        u = torch.einsum('ik,ockl,jl->ijoc', g, w, g)
        self.register_buffer(
            'u', u.reshape(WINDOW * WINDOW, self.out_channels,
                           self.in_channels).to(conv.weight.dtype),
            persistent=False)
        # kernel (i, j) of channel c reads B^T[i, k] B^T[j, l] at (k, l)
        basis = torch.einsum('ik,jl->ijkl', b_t, b_t).reshape(
            WINDOW * WINDOW, 1, WINDOW, WINDOW)
        self.register_buffer(
            'b_kernels', basis.repeat(self.in_channels, 1, 1, 1).to(
                conv.weight.dtype), persistent=False)
        self.register_buffer('a_kron', torch.kron(a_t, a_t).to(
            conv.weight.dtype), persistent=False)
        bias = conv.bias.detach().clone() if conv.bias is not None else None
        self.register_buffer('bias', bias, persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        """``(n, in, h, w)`` -> ``(n, out, h, w)``, the convolution's
        output."""
        n, c, h, w = x.shape
        # (h + 3) // 4, not -(-h // 4): a traced shape divides with
        # truncation in ONNX, which rounds a negative quotient up
        th, tw = (h + TILE - 1) // TILE, (w + TILE - 1) // TILE
        if th * tw < self.min_tiles:
            return self.conv(x)
        self.applied = True
        extra_h, extra_w = TILE * th - h, TILE * tw - w
        if extra_h or extra_w:
            x = F.pad(x, (0, extra_w, 0, extra_h))
        # (n, c * 36, th, tw): the tiles' B^T d B, channel-major
        v = F.conv2d(x, self.b_kernels, stride=TILE, padding=1, groups=c)
        v = v.reshape(n, c, WINDOW * WINDOW, th * tw).transpose(1, 2)
        m = torch.matmul(self.u, v)  # (n, 36, out, th * tw)
        y = torch.matmul(self.a_kron, m.reshape(n, WINDOW * WINDOW, -1))
        y = y.reshape(n, TILE * TILE * self.out_channels, th, tw)
        y = _DepthToSpace.apply(y, self.out_channels)
        if extra_h or extra_w:
            y = y[:, :, :h, :w]
        if self.bias is not None:
            y = y + self.bias.view(1, -1, 1, 1)
        return y

    def extra_repr(self) -> str:
        return (f'{self.in_channels}, {self.out_channels}, '
                f'F({TILE}x{TILE}, 3x3)')


def _eligible_children(module: nn.Module, min_channels: int
                       ) -> List[Tuple[nn.Module, str, nn.Conv2d]]:
    found = []
    for parent in module.modules():
        for name, child in parent.named_children():
            if (winograd_eligible(child)
                    and min(child.in_channels,
                            child.out_channels) >= min_channels):
                found.append((parent, name, child))
    return found


@contextmanager
def winograd_convs(module: nn.Module,
                   min_channels: Optional[int] = None
                   ) -> Iterator[List[WinogradConv2d]]:
    """Compute ``module``'s eligible convolutions with Winograd inside the
    ``with`` block; the originals are back afterwards (also on an error).

    Args:
        module (nn.Module): Any module (a graph wrapper of :mod:`.graphs`).
        min_channels (int): Swap only convolutions with at least this many
            input and output channels: the transforms cost memory traffic
            per channel, and a narrow convolution is faster computed
            directly (docs/deployment.md measures both). Defaults to
            :data:`MIN_CHANNELS`.

    Yields:
        list[WinogradConv2d]: The swapped-in modules (``applied`` tells
        which ones a forward pass computed with Winograd).
    """
    if min_channels is None:
        min_channels = MIN_CHANNELS
    swaps = _eligible_children(module, min_channels)
    convs = []
    try:
        for parent, name, conv in swaps:
            convs.append(WinogradConv2d(conv))
            setattr(parent, name, convs[-1])
        yield convs
    finally:
        for parent, name, conv in swaps:
            setattr(parent, name, conv)
