"""A target frame's feature with the dense head outputs warped to it.

With ``propagate_heads`` a video parser runs the dense parts of N_parse
(the global parsing head's convs, the RPN's convs) once per key frame, on
the encoded key feature F̄_k, and warps their outputs to the non-key frames
with the flow that warps F̄_k (Eq. 2 applied to the head outputs, as DFF
applies it to the feature). The RoI heads still read the warped feature.
"""
from typing import NamedTuple

from torch import Tensor


class PropagatedFeat(NamedTuple):
    """F_t and the head maps of its frame (``ParsingRCNN.head_maps``).

    Attributes:
        feat (Tensor): ``(1, C, h, w)`` feature F_t.
        head_maps (Tensor): ``(1, K, h, w)`` dense head outputs on F_t's
            grid, passed to ``ParsingRCNN.predict_from_feat(head_maps=)``.
    """

    feat: Tensor
    head_maps: Tensor
