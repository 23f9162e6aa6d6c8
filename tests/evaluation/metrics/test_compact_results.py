"""Compact samples: RLE masks round-trip exactly, no ground truth, safe
reading."""
import pickle

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData, PixelData

from aten_mm.evaluation.metrics import (
    DumpParsingResults,
    compact_sample,
    expand_sample,
    load_compact_results,
    vip_prediction_from_sample,
)


def _sample(rng, with_instances=True):
    h, w = 7, 9
    s = DetDataSample(metainfo=dict(
        video_id='videos3', frame_id=26, img_path='/d/videos3/x.jpg',
        seg_map_path='/d/videos3/000000000026.png', ori_shape=(h, w),
        flip=False))
    s.pred_sem_seg = PixelData(
        sem_seg=torch.as_tensor(rng.integers(0, 20, (1, h, w))))
    s.gt_sem_seg = PixelData(sem_seg=torch.zeros(1, h, w, dtype=torch.long))
    if with_instances:
        s.pred_instances = InstanceData(
            masks=torch.as_tensor(rng.random((3, h, w)) > .5),
            scores=torch.tensor([.9, .51234567, .3]),
            labels=torch.zeros(3, dtype=torch.long))
        s.pred_part_instances = InstanceData(
            masks=torch.zeros(0, h, w, dtype=torch.bool),
            scores=torch.zeros(0), labels=torch.zeros(0, dtype=torch.long))
    return s


def test_round_trip_is_exact():
    rng = np.random.default_rng(0)
    s = _sample(rng)
    c = compact_sample(s.to_dict())
    assert not [k for k in c if k.startswith('gt_')] and 'flip' not in c
    assert c['ori_shape'] == [7, 9]
    assert all(isinstance(r['counts'], bytes)
               for r in c['pred_instances']['masks'])
    # plain values only: no class or function in the pickle
    assert b'numpy' not in pickle.dumps(c) and b'torch' not in pickle.dumps(c)
    e = expand_sample(c)
    np.testing.assert_array_equal(e['pred_sem_seg']['sem_seg'],
                                  s.pred_sem_seg.sem_seg.numpy())
    np.testing.assert_array_equal(e['pred_instances']['masks'],
                                  s.pred_instances.masks.numpy())
    assert e['pred_part_instances']['masks'].shape == (0, 7, 9)
    a = vip_prediction_from_sample(s.to_dict())
    b = vip_prediction_from_sample(e)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
        assert a[k].dtype == b[k].dtype, k


def test_without_instances_and_all_background():
    s = _sample(np.random.default_rng(1), with_instances=False)
    s.pred_sem_seg = PixelData(sem_seg=torch.zeros(1, 4, 5).long())
    c = compact_sample(s)
    assert c['pred_sem_seg']['classes'] == [] and 'pred_instances' not in c
    assert expand_sample(c)['pred_sem_seg']['sem_seg'].shape == (1, 4, 5)
    assert not expand_sample(c)['pred_sem_seg']['sem_seg'].any()


def test_dump_metric_and_safe_reader(tmp_path):
    path = str(tmp_path / 'r.pkl')
    metric = DumpParsingResults(out_file_path=path)
    rng = np.random.default_rng(2)
    samples = [_sample(rng).to_dict() for _ in range(2)]
    metric.process(None, samples)
    metric.compute_metrics(metric.results)
    back = load_compact_results(path)
    assert back == [compact_sample(s) for s in samples]
    bad = tmp_path / 'bad.pkl'
    bad.write_bytes(pickle.dumps([dict(pred_sem_seg=np.zeros(2))]))
    with pytest.raises(ValueError, match='bad.pkl.*numpy'):
        load_compact_results(str(bad))
    bad.write_bytes(pickle.dumps(dict(a=1)))
    with pytest.raises(ValueError, match='list of compact samples'):
        load_compact_results(str(bad))
    with pytest.raises(FileNotFoundError, match='nope.pkl'):
        load_compact_results(str(tmp_path / 'nope.pkl'))
