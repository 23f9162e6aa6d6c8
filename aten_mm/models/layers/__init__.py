"""Generic layers: flow warping, composition and feature alignment
(paper Eq. 3, 6)."""
from .feature_aligner import FlowAligner, IdentityAligner
from .flow_compose import compose_flows
from .flow_warp import FlowWarp, flow_warp

__all__ = [
    'FlowAligner', 'IdentityAligner', 'FlowWarp', 'compose_flows',
    'flow_warp'
]
