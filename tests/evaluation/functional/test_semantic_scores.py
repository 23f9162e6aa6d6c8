"""Confusion matrix and parsing scores, worked out by hand (§4)."""
import numpy as np
import pytest

from aten_mm.evaluation.functional import confusion_matrix, segmentation_scores

GT = np.array([[0, 0, 1], [1, 2, 255]])
PRED = np.array([[0, 1, 1], [1, 1, 0]])


def test_confusion_matrix_ignores_255():
    conf = confusion_matrix(GT, PRED, num_classes=3)
    np.testing.assert_array_equal(conf, [[1, 1, 0], [0, 2, 0], [0, 1, 0]])


def test_scores():
    s = segmentation_scores(confusion_matrix(GT, PRED, num_classes=3))
    np.testing.assert_allclose(s['IoU'], [0.5, 0.5, 0.0])
    assert s['mIoU'] == pytest.approx(1 / 3)
    assert s['aAcc'] == pytest.approx(3 / 5)
    assert s['mAcc'] == pytest.approx(0.5)
    assert s['fwIoU'] == pytest.approx(0.4)


def test_zero_union_class_is_skipped():
    s = segmentation_scores(confusion_matrix(GT, PRED, num_classes=4))
    assert np.isnan(s['IoU'][3])
    assert s['mIoU'] == pytest.approx(1 / 3)


def test_dataset_level_not_mean_of_images():
    # image a: class 1 perfect on 1 px; image b: class 1 IoU 1/3 on 3 px
    a = confusion_matrix(np.array([[1]]), np.array([[1]]), 2)
    b = confusion_matrix(np.array([[1, 1, 0]]), np.array([[1, 0, 1]]), 2)
    s = segmentation_scores(a + b)
    # summed: inter 2, union 3 + 3 - 2 = 4; per-image mean would be 2/3
    assert s['IoU'][1] == pytest.approx(2 / 4)


def test_bad_prediction_value():
    with pytest.raises(ValueError, match='0..2'):
        confusion_matrix(GT, PRED + 2, num_classes=3)
