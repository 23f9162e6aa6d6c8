"""Tests of the frame-pair flow transforms (flip, resize, crop)."""
import numpy as np
import pytest

from aten_mm.registry import TRANSFORMS


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
