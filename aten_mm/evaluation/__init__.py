"""Evaluation of aten_mm: VIP and DAVIS metrics, official-format files."""
from . import functional  # noqa: F401
from . import metrics  # noqa: F401
from .functional import fuse_instance_parsing

__all__ = ['fuse_instance_parsing']
