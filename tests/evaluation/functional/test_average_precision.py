"""VOC all-point AP with strict IoU thresholds (docs/vip_protocol.md §5)."""
import numpy as np
import pytest

from aten_mm.evaluation.functional import (
    ap_at_thresholds,
    iou_thresholds,
    round_scores,
    voc_ap,
)


def test_voc_all_point_area():
    # envelope: recall .5 -> 1, recall 1 -> .5 (11-point would give .7727)
    assert voc_ap(np.array([0.5, 1.0]), np.array([1.0, 0.5])) == 0.75


def test_precision_envelope():
    """Ranked false, true, true with 2 GT: precision 0, 1/2, 2/3 at recall
    0, 1/2, 1. The envelope raises the precision at recall 1/2 to 2/3:
    AP = 1/2 * 2/3 + 1/2 * 2/3 = 2/3 (without it 1/2 * 1/2 + 1/2 * 2/3 =
    7/12)."""
    assert voc_ap(np.array([0.0, 0.5, 1.0]),
                  np.array([0.0, 0.5, 2 / 3])) == pytest.approx(2 / 3)
    aps = ap_at_thresholds([0.9, 0.8, 0.7], [0.1, 0.9, 0.9], 2, [0.5])
    assert aps[0] == pytest.approx(2 / 3)


def test_ranked_ap_by_hand():
    scores = np.array([0.6, 0.9, 0.7, 0.8])
    ious = np.array([0.0, 0.8, 0.6, 0.4])
    aps = ap_at_thresholds(scores, ious, 3, [0.5, 0.6, 0.8])
    # t=.5: T F T F -> 1/3 * 1 + 1/3 * 2/3
    # t=.6: IoU .6 is not > .6 -> only the first; t=.8: none
    np.testing.assert_allclose(aps, [5 / 9, 1 / 3, 0.0])


def test_two_predictions_on_one_gt_both_count():
    aps = ap_at_thresholds([0.9, 0.8], [0.7, 0.7], 2, [0.5])
    assert aps[0] == pytest.approx(1.0)  # one-to-one matching: 0.5


def test_no_prediction_and_no_gt():
    assert ap_at_thresholds([], [], 2, [0.5]).tolist() == [0.0]
    assert np.isnan(ap_at_thresholds([0.5], [0.9], 0, [0.5])[0])


def test_rounding_ties_keep_input_order():
    scores = round_scores([0.4999996, 0.5000004, 0.25, 0.9999996])
    np.testing.assert_array_equal(scores, [0.5, 0.5, 0.25, 1.0])
    # tie: the FP listed first stays first -> AP 0.5 instead of 1
    assert ap_at_thresholds(scores[:2], [0.0, 0.9], 1, [0.5])[0] == 0.5


def test_thresholds_are_decimal_literals():
    t = iou_thresholds(0.5, 0.95, 0.05)
    assert len(t) == 10 and t[2] == 0.6 and t[4] == 0.7 and t[-1] == 0.95
    assert iou_thresholds(0.1, 0.9, 0.1).tolist()[6] == 0.7
    # IoU 3/5 equals t = 0.6 exactly and is not a hit
    assert ap_at_thresholds([0.9], [3 / 5], 1, t[2:3])[0] == 0.0
