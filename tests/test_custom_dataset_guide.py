"""docs/custom_dataset.md end to end on a tiny layout: a video file,
the frame extractor, hand-written labels, and the example config's
datasets load it (train clips with their key frames, val items)."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from aten_mm.registry import DATASETS

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(REPO, 'configs', 'aten', 'aten_r50-d8-deeplabv3plus_'
                  'l3-p2_efficient_1xb1-40e_custom-videos.py')
W, H, N = 40, 30, 30


@pytest.fixture(scope='module')
def extractor(load_tool):
    return load_tool('tools/dataset_converters/vip_videos_to_frames.py')


def _labels(fid):
    """Person 1 on the left (face over upper-clothes), person 2 on the
    right (pants); shifted by the frame id so frames differ."""
    cat = np.zeros((H, W), np.uint8)
    hum = np.zeros((H, W), np.uint8)
    x = fid % 5
    cat[2:8, 2 + x:8 + x], hum[2:16, 2 + x:8 + x] = 13, 1
    cat[8:16, 2 + x:8 + x] = 5
    cat[5:25, 25:35], hum[5:25, 25:35] = 9, 2
    inst = np.zeros((H, W), np.uint8)
    table = []
    for pid, cls in ((1, 13), (1, 5), (2, 9)):
        iid = len(table) + 1
        inst[(hum == pid) & (cat == cls)] = iid
        table.append(f'{iid} {cls} {pid}')
    return cat, hum, inst, '\n'.join(table) + '\n'


def _make_layout(root, extractor):
    os.makedirs(osp.join(root, 'VIP_Videos'))
    writer = cv2.VideoWriter(osp.join(root, 'VIP_Videos', 'walk.avi'),
                             cv2.VideoWriter_fourcc(*'MJPG'), 25, (W, H))
    for i in range(N):
        writer.write(np.full((H, W, 3), 8 * i, np.uint8))
    writer.release()
    counts = extractor.main([root])
    assert counts == {'walk': N}
    fine = osp.join(root, 'VIP_Fine')
    os.makedirs(osp.join(fine, 'Images', 'walk'))  # may stay empty
    os.makedirs(osp.join(fine, 'lists'))
    for fid in (1, 26):
        name = f'{fid:012d}'
        cat, hum, inst, table = _labels(fid)
        for sub, arr in (('Category_ids', cat), ('Human_ids', hum),
                         ('Instance_ids', inst)):
            d = osp.join(fine, 'Annotations', sub, 'walk')
            os.makedirs(d, exist_ok=True)
            cv2.imwrite(osp.join(d, name + '.png'), arr)
        with open(osp.join(fine, 'Annotations', 'Instance_ids', 'walk',
                           name + '.txt'), 'w') as f:
            f.write(table)
    for split in ('train', 'val'):
        with open(osp.join(fine, 'lists', f'{split}_id.txt'), 'w') as f:
            f.write('walk/000000000001\nwalk/000000000026\n')


def test_custom_layout_loads_through_the_example_config(tmp_path,
                                                        extractor):
    root = str(tmp_path / 'my_videos')
    _make_layout(root, extractor)
    cfg = Config.fromfile(CONFIG)
    assert cfg.train_dataloader.dataset.data_root == 'data/my_videos/'
    assert cfg.test_dataloader.dataset.data_root == 'data/my_videos/'
    train_cfg = cfg.train_dataloader.dataset
    train_cfg.update(data_root=root, random_offset=False)
    train = DATASETS.build(train_cfg)
    assert len(train) == 2
    item = train[1]  # frame 26 (index 25): key 25, refs = keys 22 and 19
    meta = item['data_samples'].metainfo
    assert meta['video_id'] == 'walk' and meta['frame_id'] == 26
    assert meta['key_frame_index'] == 25
    assert meta['ref_frame_indices'] == [19, 22]
    assert meta['clip_frame_indices'] == [19, 22, 25]
    # frames from the extracted video, resized to the longer side 512
    assert item['inputs'].shape == (3, 3, 384, 512)
    sem = item['data_samples'].gt_sem_seg.sem_seg.numpy()[0]
    if meta['flip']:
        sem = sem[:, ::-1]
    # the 40x30 labels, upsampled: read back at each source pixel's centre
    assert set(np.unique(sem)) == {0, 5, 9, 13}
    ys = ((np.arange(H) + 0.5) * sem.shape[0] / H).astype(int)
    xs = ((np.arange(W) + 0.5) * sem.shape[1] / W).astype(int)
    np.testing.assert_array_equal(sem[np.ix_(ys, xs)], _labels(26)[0])
    assert len(item['data_samples'].gt_instances) == 2
    val = DATASETS.build(dict(cfg.val_dataloader.dataset, data_root=root))
    assert [val[i]['data_samples'].metainfo['frame_id']
            for i in range(len(val))] == [1, 26]
