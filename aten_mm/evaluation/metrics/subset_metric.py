"""A metric restricted to the samples whose metainfo matches a value.

The synthetic accuracy study (paper Table 1 in miniature, §5.2) reports the
VIP metrics on all frames and on the degraded frames only (motion blur,
defocus, noise: the frames where ATEN's temporal encoder should help,
§4.3). ``SubsetMetric`` wraps any registered metric and forwards only the
samples whose ``metainfo[key]`` is one of ``values`` (or, with ``frames``,
whose video and frame id are listed); everything else is the wrapped
metric's own computation.
"""
from typing import Any, Dict, List, Optional, Sequence

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
        frames (dict, optional): ``{video_id: [frame_id, ...]}``: keep the
            samples whose ``video_id`` and ``frame_id`` are listed instead
            of testing ``key`` (e.g. the clean, hard or occluded frames
            listed in the synthetic set's meta files). Defaults to None.

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
                 prefix: Optional[str] = None,
                 frames: Optional[Dict[str, Sequence[int]]] = None) -> None:
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
        if frames is not None and not isinstance(frames, dict):
            raise ValueError('SubsetMetric: "frames" must be a dict '
                             '{video_id: [frame_id, ...]}, got '
                             f'{frames!r}')
        self.metric = METRICS.build(metric)
        self.key = key
        self.values = tuple(values)
        self.frames = None if frames is None else {
            str(v): {int(f) for f in ids} for v, ids in frames.items()}

    def accepts(self, sample) -> bool:
        """Whether a sample's ``metainfo[key]`` is one of ``values`` (with
        ``frames``: whether its video and frame id are listed)."""
        if self.frames is not None:
            video = get_field(sample, 'video_id')
            frame = get_field(sample, 'frame_id')
            if video is None or frame is None:
                raise ValueError(
                    'SubsetMetric: a data sample has no video_id / '
                    f'frame_id (frame {get_field(sample, "img_path")}); '
                    'selecting by frames needs both')
            return int(frame) in self.frames.get(str(video), ())
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
        rule = ('in the listed frames' if self.frames is not None else
                 f'with {self.key} in {list(self.values)}')
        print_log(f'{self.prefix}: {len(results)} samples {rule}',
                  logger='current')
        out = self.metric.compute_metrics(results) if results else {}
        out = dict(out)
        out['num_samples'] = len(results)
        return out
