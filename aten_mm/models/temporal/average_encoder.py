"""Average encoder: the "w/o convGRU" ablation of the paper."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor

from aten_mm.registry import MODELS


@MODELS.register_module()
class AverageEncoder(nn.Module):
    """Replaces the convGRU of Eq. (4) by the mean of its inputs.

    ``F̄_k = mean(F(k-p->k), ..., F(k-1->k), F_k)``; no parameters.

    Args:
        in_channels (int, optional): Expected channels, checked when given
            (accepted so that encoder configs are interchangeable).
            Defaults to None.
    """

    def __init__(self, in_channels: Optional[int] = None) -> None:
        super().__init__()
        self.in_channels = in_channels

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        """Average T features (N, C, H, W) (key last) -> (N, C, H, W)."""
        if not isinstance(feats, (list, tuple)) or len(feats) == 0:
            raise ValueError('AverageEncoder: expected a non-empty list of '
                             f'(N, C, H, W) features, got {type(feats)}')
        shapes = {tuple(f.shape) for f in feats}
        if len(shapes) != 1 or feats[0].dim() != 4:
            raise ValueError('AverageEncoder: all features must share one '
                             f'(N, C, H, W) shape, got {sorted(shapes)}')
        if (self.in_channels is not None
                and feats[0].size(1) != self.in_channels):
            raise ValueError(
                f'AverageEncoder: expected {self.in_channels} channels, '
                f'got {feats[0].size(1)}')
        return torch.stack(list(feats), dim=0).mean(dim=0)
