"""SubsetMetric: a wrapped VIPMetric sees exactly the selected frames."""
import numpy as np
import pytest
import torch
from PIL import Image

from aten_mm.datasets import VIPDataset
from aten_mm.registry import METRICS


@pytest.fixture(scope='module')
def frames(tmp_path_factory):
    """Val frames of a tiny set (every frame annotated, half degraded)."""
    from aten_mm.datasets.synthetic import generate_dataset
    root = str(tmp_path_factory.mktemp('subset') / 'set')
    generate_dataset(root, num_videos=3, num_frames=8, size=(64, 48),
                     annotate_every=1, degrade_ratio=0.5, seed=2,
                     progress=False)
    ds = VIPDataset(data_root=root, split='val', test_mode=True,
                    pipeline=[], clip_cfg=dict(mode='single'))
    return [ds.get_data_info(i) for i in range(len(ds))]


def sample(info, perfect):
    """A dict sample as the evaluator hands it: metainfo + a prediction
    equal to the ground truth (perfect) or all background."""
    gt = np.array(Image.open(info['seg_map_path'])).astype(np.int64)
    pred = gt if perfect else np.zeros_like(gt)
    return dict(info, pred_sem_seg=dict(sem_seg=torch.from_numpy(pred)[None]))


def evaluate(metric, samples):
    for s in samples:
        metric.process({}, [s])
    return metric.compute_metrics(metric.results)


def test_only_selected_frames_reach_the_inner_metric(frames):
    degraded = [f for f in frames if f['degraded']]
    assert 0 < len(degraded) < len(frames)
    # perfect on degraded frames, all background elsewhere
    samples = [sample(f, f['degraded']) for f in frames]
    sub = METRICS.build(dict(type='SubsetMetric',
                             metric=dict(type='VIPMetric'),
                             key='degraded', values=[True],
                             prefix='degraded'))
    out = evaluate(sub, samples)
    assert out['num_samples'] == len(degraded)
    assert out['mIoU'] == pytest.approx(100.0)
    # the same frames through a plain VIPMetric give the same numbers
    plain = evaluate(METRICS.build(dict(type='VIPMetric')),
                     [sample(f, True) for f in degraded])
    assert plain['mIoU'] == pytest.approx(out['mIoU'])
    # all frames: the background-only frames pull the mean down
    everything = METRICS.build(dict(type='SubsetMetric',
                                    metric=dict(type='VIPMetric'),
                                    values=[True, False], prefix='all'))
    out_all = evaluate(everything, samples)
    assert out_all['num_samples'] == len(frames)
    assert out_all['mIoU'] < 99.0
    full = evaluate(METRICS.build(dict(type='VIPMetric')), samples)
    assert full['mIoU'] == pytest.approx(out_all['mIoU'])


def test_errors(frames):
    with pytest.raises(ValueError, match='metric'):
        METRICS.build(dict(type='SubsetMetric', metric='VIPMetric'))
    with pytest.raises(ValueError, match='values'):
        METRICS.build(dict(type='SubsetMetric',
                           metric=dict(type='VIPMetric'), values='yes'))
    metric = METRICS.build(dict(type='SubsetMetric',
                                metric=dict(type='VIPMetric'),
                                key='missing_key'))
    with pytest.raises(ValueError, match='missing_key'):
        metric.process({}, [sample(frames[0], True)])


def test_frames_select_by_video_and_frame_id(frames):
    # three frames by video and frame id; the degraded flag plays no part
    chosen = [frames[0], frames[2], frames[-1]]
    assert len({id(f) for f in chosen}) == 3
    listed = {}
    for f in chosen:
        listed.setdefault(f['video_id'], []).append(f['frame_id'])
    first = frames[0]['video_id']
    is_chosen = [any(f is c for c in chosen) for f in frames]
    samples = [sample(f, ok) for f, ok in zip(frames, is_chosen)]
    sub = METRICS.build(dict(type='SubsetMetric',
                             metric=dict(type='VIPMetric'), frames=listed,
                             prefix='listed'))
    out = evaluate(sub, samples)
    assert out['num_samples'] == 3
    assert out['mIoU'] == pytest.approx(100.0)  # perfect on exactly those
    # a frame id of another video is not taken
    other = METRICS.build(dict(type='SubsetMetric',
                               metric=dict(type='VIPMetric'),
                               frames={'no_such_video': listed[first]}))
    assert evaluate(other, samples)['num_samples'] == 0
    with pytest.raises(ValueError, match='frames'):
        METRICS.build(dict(type='SubsetMetric',
                           metric=dict(type='VIPMetric'), frames=[1, 2]))
    bare = {k: v for k, v in frames[0].items() if k != 'frame_id'}
    with pytest.raises(ValueError, match='frame_id'):
        sub.process({}, [sample(bare, True)])
