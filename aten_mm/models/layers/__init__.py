"""Generic layers: flow warping and flow composition (paper Eq. 3, 6)."""
from .flow_compose import compose_flows
from .flow_warp import FlowWarp, flow_warp

__all__ = ['FlowWarp', 'compose_flows', 'flow_warp']
