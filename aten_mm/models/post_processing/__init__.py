"""Post-processing of the models' raw outputs (paper §4.3)."""
from .parsing_fusion import fuse_instance_parsing

__all__ = ['fuse_instance_parsing']
