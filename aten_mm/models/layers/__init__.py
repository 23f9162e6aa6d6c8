"""Generic layers: flow warping (paper Eq. 6)."""
from .flow_warp import FlowWarp, flow_warp

__all__ = ['FlowWarp', 'flow_warp']
