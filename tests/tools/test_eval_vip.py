"""eval_vip.py: official files written by VIPMetric(out_dir) evaluate to the
same numbers as the in-memory metric; a missing file is an error."""
import json
import math
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData, PixelData
from PIL import Image

from aten_mm.evaluation import VIPMetric, fuse_instance_parsing
from aten_mm.evaluation.functional import (
    read_frame_list,
    vip_prediction_paths,
)

H, W = 24, 32


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('tools/analysis_tools/eval_vip.py')


def _save(path, arr):
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(arr.astype(np.uint8)).save(path)


def _random_frame(rng, ann, video, frame):
    """Write a random GT frame; return (metainfo, GT boxes)."""
    human = np.zeros((H, W), int)
    boxes = []
    for pid in range(1, rng.integers(1, 4) + 1):
        y, x = rng.integers(0, H - 8), rng.integers(0, W - 8)
        hh, ww = rng.integers(6, 12), rng.integers(6, 12)
        human[y:y + hh, x:x + ww] = pid
        boxes.append((y, x, hh, ww))
    cat = np.where(human > 0, rng.integers(1, 4, (H, W)), 0)
    cat[0, 0] = 255
    inst = np.where(cat % 255 > 0, (human - 1) * 20 + cat, 0)
    paths = {
        k: osp.join(ann, d, video, f'{frame}.png')
        for k, d in (('seg_map_path', 'Category_ids'),
                     ('human_map_path', 'Human_ids'),
                     ('instance_map_path', 'Instance_ids'))
    }
    _save(paths['seg_map_path'], cat)
    _save(paths['human_map_path'], human)
    _save(paths['instance_map_path'], inst)
    paths['instance_txt_path'] = paths['instance_map_path'][:-4] + '.txt'
    with open(paths['instance_txt_path'], 'w') as f:
        for i in np.unique(inst[inst > 0]):
            f.write(f'{i} {(i - 1) % 20 + 1} {(i - 1) // 20 + 1}\n')
    return dict(video_id=video, **paths), boxes, cat


def _prediction(rng, meta, boxes, cat):
    masks = []
    for y, x, hh, ww in boxes + [(2, 2, 5, 5)]:
        m = torch.zeros(H, W, dtype=torch.bool)
        dy, dx = rng.integers(-2, 3, 2)
        m[max(y + dy, 0):y + dy + hh, max(x + dx, 0):x + dx + ww] = True
        masks.append(m)
    part_map = torch.as_tensor(np.where(rng.random((H, W)) < 0.8,
                                        cat % 255, rng.integers(0, 4)))
    fused = fuse_instance_parsing(
        torch.stack(masks), torch.as_tensor(rng.uniform(0.6, 1, len(masks))),
        part_map.long(), torch.as_tensor(rng.random((H, W))).float())
    s = DetDataSample(metainfo=meta)
    s.pred_sem_seg = PixelData(sem_seg=part_map[None])
    s.pred_instances = InstanceData(masks=fused['person_masks'],
                                    scores=fused['person_scores'])
    s.pred_part_instances = InstanceData(masks=fused['part_masks'],
                                         labels=fused['part_labels'],
                                         scores=fused['part_scores'])
    return s


@pytest.fixture
def vip_root(tmp_path):
    rng = np.random.default_rng(3)
    root = tmp_path / 'VIP'
    ann = str(root / 'VIP_Fine' / 'Annotations')
    samples, lines = [], []
    for video in ('videos1', 'videos2'):
        for frame in ('000000000001', '000000000026', '000000000051'):
            meta, boxes, cat = _random_frame(rng, ann, video, frame)
            samples.append(_prediction(rng, meta, boxes, cat))
            lines.append(f'{video}/{frame}\n')
    (root / 'VIP_Fine' / 'lists').mkdir(parents=True)
    (root / 'VIP_Fine' / 'lists' / 'val_id.txt').write_text(''.join(lines))
    return root, samples


