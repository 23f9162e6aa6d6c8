"""DAVIS J & F as an mmengine metric (paper §5.3, Table 2)."""
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from aten_mm.registry import METRICS

from ..functional import (
    davis_f,
    davis_j,
    davis_summary,
    read_label_png,
    write_davis_prediction,
)
from ..functional.sample_access import get_field, to_numpy
from .vip_metric import frame_identity


def davis_foreground(sample) -> np.ndarray:
    """The predicted foreground ``(H, W)`` bool mask of an output sample
    (``pred_sem_seg.sem_seg == 1``)."""
    sem = get_field(sample, 'pred_sem_seg')
    if sem is None:
        raise ValueError('DAVISMetric needs pred_sem_seg')
    pred = to_numpy(get_field(sem, 'sem_seg'))
    return pred.reshape(pred.shape[-2:]) == 1


def davis_mode_name(drop_first_last: bool) -> str:
    """Human-readable name of the frame selection rule."""
    return ('DAVIS-2016 toolkit (first and last frame of each sequence '
            'dropped)' if drop_first_last else
            'davis2017 toolkit, unsupervised (all frames)')


@METRICS.register_module()
class DAVISMetric(BaseMetric):
    """Region similarity J and contour accuracy F (docs/davis_protocol.md).

    ``process`` computes per-frame J and F from the ground truth at
    ``seg_map_path`` (any non-zero pixel = foreground) and
    ``pred_sem_seg.sem_seg`` (class 1 = foreground) and keeps one record
    per ``(video_id, frame_id)``; ``compute_metrics`` gives per-sequence
    mean / recall / decay and their means over sequences, in percent.

    With ``out_dir`` the predicted masks are also written as DAVIS result
    PNGs (``<out_dir>/<sequence>/<annotation stem>.png``, see
    :func:`write_davis_prediction`), one for every evaluated frame, so
    ``tools/analysis_tools/eval_davis.py`` on that folder gives the same
    numbers.

    Args:
        drop_first_last (bool): True = DAVIS-2016 behaviour (default),
            False = davis2017 unsupervised (keep all frames).
        out_dir (str, optional): Where to write the result PNGs.
        write_unannotated (bool): Also write frames without an annotation
            (named after their image). Defaults to False.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): Defaults to ``'davis'``.
    """
    default_prefix = 'davis'

    def __init__(self,
                 drop_first_last: bool = True,
                 out_dir: Optional[str] = None,
                 write_unannotated: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix,
                         **kwargs)
        self.drop_first_last = drop_first_last
        self.out_dir = out_dir
        self.write_unannotated = write_unannotated

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Compute J and F of each frame; keep ``(video, frame, J, F)``."""
        for sample in data_samples:
            path = get_field(sample, 'seg_map_path')
            if path is None:
                if self.out_dir is not None and self.write_unannotated:
                    write_davis_prediction(self.out_dir,
                                           *frame_identity(sample),
                                           davis_foreground(sample))
                self.results.append(dict(evaluable=False))
                continue
            video = get_field(sample, 'video_id') or osp.basename(
                osp.dirname(path))
            frame = get_field(sample, 'frame_id')
            if frame is None:
                frame = int(osp.splitext(osp.basename(path))[0])
            pred = davis_foreground(sample)
            gt = read_label_png(path) != 0
            if pred.shape != gt.shape:
                raise ValueError(f'{path}: prediction size {pred.shape} '
                                 f'differs from the annotation {gt.shape}')
            if self.out_dir is not None:
                write_davis_prediction(self.out_dir, str(video),
                                       frame_identity(sample)[1], pred)
            self.results.append(self.frame_record(str(video), int(frame),
                                                  pred, gt))

    @staticmethod
    def frame_record(video: str, frame: int, pred: np.ndarray,
                     gt: np.ndarray) -> dict:
        """Record of one frame (also used by ``eval_davis.py``)."""
        return dict(video=video, frame=frame, J=davis_j(pred, gt),
                    F=davis_f(pred, gt))

    def compute_metrics(self, results: List[dict]) -> dict:
        """Dataset scores in percent: ``J_mean``, ``J_recall``,
        ``J_decay``, ``F_mean``, ``F_recall``, ``F_decay``, ``JF_mean``."""
        skipped = sum(1 for r in results if r.get('evaluable') is False)
        if skipped:
            print_log(f'DAVISMetric: {skipped} of {len(results)} frames '
                      'have no annotation (no seg_map_path) and are not '
                      'evaluated', logger='current', level=30)
        frames = {}
        for r in results:
            if r.get('evaluable') is not False:
                frames[(r['video'], r['frame'])] = r
        if not frames:
            print_log('DAVISMetric: no annotated frame; no scores',
                      logger='current', level=30)
            return {}
        sequences = {}
        for (video, frame), r in frames.items():
            sequences.setdefault(video, []).append((frame, r['J'], r['F']))
        s = davis_summary(sequences, self.drop_first_last)
        out = {k: v * 100 for k, v in s.items() if k != 'per_sequence'}
        print_log(format_davis(s, self.drop_first_last), logger='current')
        return out


def format_davis(summary: dict, drop_first_last: bool) -> str:
    """Per-sequence and overall table (percent), naming the frame rule."""
    keys = ('J_mean', 'J_recall', 'J_decay', 'F_mean', 'F_recall',
            'F_decay')
    lines = [f'DAVIS evaluation, {davis_mode_name(drop_first_last)}:',
             f'{"sequence":<24}' + ''.join(f'{k:>10}' for k in keys)]
    for name, s in summary['per_sequence'].items():
        lines.append(f'{name:<24}' +
                     ''.join(f'{s[k] * 100:>10.1f}' for k in keys))
    lines.append(f'{"mean":<24}' +
                 ''.join(f'{summary[k] * 100:>10.1f}' for k in keys))
    lines.append(f'J&F-mean {summary["JF_mean"] * 100:.1f}')
    return '\n'.join(lines)
