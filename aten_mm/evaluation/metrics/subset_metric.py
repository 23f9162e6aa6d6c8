"""A metric restricted to the samples whose metainfo matches a value.

The synthetic accuracy study (paper Table 1 in miniature, §5.2) reports the
VIP metrics on all frames and on the degraded frames only (motion blur,
defocus, noise: the frames where ATEN's temporal encoder should help,
§4.3). ``SubsetMetric`` wraps any registered metric and forwards only the
samples whose ``metainfo[key]`` is one of ``values``; everything else is
the wrapped metric's own computation.
"""
from typing import Any, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from aten_mm.registry import METRICS

from ..functional.sample_access import get_field


@METRICS.register_module()
class SubsetMetric(BaseMetric):
    """Evaluate ``metric`` on the samples with ``metainfo[key] in values``.

    The wrapped metric reduces the kept samples in its ``process`` as usual;
    its per-sample records are collected here (so distributed collection
    works unchanged) and handed back to its ``compute_metrics``. The result
    also holds ``num_samples``, the number of samples kept.

    Args:
        metric (dict): Config of the wrapped metric (e.g.
            ``dict(type='VIPMetric')``).
        key (str): Metainfo key to test. Defaults to ``'degraded'``.
        values (Sequence): Accepted values. Defaults to ``(True,)``.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): Defaults to ``'subset'``; give each
            wrapper its own prefix (e.g. ``'degraded'``).

    Example:
        >>> val_evaluator = [
        ...     dict(type='VIPMetric'),
        ...     dict(type='SubsetMetric', metric=dict(type='VIPMetric'),
        ...          key='degraded', values=(True, ), prefix='degraded')]
    """
    default_prefix = 'subset'

    def __init__(self,
                 metric: dict,
                 key: str = 'degraded',
                 values: Sequence[Any] = (True, ),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not isinstance(metric, dict) or 'type' not in metric:
            raise ValueError('SubsetMetric: "metric" must be a metric config '
                             f'dict with a "type", got {metric!r}')
        if not isinstance(key, str) or not key:
            raise ValueError(f'SubsetMetric: "key" must be a metainfo key, '
                             f'got {key!r}')
        if isinstance(values, (str, bytes)) or not isinstance(
                values, Sequence):
            raise ValueError('SubsetMetric: "values" must be a list/tuple '
                             f'of accepted values, got {values!r}')
        self.metric = METRICS.build(metric)
        self.key = key
        self.values = tuple(values)

    def accepts(self, sample) -> bool:
        """Whether a sample's ``metainfo[key]`` is one of ``values``."""
        value = get_field(sample, self.key)
        if value is None:
            raise ValueError(
                f'SubsetMetric: a data sample has no metainfo {self.key!r} '
                f'(frame {get_field(sample, "img_path")}); the dataset must '
                'provide it')
        if hasattr(value, 'item'):
            value = value.item()
        return value in self.values

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Forward the accepted samples to the wrapped metric."""
        kept = [s for s in data_samples if self.accepts(s)]
        if not kept:
            return
        self.metric.process(data_batch, kept)
        self.results.extend(self.metric.results)
        self.metric.results.clear()

    def compute_metrics(self, results: List) -> dict:
        """The wrapped metric's numbers on the kept samples.

        Returns:
            dict: The wrapped metric's keys plus ``num_samples``.
        """
        print_log(f'{self.prefix}: '
                  f'{len(results)} samples with {self.key} in '
                  f'{list(self.values)}', logger='current')
        out = self.metric.compute_metrics(results) if results else {}
        out = dict(out)
        out['num_samples'] = len(results)
        return out
