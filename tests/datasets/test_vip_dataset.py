"""VIPDataset indexing, clips and errors."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from aten_mm.datasets import VIPDataset

KEY_CFG = dict(mode='key', key_interval=3, num_refs=2)


def test_counts_match_generator(synthetic_vip):
    root, summary = synthetic_vip
    for split in ('train', 'val', 'test'):
        ds = VIPDataset(data_root=root, split=split, clip_cfg=KEY_CFG)
        assert len(ds) == summary['annotated_frames'][split]
        assert ({ds[i]['video_id'] for i in range(len(ds))} ==
                set(summary['splits'][split]))
    # stream mode: every frame of every video, in order
    ds = VIPDataset(data_root=root, split='val',
                    clip_cfg=dict(mode='stream'))
    assert len(ds) == summary['frames']['val']
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert [i['frame_index'] for i in infos] == list(
        range(summary['num_frames']))
    annotated = [i['frame_id'] for i in infos if i['seg_map_path']]
    assert annotated == [1, 5, 9]
    assert all(i['clip_frame_indices'] == [i['frame_index']] for i in infos)


def test_items_and_clips(synthetic_vip):
    root, summary = synthetic_vip
    ds = VIPDataset(data_root=root, split='train', clip_cfg=KEY_CFG)
    info = ds.get_data_info(0)
    video = summary['splits']['train'][0]
    assert info['video_id'] == video and info['video_length'] == 10
    assert info['frame_id'] == 1 and info['frame_index'] == 0
    assert info['key_frame_index'] == 1
    assert info['ref_frame_indices'] == [7, 4]
    assert info['clip_frame_indices'] == [0, 1, 4, 7]
    assert [osp.basename(p) for p in info['frame_paths']] == [
        f'{i + 1:012d}.jpg' for i in (0, 1, 4, 7)]
    assert info['seg_map_path'].endswith(
        f'Category_ids/{video}/000000000001.png')
    assert info['instance_txt_path'].endswith('000000000001.txt')
    last = ds.get_data_info(2)  # frame 9 (index 8): key 7, refs 1 and 4
    assert (last['key_frame_index'], last['ref_frame_indices'],
            last['clip_frame_indices']) == (7, [1, 4], [1, 4, 7, 8])
    with open(osp.join(root, 'meta', video + '.json')) as f:
        degraded = set(json.load(f)['degraded_frames'])
    for i in range(3):
        item = ds.get_data_info(i)
        assert item['degraded'] == (item['frame_id'] in degraded)


def test_random_offset_training(synthetic_vip):
    root, _ = synthetic_vip
    ds = VIPDataset(data_root=root, split='train', clip_cfg=KEY_CFG,
                    random_offset=True)
    np.random.seed(0)
    keys = {ds.get_data_info(1)['key_frame_index'] for _ in range(60)}
    assert keys == {3, 4, 5}  # target index 4 at every segment position
    for _ in range(20):
        info = ds.get_data_info(1)
        k = info['key_frame_index']
        assert info['clip_frame_indices'] == sorted({4, k, *info[
            'ref_frame_indices']})
        assert len(info['frame_paths']) == len(info['clip_frame_indices'])


def test_sparse_raw_frames_and_missing_summary(tmp_path, vip_layout):
    root = vip_layout(str(tmp_path), {
        'videos1': ([1, 26], list(range(1, 12)) + list(range(16, 37))),
        'videos2': ([1], [1, 2, 12]),
    })
    ds = VIPDataset(data_root=root, split='val', clip_cfg=KEY_CFG)
    got = [(d['video_id'], d['frame_index'], d['key_frame_index'],
            d['ref_frame_indices']) for d in map(ds.get_data_info,
                                                 range(len(ds)))]
    assert got == [('videos1', 0, 1, [7, 4]), ('videos1', 25, 25, [19, 22]),
                   ('videos2', 0, 1, [1, 1])]
    # l = 10: key of videos2's frame index 0 is 5, not on disk -> reported
    dff = dict(mode='key', key_interval=10, num_refs=0)
    ds = VIPDataset(data_root=root, split='val', clip_cfg=dff)
    assert len(ds) == 2
    assert len(ds.missing_summary) == 1
    assert 'videos2 frame_index 0' in ds.missing_summary[0]
    with pytest.raises(FileNotFoundError, match='videos2 frame_index 0'):
        VIPDataset(data_root=root, split='val', clip_cfg=dff,
                   on_missing='error')


def test_missing_paths_named(tmp_path, vip_layout):
    root = vip_layout(str(tmp_path), {'videos1': ([1], [1, 2])})
    with pytest.raises(FileNotFoundError, match='train_id.txt'):
        VIPDataset(data_root=root, split='train')
    with pytest.raises(FileNotFoundError, match='Nope/Images'):
        VIPDataset(data_root=root, split='val', img_dir='Nope/Images')
    with pytest.raises(ValueError, match="split must be"):
        VIPDataset(data_root=root, split='training')


def test_pipeline_loads_the_right_frames(synthetic_vip):
    root, _ = synthetic_vip
    ds = VIPDataset(
        data_root=root, split='train', clip_cfg=KEY_CFG,
        pipeline=[dict(type='LoadClipFrames'),
                  dict(type='LoadVIPAnnotations'),
                  dict(type='PackClipInputs')])
    item = ds[2]
    sample = item['data_samples']
    assert item['inputs'].shape == (4, 3, 48, 64)
    for pos, path in enumerate(ds.get_data_info(2)['frame_paths']):
        assert np.array_equal(item['inputs'][pos].permute(1, 2, 0).numpy(),
                              cv2.imread(path))
    human = cv2.imread(sample.human_map_path, cv2.IMREAD_UNCHANGED)
    ids = [i for i in np.unique(human) if i]
    masks = sample.gt_instances.masks.to_ndarray()
    assert len(masks) == len(ids)
    for mask, pid in zip(masks, ids):
        assert np.array_equal(mask.astype(bool), human == pid)
    seg = cv2.imread(sample.seg_map_path, cv2.IMREAD_UNCHANGED)
    assert np.array_equal(sample.gt_sem_seg.sem_seg[0].numpy(), seg)


def _id_list(root, split='val'):
    return osp.join(root, 'VIP_Fine', 'lists', f'{split}_id.txt')


@pytest.mark.parametrize('video', ['/tmp/escape', '../escape', 'a/../../x'])
def test_list_lines_leading_outside_are_refused(tmp_path, vip_layout,
                                                video):
    root = vip_layout(str(tmp_path), {'videos1': ([1], [1, 2])})
    with open(_id_list(root), 'a') as f:
        f.write(f'{video}/000000000001\n')
    with pytest.raises(ValueError) as info:
        VIPDataset(data_root=root, split='val')
    assert str(info.value).startswith(
        f'{_id_list(root)}:2: invalid name {video!r}')


def test_bad_list_files_are_named(tmp_path, vip_layout):
    root = vip_layout(str(tmp_path), {'videos1': ([1], [1, 2])})
    path = _id_list(root)
    open(path, 'w').write('\n  \n')
    with pytest.raises(ValueError, match=f'{path} is empty'):
        VIPDataset(data_root=root, split='val')
    open(path, 'wb').write(b'videos1/\xff000001\n')
    with pytest.raises(ValueError, match=f'{path} is not UTF-8 text'):
        VIPDataset(data_root=root, split='val')
    open(path, 'w').write('videos1/000000000001\nvideos1/\u00b2\n')
    with pytest.raises(ValueError, match=f'{path}:2: bad line'):
        VIPDataset(data_root=root, split='val')


def test_frame_files_named_oddly_or_twice_are_refused(tmp_path, vip_layout):
    root = vip_layout(str(tmp_path), {'videos1': ([1], [1, 2])})
    seq = osp.join(root, 'VIP_Sequence', 'videos1')
    odd = osp.join(seq, '\u00b2.jpg')
    open(odd, 'wb').write(open(osp.join(seq, '000000000001.jpg'),
                               'rb').read())
    with pytest.raises(ValueError, match='must be named by its frame') as e:
        VIPDataset(data_root=root, split='val')
    assert odd in str(e.value)
    os.remove(odd)
    twin = osp.join(seq, '2.jpg')
    cv2.imwrite(twin, np.zeros((6, 8, 3), np.uint8))
    with pytest.raises(ValueError, match='are both frame 2') as e:
        VIPDataset(data_root=root, split='val')
    assert twin in str(e.value)


def test_listed_frame_without_part_map_is_named(tmp_path, vip_layout):
    root = vip_layout(str(tmp_path), {'videos1': ([1, 5], [1, 2, 5])})
    seg = osp.join(root, 'VIP_Fine', 'Annotations', 'Category_ids',
                   'videos1', '000000000005.png')
    os.remove(seg)
    with pytest.raises(FileNotFoundError) as info:
        VIPDataset(data_root=root, split='val', clip_cfg=KEY_CFG)
    assert str(info.value).startswith(f'{_id_list(root)}:2: frame '
                                      'videos1/000000000005')
    assert seg in str(info.value)
    # the test split has no public ground truth: unannotated, not an error
    os.rename(_id_list(root), _id_list(root, 'test'))
    ds = VIPDataset(data_root=root, split='test', clip_cfg=KEY_CFG)
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert [i['seg_map_path'] is None for i in infos] == [False, True]


def test_unknown_split_refused_before_any_file_is_read(tmp_path):
    # VIP has three splits (BaseVideoDataset.SPLITS); DAVIS takes any name
    # (test_davis_missing_paths: split='test' reaches its list file)
    with pytest.raises(ValueError, match=r"VIPDataset: split must be one "
                       r"of \('train', 'val', 'test'\), got 'tset'"):
        VIPDataset(data_root=str(tmp_path / 'nothing'), split='tset')
