"""Tests of the per-frame degradations."""
import numpy as np
import pytest

from aten_mm.datasets.synthetic.degrade import (
    apply_degradation,
    sample_degradations,
)


def test_sample_degradations_count_and_range():
    plan = sample_degradations(np.random.default_rng(0), 40, 0.2, 256)
    assert len(plan) == 8 and all(0 <= t < 40 for t in plan)
    assert {p['kind'] for p in plan.values()} <= {
        'motion_blur', 'defocus', 'noise'}
    assert sample_degradations(np.random.default_rng(0), 40, 0.0, 256) == {}
    assert len(sample_degradations(np.random.default_rng(0), 7, 1.0,
                                   64)) == 7
    with pytest.raises(ValueError, match='degrade_ratio'):
        sample_degradations(np.random.default_rng(0), 40, 1.2, 256)


@pytest.mark.parametrize('kind,params', [
    ('motion_blur', dict(length=7, angle=30.0)),
    ('defocus', dict(radius=3)),
])
def test_blurs_keep_flat_images_and_smooth_edges(kind, params):
    flat = np.full((32, 32, 3), 90, np.uint8)
    np.testing.assert_array_equal(apply_degradation(flat, kind, **params),
                                  flat)
    checker = ((np.indices((32, 32)).sum(0) // 2) % 2 * 255).astype(
        np.uint8)[..., None].repeat(3, 2)
    out = apply_degradation(checker, kind, **params).astype(float)
    assert np.abs(np.diff(out, axis=1)).mean() < 0.5 * np.abs(
        np.diff(checker.astype(float), axis=1)).mean()
    assert abs(out.mean() - checker.mean()) < 10  # energy preserved


def test_noise_has_requested_strength():
    img = np.full((64, 64, 3), 128, np.uint8)
    out = apply_degradation(img, 'noise', sigma=20.0, seed=1).astype(float)
    assert 18 < out.std() < 22
    again = apply_degradation(img, 'noise', sigma=20.0, seed=1)
    np.testing.assert_array_equal(out, again)


def test_unknown_kind():
    with pytest.raises(ValueError, match='unknown degradation'):
        apply_degradation(np.zeros((4, 4, 3), np.uint8), 'rain')
