"""Tests of the flow end-point-error functions (hand-made fields)."""
import math

import numpy as np
import pytest

from aten_mm.evaluation.functional import flow_epe_summary, flow_epe_sums


def test_no_person_pixels_gives_nan_and_summary_counts():
    gt = np.ones((2, 2, 2), np.float32)
    rec = flow_epe_sums(np.zeros_like(gt), gt, np.ones((2, 2), bool))
    summary = flow_epe_summary([rec, rec])
    assert math.isclose(summary['EPE'], math.sqrt(2))
    assert math.isnan(summary['EPE_person'])
    assert summary['num_pairs'] == 2 and summary['num_pixels'] == 8


def test_sums_known_values_and_shape_errors():
    gt = np.zeros((1, 2, 2), np.float32)
    pred = np.array([[[3, 4], [0, -2]]], np.float32)  # EPE 5 and 2
    valid = np.array([[True, True]])
    person = np.array([[False, True]])
    assert flow_epe_sums(pred, gt, valid, person) == dict(
        epe_sum=7.0, num=2, person_epe_sum=2.0, person_num=1)
    # no annotation: nothing in the person sums
    assert flow_epe_sums(pred, gt, valid)['person_num'] == 0
    with pytest.raises(ValueError, match='expected pred and gt'):
        flow_epe_sums(pred[..., :1], gt, valid)
    with pytest.raises(ValueError, match='person mask'):
        flow_epe_sums(pred, gt, valid, person[:, :1])
