"""Registered metrics: VIP (mIoU, AP^r, AP^r_vol), DAVIS (J, F), flow EPE."""
from ..functional.vip_files import vip_prediction_from_sample
from .compact_results import (
    compact_sample,
    expand_sample,
    load_compact_results,
)
from .davis_metric import DAVISMetric, davis_foreground
from .dump_parsing_results import DumpParsingResults
from .flow_epe_metric import FlowEPEMetric
from .subset_metric import SubsetMetric
from .vip_metric import VIPMetric, frame_identity

__all__ = [
    'VIPMetric', 'DAVISMetric', 'vip_prediction_from_sample', 'SubsetMetric',
    'DumpParsingResults', 'compact_sample', 'expand_sample',
    'load_compact_results', 'davis_foreground', 'frame_identity',
    'FlowEPEMetric'
]
