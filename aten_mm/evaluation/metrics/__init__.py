"""Registered metrics: VIP (mIoU, AP^r, AP^r_vol), DAVIS (J, F), flow EPE."""
from .davis_metric import DAVISMetric
from .flow_epe_metric import FlowEPEMetric
from .subset_metric import SubsetMetric
from .vip_metric import VIPMetric, vip_prediction_from_sample

__all__ = [
    'VIPMetric', 'DAVISMetric', 'FlowEPEMetric', 'vip_prediction_from_sample',
    'SubsetMetric'
]