def test_round_trip_matches_in_memory(vip_root, tmp_path, tool):
    root, samples = vip_root
    pred_dir = tmp_path / 'pred'
    metric = VIPMetric(num_classes=4, class_names=('bg', 'a', 'b', 'c'),
                       out_dir=str(pred_dir))
    metric.process(None, [s.to_dict() for s in samples])
    in_memory = metric.compute_metrics(metric.results)
    assert in_memory['APr'] > 0 and in_memory['APr_vol'] > 0

    frames = read_frame_list(
        str(root / 'VIP_Fine' / 'lists' / 'val_id.txt'))
    from_files = tool.evaluate(str(pred_dir), frames,
                               str(root / 'VIP_Fine' / 'Annotations'),
                               VIPMetric(num_classes=4,
                                         class_names=('bg', 'a', 'b', 'c')))
    assert from_files.keys() == in_memory.keys()
    for k, v in in_memory.items():
        assert from_files[k] == pytest.approx(v, abs=1e-12), k

    # main() with the default 20 classes and --json
    out_json = tmp_path / 'scores.json'
    scores = tool.main([str(pred_dir), str(root), '--json', str(out_json)])
    saved = json.loads(out_json.read_text())
    assert saved['mIoU'] == pytest.approx(in_memory['mIoU'])
    assert saved['APr'] == pytest.approx(in_memory['APr'])
    assert math.isnan(scores['APr_vol'])  # classes 4..19 have no GT
    assert saved['APr_vol_nanmean'] == pytest.approx(in_memory['APr_vol'])


def test_missing_prediction_is_an_error(vip_root, tmp_path, tool):
    root, samples = vip_root
    pred_dir = tmp_path / 'pred'
    VIPMetric(out_dir=str(pred_dir)).process(None, samples[:-1])
    with pytest.raises(FileNotFoundError, match='global_000000000051.png'):
        tool.main([str(pred_dir), str(root)])


def test_json_writes_null_for_undefined_scores(vip_root, tmp_path, tool):
    root, samples = vip_root
    pred_dir = tmp_path / 'pred'
    VIPMetric(out_dir=str(pred_dir)).process(None, samples)
    out_json = tmp_path / 'scores.json'
    scores = tool.main(
        [str(pred_dir), str(root), '--json', str(out_json)])
    text = out_json.read_text()
    assert 'NaN' not in text
    saved = json.loads(text)
    assert math.isnan(scores['APr_vol']) and saved['APr_vol'] is None
    assert saved['mIoU'] == pytest.approx(scores['mIoU'])


def test_non_finite_score_is_refused(vip_root, tmp_path, tool):
    """A NaN false positive would rank last and raise AP^r."""
    root, samples = vip_root
    pred_dir = tmp_path / 'pred'
    VIPMetric(out_dir=str(pred_dir)).process(None, samples)
    video, frame = read_frame_list(
        str(root / 'VIP_Fine' / 'lists' / 'val_id.txt'))[0]
    scores = vip_prediction_paths(str(pred_dir), video,
                                  frame)['scores']
    with open(scores, 'a') as f:
        f.write('nan 0 0 1 1\n')
    lineno = len(open(scores).read().splitlines())
    with pytest.raises(ValueError) as info:
        tool.main([str(pred_dir), str(root)])
    assert str(info.value).startswith(f'{scores}:{lineno}: expected')


def test_list_line_leading_outside_is_refused(vip_root, tmp_path, tool):
    root, _ = vip_root
    ids = root / 'VIP_Fine' / 'lists' / 'val_id.txt'
    ids.write_text(ids.read_text() + '../000000000001\n')
    lineno = len(ids.read_text().splitlines())
    with pytest.raises(ValueError, match=f'{ids}:{lineno}: invalid name'):
        tool.main([str(tmp_path / 'pred'), str(root)])
