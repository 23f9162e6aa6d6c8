"""Evaluation of aten_mm: VIP and DAVIS metrics, official-format files."""
from aten_mm.models.post_processing import fuse_instance_parsing

from .functional import write_vip_prediction
from .metrics import DAVISMetric, DumpParsingResults, VIPMetric

__all__ = [
    'fuse_instance_parsing', 'write_vip_prediction', 'VIPMetric',
    'DAVISMetric', 'DumpParsingResults'
]
