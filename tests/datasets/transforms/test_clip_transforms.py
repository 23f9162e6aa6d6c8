"""Clip transforms: loading, shared randomness, L/R-swapping flip, packing."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmdet.structures.bbox import HorizontalBoxes
from mmdet.structures.mask import BitmapMasks

from aten_mm.datasets.transforms import (
    ClipPhotoMetricDistortion,
    ClipRandomFlip,
    ClipResize,
    ClipTransformWrapper,
    LoadClipFrames,
    LoadVIPAnnotations,
    PackClipInputs,
)

H, W = 12, 16


def make_clip():
    """Two frames (target second) with a person whose left arm (14) is a
    red block on the left, right shoe (19) a green block on the right."""
    rng = np.random.RandomState(0)
    imgs = [rng.randint(0, 255, (H, W, 3)).astype(np.uint8)
            for _ in range(2)]
    seg = np.zeros((H, W), np.uint8)
    seg[2:6, 1:4] = 14
    seg[8:10, 12:15] = 19
    seg[0, 0] = 255
    imgs[1][seg == 14] = (0, 0, 255)
    imgs[1][seg == 19] = (0, 255, 0)
    person = np.zeros((1, H, W), np.uint8)
    person[0, 2:10, 1:15] = 1
    return dict(
        imgs=imgs, target_pos=1, img_shape=(H, W), ori_shape=(H, W),
        frame_index=5, clip_frame_indices=[4, 5], gt_seg_map=seg,
        gt_masks=BitmapMasks(person, H, W),
        gt_bboxes=HorizontalBoxes(torch.tensor([[1., 2., 15., 10.]])),
        gt_bboxes_labels=np.zeros(1, np.int64),
        gt_ignore_flags=np.zeros(1, bool))


def test_flip_swaps_left_right_and_keeps_alignment():
    res = ClipRandomFlip(prob=1.0)(make_clip())
    assert res['flip'] and res['flip_direction'] == 'horizontal'
    seg, img = res['gt_seg_map'], res['imgs'][1]
    # left arm (14) pixels now at the mirrored columns, labelled right arm
    assert (seg[2:6, W - 4:W - 1] == 15).all()
    assert (seg[8:10, W - 15:W - 12] == 18).all()
    assert not (seg == 14).any() and not (seg == 19).any()
    assert seg[0, W - 1] == 255
    # image and labels still aligned: red exactly where the arm is
    red = (img == (0, 0, 255)).all(-1)
    assert np.array_equal(red, seg == 15)
    assert np.array_equal(res['gt_masks'].masks[0],
                          make_clip()['gt_masks'].masks[0][:, ::-1])
    assert res['gt_bboxes'].tensor.tolist() == [[1., 2., 15., 10.]]
    # the other frame is flipped too
    assert np.array_equal(res['imgs'][0], make_clip()['imgs'][0][:, ::-1])


def _all_labels_clip():
    """make_clip() whose part map holds every VIP label 0..19 and 255."""
    clip = make_clip()
    seg = np.zeros((H, W), np.uint8)
    seg.flat[:21] = list(range(20)) + [255]
    clip['gt_seg_map'] = seg
    return clip


def test_flip_not_taken_leaves_labels_and_taken_swaps_every_pair():
    seg = _all_labels_clip()['gt_seg_map']
    res = ClipRandomFlip(prob=0.0)(_all_labels_clip())
    assert not res['flip']
    assert np.array_equal(res['gt_seg_map'], seg)  # no L/R swap
    assert np.array_equal(res['imgs'][1], make_clip()['imgs'][1])
    res = ClipRandomFlip(prob=1.0)(_all_labels_clip())
    assert res['flip']
    # by hand: arms 14<->15, legs 16<->17, shoes 18<->19, the rest kept
    swapped = {14: 15, 15: 14, 16: 17, 17: 16, 18: 19, 19: 18}
    expected = np.vectorize(lambda v: swapped.get(v, v))(seg[:, ::-1])
    assert np.array_equal(res['gt_seg_map'], expected.astype(np.uint8))


def test_flip_same_decision_for_all_frames():
    flip = ClipRandomFlip(prob=0.5)
    np.random.seed(1)
    decisions = set()
    for _ in range(30):
        clip = make_clip()
        res = flip(clip)
        f0 = np.array_equal(res['imgs'][0], make_clip()['imgs'][0][:, ::-1])
        f1 = np.array_equal(res['imgs'][1], make_clip()['imgs'][1][:, ::-1])
        assert f0 == f1 == res['flip']
        decisions.add(res['flip'])
    assert decisions == {True, False}


def test_photometric_same_params_on_all_frames():
    t = ClipPhotoMetricDistortion()
    np.random.seed(0)
    changed = False
    for _ in range(10):
        base = np.random.RandomState(3).randint(0, 255, (H, W, 3)).astype(
            np.uint8)
        clip = dict(imgs=[base.copy() for _ in range(3)], target_pos=0,
                    img_shape=(H, W))
        res = t(clip)
        assert all(i.dtype == np.uint8 for i in res['imgs'])
        assert np.array_equal(res['imgs'][0], res['imgs'][1])
        assert np.array_equal(res['imgs'][0], res['imgs'][2])
        changed |= not np.array_equal(res['imgs'][0], base)
    assert changed


def test_resize_longer_side_and_labels():
    clip = make_clip()
    res = ClipResize()(clip)  # default: longer side 512
    assert res['img_shape'] == (384, 512)
    assert all(i.shape == (384, 512, 3) for i in res['imgs'])
    assert res['gt_seg_map'].shape == (384, 512)
    assert set(np.unique(res['gt_seg_map'])) == {0, 14, 19, 255}
    assert res['gt_bboxes'].tensor.tolist() == [[32., 64., 480., 320.]]
    assert res['gt_masks'].masks.shape == (1, 384, 512)


def write(path, arr):
    cv2.imwrite(str(path), arr)
    return str(path)


def test_load_frames_and_annotations(tmp_path):
    frames = [write(tmp_path / f'{i}.jpg', np.full((H, W, 3), 40 * i,
                                                  np.uint8))
              for i in range(2)]
    seg = np.zeros((H, W), np.uint8)
    seg[3:5, 4:9] = 13
    human = np.zeros((H, W), np.uint8)
    human[3:7, 4:9] = 2
    human[0:2, 0:3] = 5
    res = dict(frame_paths=frames, clip_frame_indices=[3, 7], frame_index=7,
               seg_map_path=write(tmp_path / 'c.png', seg),
               human_map_path=write(tmp_path / 'h.png', human))
    res = LoadVIPAnnotations()(LoadClipFrames()(res))
    assert res['target_pos'] == 1 and res['ori_shape'] == (H, W)
    assert res['imgs'][1].mean() == 40
    assert np.array_equal(res['gt_seg_map'], seg)
    assert res['gt_bboxes'].tensor.tolist() == [[4., 3., 9., 7.],
                                                [0., 0., 3., 2.]]
    assert res['gt_bboxes_labels'].tolist() == [0, 0]
    assert np.array_equal(res['gt_masks'].masks[1], human == 5)
    packed = PackClipInputs()(res)
    assert packed['inputs'].dtype == torch.uint8
    assert packed['inputs'].shape == (2, 3, H, W)
    assert packed['inputs'][1].float().mean() == 40
    sample = packed['data_samples']
    assert sample.gt_sem_seg.sem_seg.dtype == torch.long
    assert sample.gt_sem_seg.sem_seg.shape == (1, H, W)
    assert len(sample.gt_instances) == 2
    assert sample.frame_index == 7 and sample.clip_frame_indices == [3, 7]
    assert sample.flip is False


def test_load_errors_name_the_file(tmp_path):
    a = write(tmp_path / 'a.jpg', np.zeros((H, W, 3), np.uint8))
    b = write(tmp_path / 'b.jpg', np.zeros((H + 2, W, 3), np.uint8))
    missing = osp.join(str(tmp_path), 'nope.jpg')
    base = dict(clip_frame_indices=[0, 1], frame_index=0)
    with pytest.raises(FileNotFoundError, match='nope.jpg'):
        LoadClipFrames()(dict(base, frame_paths=[a, missing]))
    with pytest.raises(ValueError, match='b.jpg'):
        LoadClipFrames()(dict(base, frame_paths=[a, b]))
    seg = np.zeros((H, W), np.uint8)
    seg[1, 1] = 20
    res = LoadClipFrames()(dict(base, frame_paths=[a, a],
                                seg_map_path=write(tmp_path / 'bad.png',
                                                   seg)))
    with pytest.raises(ValueError, match='bad.png.*20'):
        LoadVIPAnnotations(with_instances=False)(res)


def test_wrapped_random_crop_same_window_on_all_frames():
    crop = ClipTransformWrapper(dict(type='RandomCrop', crop_size=(8, 5)))
    rng = np.random.RandomState(0)
    imgs = [rng.randint(0, 255, (H, W, 3)).astype(np.uint8)
            for _ in range(3)]
    seg = rng.randint(0, 20, (H, W)).astype(np.uint8)
    np.random.seed(0)
    for _ in range(5):
        res = crop(dict(imgs=[i.copy() for i in imgs], target_pos=2,
                        img_shape=(H, W), gt_seg_map=seg.copy()))
        assert res['img_shape'] == (5, 8)
        hits = [(y, x) for y in range(H - 4) for x in range(W - 7)
                if np.array_equal(imgs[2][y:y + 5, x:x + 8],
                                  res['imgs'][2])]
        assert len(hits) == 1
        y, x = hits[0]
        for f in range(2):
            assert np.array_equal(res['imgs'][f], imgs[f][y:y + 5, x:x + 8])
        assert np.array_equal(res['gt_seg_map'], seg[y:y + 5, x:x + 8])
