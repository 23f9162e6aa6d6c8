"""DAVISMetric: per-frame records, sequence grouping, 2 processes = 1."""
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import PixelData
from PIL import Image

from aten_mm.evaluation import DAVISMetric


def _sample(tmp_path, video, frame, gt, pred):
    d = tmp_path / video
    d.mkdir(exist_ok=True)
    path = str(d / f'{frame:05d}.png')
    Image.fromarray(gt.astype(np.uint8)).save(path)
    s = DetDataSample(metainfo=dict(video_id=video, frame_id=frame,
                                    seg_map_path=path))
    s.pred_sem_seg = PixelData(sem_seg=torch.as_tensor(pred)[None].long())
    return s.to_dict()


@pytest.fixture
def results(tmp_path):
    gt = np.zeros((20, 20), np.uint8)
    gt[:, :10] = 255  # any non-zero value is foreground
    out = []
    # seq a: J = 1, 0.5 (pred cols < 5), 1 ... ; seq b: J = 0 always
    for frame, cols in enumerate([10, 5, 10, 10, 10]):
        pred = np.zeros((20, 20), int)
        pred[:, :cols] = 1
        out.append(('a', frame, gt, pred))
    for frame in range(3):
        out.append(('b', frame, gt, 2 * (gt > 0)))  # class 2 is not fg
    metric = DAVISMetric()
    metric.process(None, [_sample(tmp_path, *r) for r in out])
    return metric.results


def test_scores(results):
    metric = DAVISMetric()
    s = metric.compute_metrics(results)
    # DAVIS-2016: a keeps frames 1..3 -> J .5, 1, 1; b keeps frame 1 -> 0
    assert s['J_mean'] == pytest.approx((2.5 / 3 + 0) / 2 * 100)
    assert s['J_recall'] == pytest.approx((2 / 3) / 2 * 100)
    metric = DAVISMetric(drop_first_last=False)
    s = metric.compute_metrics(results)
    assert s['J_mean'] == pytest.approx((4.5 / 5 + 0) / 2 * 100)
    assert s['JF_mean'] == pytest.approx((s['J_mean'] + s['F_mean']) / 2)


def test_two_processes_equal_one(results):
    metric = DAVISMetric()
    one = metric.compute_metrics(results)
    two = metric.compute_metrics(results[1::2] + results[0::2])
    assert one == two


def test_size_mismatch(tmp_path):
    s = _sample(tmp_path, 'a', 0, np.zeros((4, 4)), np.zeros((4, 5)))
    with pytest.raises(ValueError, match='00000.png'):
        DAVISMetric().process(None, [s])


def test_out_dir_writes_result_pngs(tmp_path):
    gt = np.zeros((4, 6), np.uint8)
    pred = np.zeros((4, 6), int)
    pred[1:3, 2:5] = 1
    pred[0, 0] = 2  # class 2 is not foreground
    annotated = _sample(tmp_path, 'a', 3, gt, pred)
    bare = dict(annotated, seg_map_path=None,
                img_path=str(tmp_path / 'a' / '00004.jpg'))
    out = tmp_path / 'out'
    DAVISMetric(out_dir=str(out)).process(None, [annotated, bare])
    assert sorted(p.name for p in (out / 'a').iterdir()) == ['00003.png']
    np.testing.assert_array_equal(
        np.array(Image.open(out / 'a' / '00003.png')), pred == 1)
    DAVISMetric(out_dir=str(out), write_unannotated=True).process(
        None, [bare])
    assert sorted(p.name for p in (out / 'a').iterdir()) == [
        '00003.png', '00004.png']
