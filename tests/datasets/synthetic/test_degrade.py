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
        'motion_blur', 'defocus', 'noise', 'low_light'}
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


def test_degradations_come_in_bursts():
    runs = []
    for seed in range(20):
        plan = sample_degradations(np.random.default_rng(seed), 60, 0.3,
                                   256)
        assert len(plan) == 18
        frames = sorted(plan)
        run = [frames[0]]
        for t in frames[1:]:
            if t == run[-1] + 1 and plan[t]['kind'] == plan[run[0]]['kind']:
                run.append(t)
            else:
                runs.append(len(run))
                run = [t]
        runs.append(len(run))
    # bursts of up to MAX_BURST frames (two bursts may touch)
    assert max(runs) >= 3 and np.mean(runs) > 1.5
    kinds = {p['kind'] for s in range(20) for p in sample_degradations(
        np.random.default_rng(s), 60, 0.3, 256).values()}
    assert kinds == {'motion_blur', 'defocus', 'noise', 'low_light'}


def test_low_light_darkens():
    img = np.full((64, 64, 3), 200, np.uint8)
    out = apply_degradation(img, 'low_light', gain=0.2, sigma=5.0,
                            seed=3).astype(float)
    assert abs(out.mean() - 40) < 1.0 and 4 < out.std() < 6


def test_noise_has_requested_strength():
    img = np.full((64, 64, 3), 128, np.uint8)
    out = apply_degradation(img, 'noise', sigma=20.0, seed=1).astype(float)
    assert 18 < out.std() < 22
    again = apply_degradation(img, 'noise', sigma=20.0, seed=1)
    np.testing.assert_array_equal(out, again)


def test_unknown_kind():
    with pytest.raises(ValueError, match='unknown degradation'):
        apply_degradation(np.zeros((4, 4, 3), np.uint8), 'rain')
