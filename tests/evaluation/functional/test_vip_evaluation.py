"""Frame records and the VIP summary on small hand-made forms."""
import numpy as np
import pytest

from aten_mm.evaluation.functional import vip_frame_record, vip_summary


def _frame():
    gt_person = np.zeros((4, 4), int)
    gt_person[:, :2] = 1
    gt_person[:, 2:] = 2
    gt_part = np.zeros((4, 4), int)
    gt_part[:2, :2], gt_part[2:, :2] = 1, 2
    gt_part[:2, 2:], gt_part[2:, 2:] = 21, 22
    gt = dict(sem_seg=np.where(np.arange(4)[:, None] < 2, 1, 2) *
              np.ones((4, 4), int), person_map=gt_person, part_map=gt_part,
              part_table={1: 1, 2: 2, 21: 1, 22: 2})
    person = np.zeros((4, 4), int)
    person[:, :3] = 1
    person[:, 3] = 2
    part = np.zeros((4, 4), int)
    part[:2, :3] = 1  # class 1, IoU 4/6 with gt part 1
    part[:2, 3] = 2  # class 2 on a class-1 GT part -> IoU 0
    pred = dict(sem_seg=gt['sem_seg'].copy(), person_map=person,
                person_scores=np.array([0.9000004, 0.8, 0.1]),
                part_map=part, part_labels=np.array([1, 2]),
                part_scores=np.array([0.6, 0.4]))
    return gt, pred


def test_frame_record_by_hand():
    gt, pred = _frame()
    r = vip_frame_record(gt, pred, 'v/1', num_classes=3)
    np.testing.assert_array_equal(r['conf'],
                                  [[0, 0, 0], [0, 8, 0], [0, 0, 8]])
    assert r['num_gt_persons'] == 2
    # id 3's score has no pixel: not a prediction
    assert r['person_scores'].tolist() == [0.9, 0.8]
    np.testing.assert_allclose(r['person_ious'], [8 / 12, 4 / 8])
    assert r['part_gt_counts'].tolist() == [0, 2, 2]
    assert r['part_labels'].tolist() == [1, 2]
    np.testing.assert_allclose(r['part_ious'], [4 / 6, 0.0])


def test_size_mismatch_names_frame():
    gt, pred = _frame()
    pred['sem_seg'] = np.zeros((4, 5), int)
    with pytest.raises(ValueError, match='v/1.*GT size'):
        vip_frame_record(gt, pred, 'v/1', num_classes=3)


def test_summary_person_ap_and_missing_class():
    gt, pred = _frame()
    s = vip_summary([vip_frame_record(gt, pred, 'v/1', num_classes=3)],
                    num_classes=3)
    # ranked 0.9 (IoU 2/3), 0.8 (IoU exactly 0.5: not a hit at 0.5)
    # t <= .65: T F -> 1/2; t >= .7: 0
    np.testing.assert_allclose(s['person_aps'], [0.5] * 4 + [0.0] * 6)
    assert s['APr'] == pytest.approx(0.2)
    assert s['part_classes_without_gt'] == []
    # class 1: one TP of 2 GT for t < 2/3; class 2: one FP
    np.testing.assert_allclose(s['part_aps'][0], [0.5] * 6 + [0.0] * 3)
    np.testing.assert_allclose(s['part_aps'][1], 0.0)
    s4 = vip_summary([vip_frame_record(gt, pred, 'v/1', num_classes=4)],
                     num_classes=4)
    assert s4['part_classes_without_gt'] == [3]
    assert np.isnan(s4['APr_vol'])
    assert s4['APr_vol_nanmean'] == pytest.approx(6 * 0.5 / 18)


def test_duplicate_frames_rejected():
    gt, pred = _frame()
    r = vip_frame_record(gt, pred, 'v/1', num_classes=3)
    with pytest.raises(ValueError, match='more than once'):
        vip_summary([r, r], num_classes=3)
