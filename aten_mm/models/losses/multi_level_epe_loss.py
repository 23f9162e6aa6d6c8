"""FlowNet's multi-scale end-point-error loss (Dosovitskiy et al. 2015)."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from aten_mm.registry import MODELS


def downsample_flow(flow: Tensor, valid: Tensor,
                    factor: int) -> Tuple[Tensor, Tensor]:
    """Average a flow over ``factor x factor`` cells, valid pixels only.

    Args:
        flow (Tensor): (N, 2, H, W), H and W multiples of ``factor``.
        valid (Tensor): (N, 1, H, W) float, 1 = valid.
        factor (int): Cell size (2**level).

    Returns:
        tuple[Tensor, Tensor]: (N, 2, H / factor, W / factor) mean of the
        valid flow vectors of each cell (values unchanged in unit: the
        vectors are averaged, not rescaled) and (N, 1, ...) the cells with
        at least one valid pixel.
    """
    if factor == 1:
        return flow * valid, valid > 0
    num = F.avg_pool2d(flow * valid, factor)
    den = F.avg_pool2d(valid, factor)
    return num / den.clamp(min=1e-6), den > 0


@MODELS.register_module()
class MultiLevelEPELoss(nn.Module):
    """FlowNet's multi-scale EPE loss over the decoder levels 6 ... 2.

    Units: every level ``l`` predicts the flow in pixels of the network's
    input grid divided by ``flow_div`` (FlowNet's convention, which
    pretrained FlowNet-S weights follow); only its sampling grid is
    ``2**l`` times coarser. The ground truth (input pixels) is therefore
    divided by ``flow_div`` and averaged over each ``2**l x 2**l`` cell
    (valid pixels only), not rescaled. The loss is

    ``L = sum_l w_l * (1 / N) * sum_{valid cells p} ||f_l(p) - g_l(p)||_2``

    with FlowNet's weights (0.32, 0.08, 0.02, 0.01, 0.005) for levels 6 to
    2 and the sum over cells per image, as FlowNet (the finer levels count
    more because they have more cells) — the same loss and weights as
    MMFlow's ``MultiLevelEPE(p=2, reduction='sum')`` config of FlowNet-S.

    Args:
        weights (Sequence[float]): Weights of levels 6, 5, 4, 3, 2.
            Defaults to (0.32, 0.08, 0.02, 0.01, 0.005).
        flow_div (float): Divisor of the ground truth (20 in FlowNet).
            Defaults to 20.0.
    """

    LEVELS = (6, 5, 4, 3, 2)

    def __init__(self,
                 weights: Sequence[float] = (0.32, 0.08, 0.02, 0.01, 0.005),
                 flow_div: float = 20.0) -> None:
        super().__init__()
        if len(weights) != len(self.LEVELS):
            raise ValueError('MultiLevelEPELoss: weights must have 5 values '
                             f'(levels 6..2), got {list(weights)}')
        if flow_div <= 0:
            raise ValueError(f'MultiLevelEPELoss: flow_div must be > 0, got '
                             f'{flow_div}')
        self.weights = tuple(float(w) for w in weights)
        self.flow_div = float(flow_div)

    def forward(self, flows: List[Tensor], gt: Tensor, valid: Tensor,
                weight: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Compute the loss.

        Args:
            flows (list[Tensor]): [flow6, ..., flow2] of FlowNet-S, level
                ``l`` (N, 2, H / 2**l, W / 2**l), in units of ``flow_div``
                input pixels.
            gt (Tensor): (N, 2, H, W) ground-truth flow in input pixels
                (H, W multiples of 64, padded with invalid pixels).
            valid (Tensor): (N, H, W) or (N, 1, H, W) bool/float validity.
            weight (Tensor, optional): (N, H, W) or (N, 1, H, W) per-pixel
                weight of the EPE (e.g. larger on person pixels). A cell's
                EPE is multiplied by the mean weight of its valid pixels;
                the target flow is still the plain mean of the valid
                pixels. None: every pixel weighs 1 (FlowNet's loss).

        Returns:
            dict[str, Tensor]: ``loss_flow`` (the weighted sum) and
            ``epe_l{l}`` per level (the mean EPE over valid cells in input
            pixels, detached, for the log).
        """
        if len(flows) != len(self.LEVELS):
            raise ValueError(f'MultiLevelEPELoss: expected {len(self.LEVELS)}'
                             f' levels, got {len(flows)}')
        if valid.dim() == 3:
            valid = valid[:, None]
        valid = valid.to(gt.dtype)
        if weight is not None:
            if weight.dim() == 3:
                weight = weight[:, None]
            if weight.shape != valid.shape:
                raise ValueError(
                    'MultiLevelEPELoss: weight must have the shape of '
                    f'valid {tuple(valid.shape)}, got {tuple(weight.shape)}')
            weight = weight.to(gt.dtype) * valid
        target = gt / self.flow_div
        n = gt.shape[0]
        total = gt.new_zeros(())
        out = {}
        for level, level_w, pred in zip(self.LEVELS, self.weights, flows):
            factor = 2**level
            if (pred.shape[2] * factor, pred.shape[3] * factor) != tuple(
                    gt.shape[2:]):
                raise ValueError(
                    f'MultiLevelEPELoss: level {level} is '
                    f'{tuple(pred.shape[2:])}, expected ground truth '
                    f'{tuple(gt.shape[2:])} / {factor}')
            g, ok = downsample_flow(target, valid, factor)
            epe = torch.linalg.vector_norm(pred - g, dim=1, keepdim=True)
            epe = epe * ok
            loss_epe = epe
            if weight is not None:
                cell_w = F.avg_pool2d(weight, factor) if factor > 1 \
                    else weight
                cell_v = F.avg_pool2d(valid, factor) if factor > 1 \
                    else valid
                loss_epe = epe * cell_w / cell_v.clamp(min=1e-6)
            total = total + level_w * loss_epe.sum() / n
            count = ok.sum().clamp(min=1)
            out[f'epe_l{level}'] = (epe.sum() / count *
                                    self.flow_div).detach()
        out['loss_flow'] = total
        return out
