"""The official VIP metrics as an mmengine metric (paper §5.1, Table 1)."""
import os.path as osp
from typing import List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from aten_mm.datasets.vip_classes import VIP_CLASSES
from aten_mm.registry import METRICS

from ..functional import (
    PART_IOU_THRS,
    PERSON_IOU_THRS,
    load_vip_gt,
    vip_frame_record,
    vip_prediction_from_sample,
    vip_summary,
    write_vip_prediction,
)
from ..functional.sample_access import get_field

GT_KEYS = ('seg_map_path', 'human_map_path', 'instance_map_path',
           'instance_txt_path')


def frame_identity(sample) -> tuple:
    """``(video_id, frame_name)`` from the metainfo (frame name = the stem
    of ``seg_map_path``, else of ``img_path``)."""
    path = get_field(sample, 'seg_map_path') or get_field(
        sample, 'img_path')
    if path is None:
        raise ValueError('a data sample has neither seg_map_path nor '
                         'img_path; cannot name its frame')
    video_id = get_field(sample, 'video_id') or osp.basename(
        osp.dirname(path))
    return str(video_id), osp.splitext(osp.basename(path))[0]


@METRICS.register_module()
class VIPMetric(BaseMetric):
    """Mean IoU, AP^r and AP^r_vol of the VIP protocol
    (docs/vip_protocol.md §4–6).

    ``process`` reads each frame's ground truth at original size from the
    paths in its metainfo (see ``docs/interfaces.md``) and keeps only a
    compact record (:func:`vip_frame_record`); ``compute_metrics`` ranks
    all predictions of the split (:func:`vip_summary`). Results are given
    in percent. Samples without ``seg_map_path`` are counted and reported
    as not evaluable.

    Args:
        num_classes (int): Parsing classes incl. background. Defaults to 20.
        class_names (Sequence[str], optional): Defaults to ``VIP_CLASSES``.
        out_dir (str, optional): When set, the official prediction files
            (docs/vip_protocol.md §3) of every evaluated frame are written
            there.
        write_unannotated (bool): Also write frames without ground truth
            (e.g. the test split). Defaults to False.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): Defaults to ``'vip'``.
    """
    default_prefix = 'vip'

    def __init__(self,
                 num_classes: int = 20,
                 class_names: Optional[Sequence[str]] = None,
                 out_dir: Optional[str] = None,
                 write_unannotated: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix,
                         **kwargs)
        self.num_classes = num_classes
        self.class_names = tuple(class_names or VIP_CLASSES)
        if len(self.class_names) != num_classes:
            raise ValueError(f'{len(self.class_names)} class names for '
                             f'{num_classes} classes')
        self.out_dir = out_dir
        self.write_unannotated = write_unannotated

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Reduce each output sample to a frame record (small arrays)."""
        for sample in data_samples:
            pred = vip_prediction_from_sample(sample)
            video_id, frame = frame_identity(sample)
            annotated = get_field(sample, 'seg_map_path') is not None
            if self.out_dir is not None and (annotated
                                             or self.write_unannotated):
                write_vip_prediction(self.out_dir, video_id, frame, pred)
            if not annotated:
                self.results.append(
                    dict(key=f'{video_id}/{frame}', evaluable=False))
                continue
            paths = {}
            for k in GT_KEYS:
                paths[k] = get_field(sample, k)
                if paths[k] is None:
                    raise ValueError(f'frame {video_id}/{frame} has '
                                     f'seg_map_path but no {k!r} in its '
                                     'metainfo')
            gt = load_vip_gt(num_classes=self.num_classes, **paths)
            self.results.append(self.frame_record(gt, pred,
                                                  f'{video_id}/{frame}'))

    def frame_record(self, gt: dict, pred: dict, key: str) -> dict:
        """The record of one frame given both evaluated forms (also used
        by ``tools/analysis_tools/eval_vip.py``)."""
        return vip_frame_record(gt, pred, key, self.num_classes)

    def compute_metrics(self, results: List[dict]) -> dict:
        """Dataset-level scores in percent, logged as a Table-1-like table.

        Returns:
            dict: ``mIoU``, ``aAcc``, ``mAcc``, ``fwIoU``, ``IoU.<class>``,
            ``APr``, ``APr@0.5/0.6/0.7``, ``APr_vol``,
            ``APr_vol@0.5/0.6/0.7``, ``APr_vol_nanmean`` (all in %).
        """
        skipped = [r for r in results if r.get('evaluable') is False]
        records = [r for r in results if r.get('evaluable') is not False]
        if skipped:
            print_log(
                f'VIPMetric: {len(skipped)} of {len(results)} frames have '
                'no ground truth (no seg_map_path) and are not evaluated',
                logger='current', level=30)
        if not records:
            print_log('VIPMetric: no frame with ground truth; no scores',
                      logger='current', level=30)
            return {}
        s = vip_summary(records, self.num_classes)
        if s['part_classes_without_gt']:
            names = [self.class_names[c] for c in s['part_classes_without_gt']]
            print_log(
                f'VIPMetric: part classes without any ground truth: {names}'
                '; their AP is NaN, so the official APr_vol is NaN. '
                'APr_vol_nanmean (mean over classes with GT) is reported '
                'as a labelled alternative.', logger='current', level=30)
        if s['num_gt_persons'] == 0:
            print_log('VIPMetric: no ground-truth person in any frame; '
                      'APr is NaN', logger='current', level=30)
        out = self._as_percent(s)
        print_log('\n' + self._format(s, out), logger='current')
        return out

    def _as_percent(self, s: dict) -> dict:
        out = dict(mIoU=s['mIoU'], aAcc=s['aAcc'], mAcc=s['mAcc'],
                   fwIoU=s['fwIoU'])
        for name, v in zip(self.class_names, s['IoU']):
            out[f'IoU.{name}'] = v
        out['APr'] = s['APr']
        for t, v in zip(PERSON_IOU_THRS, s['person_aps']):
            out[f'APr@{t:g}'] = v
        out['APr_vol'] = s['APr_vol']
        for t, v in zip(PART_IOU_THRS, s['part_map_per_thr']):
            out[f'APr_vol@{t:g}'] = v
        out['APr_vol_nanmean'] = s['APr_vol_nanmean']
        return {k: float(v) * 100 for k, v in out.items()}

    def _format(self, s: dict, out: dict) -> str:
        def f(v):
            return f'{v:.1f}'

        def at(name):
            return ' / '.join(f(out[f'{name}@{t}']) for t in (0.5, 0.6, 0.7))

        head = ['mean IoU', 'APr @.5/.6/.7', 'APr', 'APr_vol @.5/.6/.7',
                'APr_vol', 'APr_vol (nanmean)']
        row = [f(out['mIoU']), at('APr'), f(out['APr']), at('APr_vol'),
               f(out['APr_vol']), f(out['APr_vol_nanmean'])]
        lines = [f'VIP evaluation ({s["num_frames"]} frames, '
                 f'{s["num_gt_persons"]} GT / {s["num_pred_persons"]} '
                 'predicted persons), in %:', _table([head, row])]
        rows = [['class', 'IoU', 'part AP@0.5', 'GT parts']]
        for c, name in enumerate(self.class_names):
            ap = '-' if c == 0 else f(s['part_aps'][c - 1, 4] * 100)
            gt = '-' if c == 0 else str(int(s['part_gt_counts'][c]))
            rows.append([name, f(s['IoU'][c] * 100), ap, gt])
        lines.append(_table(rows))
        lines.append(f'aAcc {f(out["aAcc"])}  mAcc {f(out["mAcc"])}  '
                     f'fwIoU {f(out["fwIoU"])}')
        return '\n'.join(lines)


def _table(rows: List[List[str]]) -> str:
    """Plain-text table, first row = header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    sep = '+' + '+'.join('-' * (w + 2) for w in widths) + '+'

    def line(r):
        return '| ' + ' | '.join(c.ljust(w) for c, w in zip(r, widths)) + \
            ' |'

    return '\n'.join([sep, line(rows[0]), sep] + [line(r) for r in rows[1:]]
                     + [sep])
