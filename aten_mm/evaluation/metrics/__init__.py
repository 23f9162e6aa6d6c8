"""Registered metrics: VIP (mIoU, AP^r, AP^r_vol) and DAVIS (J, F)."""
from .davis_metric import DAVISMetric
from .subset_metric import SubsetMetric
from .vip_metric import VIPMetric, vip_prediction_from_sample

__all__ = [
    'VIPMetric', 'DAVISMetric', 'vip_prediction_from_sample', 'SubsetMetric'
]
