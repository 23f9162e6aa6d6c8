"""Generic layers: flow warping and feature alignment (paper Eq. 3, 6)."""
from .feature_aligner import FlowAligner, IdentityAligner
from .flow_warp import FlowWarp, flow_warp

__all__ = ['FlowAligner', 'IdentityAligner', 'FlowWarp', 'flow_warp']
