"""Tests of FlowPairDataset and the frame-pair flow transforms."""
import os
import os.path as osp
import sys

import numpy as np
import pytest
import torch

from aten_mm.datasets import FlowPairDataset
from aten_mm.registry import TRANSFORMS

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from flow_pair_fixture import write_flow_set  # noqa: E402

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


def _results(h=8, w=10):
    rng = np.random.default_rng(0)
    flow = rng.normal(size=(h, w, 2)).astype(np.float32)
    valid = rng.random((h, w)) > 0.3
    person = rng.random((h, w)) > 0.5
    imgs = [rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
            for _ in range(2)]
    return dict(imgs=imgs, gt_flow=flow, gt_valid=valid, gt_person=person,
                img_shape=(h, w), target_pos=0)


def test_flip_negates_dx_and_mirrors():
    res = _results()
    ref = {k: (v.copy() if hasattr(v, 'copy') else v)
           for k, v in res.items()}
    out = TRANSFORMS.build(dict(type='FlowRandomFlip', prob=1.0))(res)
    np.testing.assert_array_equal(out['gt_flow'][:, ::-1, 0],
                                  -ref['gt_flow'][..., 0])
    np.testing.assert_array_equal(out['gt_flow'][:, ::-1, 1],
                                  ref['gt_flow'][..., 1])
    np.testing.assert_array_equal(out['gt_valid'][:, ::-1], ref['gt_valid'])
    np.testing.assert_array_equal(out['imgs'][1][:, ::-1],
                                  ref['imgs'][1])
    kept = TRANSFORMS.build(dict(type='FlowRandomFlip', prob=0.0))(
        _results())
    np.testing.assert_array_equal(kept['gt_flow'], ref['gt_flow'])


def test_resize_scales_vectors_and_crop_pads_invalid():
    res = _results(8, 10)
    res['gt_flow'][...] = (3.0, -2.0)
    t = TRANSFORMS.build(dict(type='FlowRandomResize',
                              ratio_range=(0.5, 0.5)))
    out = t(res)
    assert out['imgs'][0].shape == (4, 5, 3)
    np.testing.assert_allclose(out['gt_flow'][..., 0], 1.5)
    np.testing.assert_allclose(out['gt_flow'][..., 1], -1.0)
    crop = TRANSFORMS.build(dict(type='FlowRandomCrop', crop_size=(6, 4)))
    out = crop(out)
    assert out['imgs'][0].shape == (6, 4, 3)
    assert out['gt_flow'].shape == (6, 4, 2)
    # rows 4, 5 did not exist: padded invalid
    assert not out['gt_valid'][4:].any()
    with pytest.raises(ValueError, match='ratio_range'):
        TRANSFORMS.build(dict(type='FlowRandomResize', ratio_range=(0, 1)))
