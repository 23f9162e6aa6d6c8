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


def test_relative_shift_changes_flow_by_the_shift():
    """Crop t-1 (sx, sy) away: flow - (sx, sy), still exact on the pair."""
    rng = np.random.default_rng(1)
    h, w = 40, 50
    big = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    # frame t-1 = big, frame t = big shifted so that t(x, y) = big(x+2, y+1)
    cur = np.zeros_like(big)
    cur[:h - 1, :w - 2] = big[1:, 2:]
    flow = np.zeros((h, w, 2), np.float32)
    flow[...] = (2, 1)
    res = dict(imgs=[cur, big], gt_flow=flow,
               gt_valid=np.ones((h, w), bool), gt_person=None,
               img_shape=(h, w))
    crop = TRANSFORMS.build(dict(type='FlowRandomCrop', crop_size=(20, 24),
                                 max_shift=5))
    np.random.seed(3)
    seen = set()
    for _ in range(20):
        out = crop(dict(res, imgs=list(res['imgs'])))
        a, b = out['imgs']
        f = out['gt_flow']
        seen.add(tuple(f[0, 0]))
        # every valid pixel's content is where the flow says in crop t-1
        ys, xs = np.nonzero(out['gt_valid'])
        tx = (xs + f[ys, xs, 0]).astype(int)
        ty = (ys + f[ys, xs, 1]).astype(int)
        inside = (ys < 20 - 1) & (xs < 24 - 2)  # cur's zero border
        np.testing.assert_array_equal(a[ys[inside], xs[inside]],
                                      b[ty[inside], tx[inside]])
        # and the invalid ones point outside crop t-1
        ys, xs = np.nonzero(~out['gt_valid'])
        tx, ty = xs + f[ys, xs, 0], ys + f[ys, xs, 1]
        assert ((tx < 0) | (tx > 23) | (ty < 0) | (ty > 19)).all()
    assert len(seen) > 5  # the shift varies
    with pytest.raises(ValueError, match='max_shift'):
        TRANSFORMS.build(dict(type='FlowRandomCrop', crop_size=(4, 4),
                              max_shift=-1))
