"""Pure evaluation functions (no registry)."""
from .parsing_fusion import fuse_instance_parsing

__all__ = ['fuse_instance_parsing']
