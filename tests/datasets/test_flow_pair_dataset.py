"""Tests of FlowPairDataset and the frame-pair flow transforms."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
from flow_pair_fixture import write_flow_set

from aten_mm.datasets import FlowPairDataset

PIPELINE = [dict(type='LoadFlowPair'), dict(type='PackFlowInputs')]


@pytest.mark.parametrize('layout', ['vip', 'davis'])
def test_pairs_and_ground_truth(tmp_path, layout):
    root = str(tmp_path / layout)
    expected = write_flow_set(root, layout=layout, num_frames=4)
    ds = FlowPairDataset(data_root=root, split='val', pipeline=PIPELINE)
    assert len(ds) == 3  # frames 2..4 of the one val video
    first = '000000000001' if layout == 'vip' else '00000'
    second = '000000000002' if layout == 'vip' else '00001'
    info = ds.get_data_info(0)
    assert info['frame'] == second and info['video'] == 'vid1'
    assert osp.basename(info['ref_img_path']) == first + '.jpg'
    for i in range(len(ds)):
        packed = ds[i]
        sample = packed['data_samples']
        flow, valid, person = expected[('vid1', sample.frame)]
        assert packed['inputs'].shape == (2, 3, 64, 96)
        assert packed['inputs'].dtype == torch.uint8
        np.testing.assert_array_equal(
            sample.gt_flow.numpy().transpose(1, 2, 0), flow)
        np.testing.assert_array_equal(sample.gt_valid.numpy(), valid)
        assert sample.has_person == (person is not None)
        if person is not None:
            np.testing.assert_array_equal(sample.gt_person.numpy(), person)
        else:
            assert not sample.gt_person.any()
    # VIP: frames 1, 3 annotated -> of the pairs only frame 3 has a person
    has = [ds[i]['data_samples'].has_person for i in range(3)]
    assert has == ([False, True, False] if layout == 'vip' else [True] * 3)


def test_missing_pieces_are_named(tmp_path):
    root = str(tmp_path / 'set')
    write_flow_set(root, num_frames=3)
    with pytest.raises(FileNotFoundError, match='video list'):
        FlowPairDataset(data_root=root, split='test', pipeline=PIPELINE)
    with pytest.raises(FileNotFoundError, match='neither a VIP'):
        FlowPairDataset(data_root=str(tmp_path), split='val')
    # a .flo for the first frame has no previous frame
    flo = osp.join(root, 'flow', 'vid1', '000000000002.flo')
    first = osp.join(root, 'flow', 'vid1', '000000000001.flo')
    with open(flo, 'rb') as src, open(first, 'wb') as dst:
        dst.write(src.read())
    with pytest.raises(ValueError, match='first frame'):
        FlowPairDataset(data_root=root, split='val')
    os.remove(first)
    # a .flo without its frame
    os.rename(osp.join(root, 'VIP_Sequence', 'vid1', '000000000003.jpg'),
              osp.join(root, 'VIP_Sequence', 'vid1', 'x.png'))
    with pytest.raises(FileNotFoundError, match='000000000003.jpg'):
        FlowPairDataset(data_root=root, split='val')
    # no flow folder at all
    os.rename(osp.join(root, 'flow'), osp.join(root, 'flow_x'))
    with pytest.raises(FileNotFoundError, match='ground-truth flow'):
        FlowPairDataset(data_root=root, split='val')


def test_missing_valid_mask_means_all_valid_and_corrupt_flo(tmp_path):
    root = str(tmp_path / 'set')
    write_flow_set(root, num_frames=2)
    os.remove(osp.join(root, 'flow', 'vid1', '000000000002_valid.png'))
    ds = FlowPairDataset(data_root=root, split='val', pipeline=PIPELINE)
    assert ds.get_data_info(0)['valid_path'] is None
    assert ds[0]['data_samples'].gt_valid.all()
    with open(osp.join(root, 'flow', 'vid1', '000000000002.flo'),
              'wb') as f:
        f.write(b'not a flow file')
    with pytest.raises(ValueError, match='000000000002.flo'):
        ds[0]


def _warp_error(cur, ref, flow, valid):
    """Mean |cur - ref sampled at p + flow| over valid pixels."""
    import cv2
    h, w = flow.shape[:2]
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32),
                         np.arange(h, dtype=np.float32))
    warped = cv2.remap(ref, xs + flow[..., 0], ys + flow[..., 1],
                       cv2.INTER_LINEAR)
    diff = np.abs(warped.astype(np.float32) - cur.astype(np.float32))
    return diff.mean(-1)[valid].mean()


@pytest.mark.parametrize('fixture', ['synthetic_vip', 'synthetic_davis'])
def test_generated_set_pairs_and_direction(fixture, request):
    """On the generator's own output: every frame but the first of each val
    video, person masks of annotated frames, and frame t-1 warped by the
    flow reproduces frame t (the pairing and the direction are right)."""
    import cv2
    root, summary = request.getfixturevalue(fixture)
    ds = FlowPairDataset(data_root=root, split='val',
                         pipeline=[dict(type='LoadFlowPair')])
    videos = summary['splits']['val']
    assert len(ds) == len(videos) * (summary['num_frames'] - 1)
    annotated = sum(ds.get_data_info(i)['person_path'] is not None
                    for i in range(len(ds)))
    if fixture == 'synthetic_vip':  # frames 1, 5, 9: pairs at 5 and 9
        assert annotated == 2 * len(videos)
    else:
        assert annotated == len(ds)
    better = 0
    for i in range(len(ds)):
        res = ds[i]
        cur, ref = res['imgs']
        if res['gt_person'] is not None:
            human = cv2.imread(ds.get_data_info(i)['person_path'],
                               cv2.IMREAD_UNCHANGED) > 0
            np.testing.assert_array_equal(res['gt_person'], human)
        zero = np.zeros_like(res['gt_flow'])
        err = _warp_error(cur, ref, res['gt_flow'], res['gt_valid'])
        err0 = _warp_error(cur, ref, zero, res['gt_valid'])
        better += err < err0
    assert better >= 0.8 * len(ds)
