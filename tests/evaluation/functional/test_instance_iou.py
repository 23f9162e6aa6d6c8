"""IoU matrix from id maps (joint histogram) checked by hand."""
import numpy as np
import torch

from aten_mm.evaluation.functional import (
    instance_iou_matrix,
    masks_to_id_map,
    max_iou_per_prediction,
)


def test_iou_matrix_by_hand():
    gt = np.zeros((4, 4), int)
    gt[:, :2] = 1
    gt[:, 2:] = 3  # sparse id
    pred = np.zeros((4, 4), int)
    pred[:2, :3] = 1
    pred[2:, 3] = 2
    pids, gids, iou = instance_iou_matrix(pred, gt)
    assert pids.tolist() == [1, 2] and gids.tolist() == [1, 3]
    np.testing.assert_allclose(iou, [[4 / 10, 2 / 12], [0, 2 / 8]])
    np.testing.assert_allclose(max_iou_per_prediction(iou), [0.4, 0.25])
    # class restriction: pred 2 is class 7, gt 3 is class 5 -> 0
    np.testing.assert_allclose(
        max_iou_per_prediction(iou, np.array([5, 7]), np.array([5, 5])),
        [0.4, 0.0])


def test_no_gt_gives_zero():
    pids, gids, iou = instance_iou_matrix(np.ones((2, 2), int),
                                          np.zeros((2, 2), int))
    assert iou.shape == (1, 0)
    assert max_iou_per_prediction(iou).tolist() == [0.0]


def test_masks_to_id_map_first_mask_wins():
    masks = torch.zeros(2, 2, 3, dtype=torch.bool)
    masks[0, 0, :2] = True
    masks[1, 0, 1:] = True
    id_map = masks_to_id_map(masks)
    np.testing.assert_array_equal(id_map, [[1, 1, 2], [0, 0, 0]])
    assert masks_to_id_map(np.zeros((0, 2, 3), bool)).shape == (2, 3)
