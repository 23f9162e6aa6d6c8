"""Losses: FlowNet's multi-scale EPE."""
from .multi_level_epe_loss import MultiLevelEPELoss, downsample_flow

__all__ = ['MultiLevelEPELoss', 'downsample_flow']
