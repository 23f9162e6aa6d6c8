"""End-point-error metric of a flow model (issue 13 §2)."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from aten_mm.registry import METRICS

from ..functional import flow_epe_summary, flow_epe_sums


def _numpy(x) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, 'detach') else \
        np.asarray(x)


@METRICS.register_module()
class FlowEPEMetric(BaseMetric):
    """Mean end-point error over valid pixels and over person pixels.

    ``EPE``: mean of ``||pred - gt||_2`` (pixels of the frames) over every
    valid ground-truth pixel of the set; ``EPE_person``: the same over the
    valid pixels of a person, on pairs whose frame ``t`` has a person
    annotation (``has_person``; un-annotated frames do not count there).
    Pixel-weighted over the whole set (:func:`flow_epe_summary`).

    Args:
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Metric-name prefix. Defaults to ``'flow'``.
    """

    default_prefix = 'flow'

    def __init__(self, collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep the four sums of each pair.

        Args:
            data_batch (dict): Unused.
            data_samples (Sequence[dict]): With ``pred_flow`` (2, H, W),
                ``gt_flow`` (2, H, W), ``gt_valid`` (H, W), ``gt_person``
                (H, W) and the meta ``has_person``.
        """
        for sample in data_samples:
            pred = _numpy(sample['pred_flow']).transpose(1, 2, 0)
            gt = _numpy(sample['gt_flow']).transpose(1, 2, 0)
            person = _numpy(sample['gt_person']) \
                if sample.get('has_person', False) else None
            self.results.append(flow_epe_sums(pred, gt,
                                              _numpy(sample['gt_valid']),
                                              person))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """``EPE`` and ``EPE_person`` (NaN when no person pixel)."""
        summary = flow_epe_summary(results)
        return dict(EPE=summary['EPE'], EPE_person=summary['EPE_person'])
