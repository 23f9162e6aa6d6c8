"""Tests of the flow EPE metric on hand-made flow fields."""
import math

import numpy as np
import torch

from aten_mm.evaluation.functional import flow_epe_sums
from aten_mm.registry import METRICS


def sample(pred, gt, valid, person=None):
    return dict(pred_flow=torch.as_tensor(pred).permute(2, 0, 1),
                gt_flow=torch.as_tensor(gt).permute(2, 0, 1),
                gt_valid=torch.as_tensor(valid),
                gt_person=torch.as_tensor(
                    person if person is not None else np.zeros_like(valid)),
                has_person=person is not None)


def test_known_values():
    gt = np.zeros((2, 3, 2), np.float32)
    pred = np.zeros((2, 3, 2), np.float32)
    pred[...] = (3, 4)          # EPE 5
    pred[0, 0] = (0, 1)         # EPE 1
    valid = np.ones((2, 3), bool)
    valid[1, 2] = False
    person = np.zeros((2, 3), bool)
    person[0, 0] = person[0, 1] = person[1, 2] = True  # (1, 2) invalid
    sums = flow_epe_sums(pred, gt, valid, person)
    assert sums == dict(epe_sum=21.0, num=5, person_epe_sum=6.0,
                        person_num=2)
    metric = METRICS.build(dict(type='FlowEPEMetric'))
    metric.dataset_meta = {}
    # a second pair without person annotation: EPE 2 on 6 valid pixels
    pred2 = np.zeros((2, 3, 2), np.float32)
    pred2[..., 1] = 2
    metric.process({}, [sample(pred, gt, valid, person),
                        sample(pred2, gt, np.ones((2, 3), bool))])
    out = metric.evaluate(2)
    assert math.isclose(out['flow/EPE'], (21 + 12) / 11)
    assert math.isclose(out['flow/EPE_person'], 3.0)
