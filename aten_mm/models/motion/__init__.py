"""Motion estimation: FlowNet-S with the scale field (paper §4.2)."""
from .flownet_s import FlowNetS, ScaleFieldHead

__all__ = ['FlowNetS', 'ScaleFieldHead']
