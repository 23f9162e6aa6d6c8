"""VIPMetric on a 4-frame toy set whose scores are worked out by hand.

Frames are 4x4, three classes (0 bg, 1, 2) unless said otherwise.

- v1/1: GT persons = left / right two columns, parts = (top, bottom) x
  person (ids 1, 2, 21, 22). Predicted persons: cols 0-2 (0.9, IoU 2/3),
  col 3 (0.8, IoU exactly 0.5 -> never a hit at t = 0.5). Parts: class 1
  top cols 0-2 (0.6, IoU 2/3), class 2 bottom cols 0-2 (0.5, IoU 2/3),
  class 2 top col 3 (0.4, only on a class-1 GT part -> IoU 0).
- v1/26: one GT person (rows 0-1). Persons: row 3 (0.95, IoU 0), rows 0-1
  (0.7, IoU 1). Parts: class 1 rows 0-1 (0.9, IoU 1), row 3 (0.2, IoU 0).
- v2/1: no GT at all; person row 0 (0.85) and part class 2 (0.8): FPs.
- v2/26: one GT person (col 0, part class 2), no prediction.

Persons: 4 GT; ranked IoUs 0, 2/3, 0, .5, 1 -> AP = .25*.5 + .25*.4 =
.225 for t < 2/3, .25*.2 = .05 above; APr = (4*.225 + 6*.05) / 10 = .12.
Parts: class 1 (3 GT): ranked 1, 2/3, 0 -> 2/3 (t <= .6), 1/3 (t >= .7);
class 2 (3 GT): ranked 0, 2/3, 0 -> 1/6 (t <= .6), 0 -> APr_vol = 1/3.
Confusion (rows GT): [[31, 4, 0], [1, 15, 0], [4, 1, 7]].
"""
import math

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.evaluator import Evaluator
from mmengine.structures import InstanceData, PixelData
from PIL import Image

from aten_mm.evaluation import VIPMetric
from aten_mm.evaluation.functional import load_vip_prediction

IOU = [31 / 40, 15 / 21, 7 / 12]
EXPECTED = {
    'mIoU': np.mean(IOU) * 100,
    'aAcc': 53 / 63 * 100,
    'mAcc': np.mean([31 / 35, 15 / 16, 7 / 12]) * 100,
    'IoU.c1': 15 / 21 * 100,
    'APr': 12.0,
    'APr@0.5': 22.5,
    'APr@0.6': 22.5,
    'APr@0.65': 22.5,
    'APr@0.7': 5.0,
    'APr_vol': 100 / 3,
    'APr_vol@0.5': 500 / 12,
    'APr_vol@0.6': 500 / 12,
    'APr_vol@0.7': 100 / 6,
    'APr_vol_nanmean': 100 / 3,
}


def _rows(*rows):
    m = np.zeros((4, 4), int)
    m[list(rows)] = 1
    return m


def _cols(*cols):
    m = np.zeros((4, 4), int)
    m[:, list(cols)] = 1
    return m


def _frames():
    """(video, frame, gt dict, pred dict) of the 4 frames above."""
    top, bottom = _rows(0, 1), _rows(2, 3)
    f1_gt = dict(
        sem=top + 2 * bottom, person=_cols(0, 1) + 2 * _cols(2, 3),
        part=(top * _cols(0, 1) + 2 * bottom * _cols(0, 1) +
              21 * top * _cols(2, 3) + 22 * bottom * _cols(2, 3)),
        table='1 1 1\n2 2 1\n21 1 2\n22 2 2\n')
    f1_sem = f1_gt['sem'].copy()
    f1_sem[0, 3], f1_sem[3, 3] = 0, 1
    f1_pred = dict(
        sem=f1_sem, persons=[(_cols(0, 1, 2), 0.9), (_cols(3), 0.8)],
        parts=[(top * _cols(0, 1, 2), 1, 0.6),
               (bottom * _cols(0, 1, 2), 2, 0.5), (top * _cols(3), 2, 0.4)])
    f2_gt = dict(sem=top, person=top, part=top, table='1 1 1\n')
    f2_pred = dict(sem=top + _rows(3), persons=[(_rows(3), 0.95),
                                                (top, 0.7)],
                   parts=[(top, 1, 0.9), (_rows(3), 1, 0.2)])
    f3_sem = np.zeros((4, 4), int)
    f3_sem[0, 0] = 255
    f3_gt = dict(sem=f3_sem, person=0 * top, part=0 * top, table='')
    f3_pred_sem = np.zeros((4, 4), int)
    f3_pred_sem[0, 0] = 2  # on an ignored pixel
    f3_pred = dict(sem=f3_pred_sem, persons=[(_rows(0), 0.85)],
                   parts=[(_rows(0), 2, 0.8)])
    f4_gt = dict(sem=2 * _cols(0), person=_cols(0), part=2 * _cols(0),
                 table='2 2 1\n')
    f4_pred = dict(sem=0 * top, persons=[], parts=[])
    return [('v1', '000000000001', f1_gt, f1_pred),
            ('v1', '000000000026', f2_gt, f2_pred),
            ('v2', '000000000001', f3_gt, f3_pred),
            ('v2', '000000000026', f4_gt, f4_pred)]


