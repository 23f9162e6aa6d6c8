"""Registered metrics: VIP (mIoU, AP^r, AP^r_vol) and DAVIS (J, F)."""
from ..functional.vip_files import vip_prediction_from_sample
from .davis_metric import DAVISMetric
from .subset_metric import SubsetMetric
from .vip_metric import VIPMetric

__all__ = [
    'VIPMetric', 'DAVISMetric', 'vip_prediction_from_sample', 'SubsetMetric'
]
