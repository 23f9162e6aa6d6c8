"""DAVIS J, F, boundary maps and sequence statistics by hand."""
import numpy as np
import pytest

from aten_mm.evaluation.functional import (
    boundary_map,
    boundary_tolerance,
    davis_f,
    davis_j,
    davis_summary,
    sequence_statistics,
)


def _half(cols, h=100, w=100):
    m = np.zeros((h, w), bool)
    m[:, :cols] = True
    return m


def _square(y, x, size=10, h=100, w=100):
    m = np.zeros((h, w), bool)
    m[y:y + size, x:x + size] = True
    return m


def test_boundary_map_by_hand():
    m = np.zeros((4, 4), bool)
    m[1:3, 1:3] = True
    expected = [[1, 1, 1, 0], [1, 0, 1, 0], [1, 1, 1, 0], [0, 0, 0, 0]]
    np.testing.assert_array_equal(boundary_map(m), expected)
    # last column compares south only, last row east only
    m = np.zeros((3, 3), bool)
    m[1:, 2] = True
    np.testing.assert_array_equal(
        boundary_map(m), [[0, 1, 1], [0, 1, 0], [0, 1, 0]])


def test_tolerance_radius():
    assert boundary_tolerance(480, 854) == 8
    assert boundary_tolerance(100, 100) == 2


def test_j():
    assert davis_j(_half(50), _half(60)) == pytest.approx(50 / 60)
    empty = np.zeros((5, 5), bool)
    assert davis_j(empty, empty) == 1.0
    assert davis_j(_half(2, 5, 5), empty) == 0.0


def test_f_tolerance_is_inclusive_disk():
    gt = _half(50)  # boundary = column 49
    assert davis_f(_half(52), gt) == 1.0  # 2 px away = radius
    assert davis_f(_half(53), gt) == 0.0  # 3 px away


def test_f_half_precision():
    gt = _square(10, 10)
    pred = gt | _square(60, 60)  # same boundary + an equal, far one
    # P = 1/2, R = 1 -> F = 2/3
    assert davis_f(pred, gt) == pytest.approx(2 / 3)


def test_f_empty_masks():
    empty = np.zeros((50, 50), bool)
    sq = _square(10, 10, h=50, w=50)
    assert davis_f(empty, empty) == 1.0  # P = R = 1
    assert davis_f(empty, sq) == 0.0  # P = 1, R = 0
    assert davis_f(sq, empty) == 0.0  # P = 0, R = 1


def test_sequence_statistics_10_frames():
    x = np.linspace(1.0, 0.1, 10)
    s = sequence_statistics(x)
    # bins ids = 0, 2, 5, 7, 9: mean(x[0:3]) - mean(x[7:10]) = .9 - .2
    assert s['decay'] == pytest.approx(0.7)
    assert s['mean'] == pytest.approx(0.55)
    assert s['recall'] == pytest.approx(0.5)  # 0.5 itself is not > 0.5


def test_summary_drop_first_last():
    inner = np.linspace(1.0, 0.1, 10)
    seq_a = [(i + 1, j, 1.0) for i, j in enumerate(inner)]
    seq_a += [(0, 0.0, 0.0), (11, 0.0, 0.0)]
    seq_b = [(0, 0.0, 0.0), (1, 0.3, 0.5), (2, 0.0, 0.0)]
    s = davis_summary(dict(a=seq_a, b=seq_b), drop_first_last=True)
    assert s['per_sequence']['a']['J_mean'] == pytest.approx(0.55)
    assert s['J_mean'] == pytest.approx((0.55 + 0.3) / 2)
    assert s['F_mean'] == pytest.approx(0.75)
    assert s['J_decay'] == pytest.approx(0.7 / 2)
    assert s['JF_mean'] == pytest.approx((0.425 + 0.75) / 2)
    s = davis_summary(dict(a=seq_a, b=seq_b), drop_first_last=False)
    assert s['per_sequence']['a']['J_mean'] == pytest.approx(5.5 / 12)
    assert s['per_sequence']['b']['F_mean'] == pytest.approx(0.5 / 3)