def write_gt(root, video, frame, gt):
    """Write one frame's GT in the VIP layout; returns the metainfo."""
    paths = {}
    for key, kind, arr in (('seg_map_path', 'Category_ids', gt['sem']),
                           ('human_map_path', 'Human_ids', gt['person']),
                           ('instance_map_path', 'Instance_ids',
                            gt['part'])):
        d = root / 'VIP_Fine' / 'Annotations' / kind / video
        d.mkdir(parents=True, exist_ok=True)
        paths[key] = str(d / f'{frame}.png')
        Image.fromarray(arr.astype(np.uint8)).save(paths[key])
    paths['instance_txt_path'] = paths['instance_map_path'][:-4] + '.txt'
    with open(paths['instance_txt_path'], 'w') as f:
        f.write(gt['table'])
    return dict(video_id=video, **paths)


def make_sample(meta, pred, shape=(4, 4)):
    """An output DetDataSample with the fields the models fill."""
    sample = DetDataSample(metainfo=meta)
    sample.pred_sem_seg = PixelData(
        sem_seg=torch.as_tensor(pred['sem'])[None].long())

    def masks(items):
        if not items:
            return torch.zeros((0, ) + shape, dtype=torch.bool)
        return torch.stack([torch.as_tensor(i[0]).bool() for i in items])

    sample.pred_instances = InstanceData(
        masks=masks(pred['persons']),
        scores=torch.tensor([p[1] for p in pred['persons']]))
    sample.pred_part_instances = InstanceData(
        masks=masks(pred['parts']),
        labels=torch.tensor([p[1] for p in pred['parts']], dtype=torch.long),
        scores=torch.tensor([p[2] for p in pred['parts']]))
    return sample


@pytest.fixture
def samples(tmp_path):
    return [
        make_sample(write_gt(tmp_path, v, f, gt), pred)
        for v, f, gt, pred in _frames()
    ]


def _metric(**kwargs):
    return VIPMetric(num_classes=3, class_names=('bg', 'c1', 'c2'), **kwargs)


def _check(scores):
    for key, value in EXPECTED.items():
        assert scores[key] == pytest.approx(value, abs=1e-9), key


def test_hand_computed_scores(samples):
    metric = _metric()
    metric.process(None, [s.to_dict() for s in samples])
    _check(metric.compute_metrics(metric.results))


def test_two_processes_equal_one(samples):
    metric = _metric()
    metric.process(None, [s.to_dict() for s in samples])
    records = metric.results
    rank0, rank1 = records[1::2], records[0::2]  # interleaved sampler
    one = metric.compute_metrics(records)
    two = metric.compute_metrics(rank1 + rank0)
    assert one.keys() == two.keys()
    for k in one:
        assert one[k] == two[k] or (math.isnan(one[k])
                                    and math.isnan(two[k])), k


def test_evaluator_prefix_and_unannotated_frames(samples):
    extra = make_sample(dict(video_id='v3', img_path='x/v3/000000000002.jpg'),
                        _frames()[3][3])
    evaluator = Evaluator(_metric())
    evaluator.process(data_samples=samples + [extra])
    scores = evaluator.evaluate(len(samples) + 1)
    assert scores['vip/APr'] == pytest.approx(12.0)
    assert scores['vip/mIoU'] == pytest.approx(EXPECTED['mIoU'])


def test_class_without_gt_gives_nan(samples):
    metric = VIPMetric()  # 20 classes: 3..19 have no GT in the toy set
    metric.process(None, samples)
    scores = metric.compute_metrics(metric.results)
    assert math.isnan(scores['APr_vol'])
    assert math.isnan(scores['APr_vol@0.5'])
    assert scores['APr_vol_nanmean'] == pytest.approx(100 / 3)
    assert scores['mIoU'] == pytest.approx(EXPECTED['mIoU'])  # skipped
    assert scores['APr'] == pytest.approx(12.0)


def test_out_dir_writes_official_files(samples, tmp_path):
    out = tmp_path / 'pred'
    metric = _metric(out_dir=str(out))
    metric.process(None, samples)
    back = load_vip_prediction(str(out), 'v1', '000000000026')
    np.testing.assert_array_equal(back['person_map'][3], [1, 1, 1, 1])
    assert back['person_scores'].tolist() == [0.95, 0.7]
    assert back['part_labels'].tolist() == [1, 1]


def test_prediction_size_mismatch(samples):
    bad = make_sample(samples[0].metainfo,
                      dict(sem=np.zeros((4, 5), int), persons=[], parts=[]),
                      shape=(4, 5))
    with pytest.raises(ValueError, match='v1/000000000001'):
        _metric().process(None, [bad])
