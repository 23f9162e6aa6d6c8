"""Motion estimation: FlowNet-S with the scale field (paper §4.2)."""
from .flow_estimator import FlowEstimator
from .flownet_s import INPUT_CONVENTIONS, FlowNetS, ScaleFieldHead

__all__ = ['FlowNetS', 'ScaleFieldHead', 'FlowEstimator',
           'INPUT_CONVENTIONS']
