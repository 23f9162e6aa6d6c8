"""Tests of FlowNet's multi-scale EPE loss (known values)."""
import pytest
import torch

from aten_mm.registry import MODELS


def zero_preds(n, h, w):
    return [torch.zeros(n, 2, h // 2**lvl, w // 2**lvl, requires_grad=True)
            for lvl in (6, 5, 4, 3, 2)]


def test_known_value_constant_flow():
    loss = MODELS.build(dict(type='MultiLevelEPELoss'))
    gt = torch.zeros(2, 2, 64, 64)
    gt[:, 0] = 20.0  # = 1 in units of flow_div at every level
    preds = zero_preds(2, 64, 64)
    out = loss(preds, gt, torch.ones(2, 64, 64, dtype=torch.bool))
    # per image: sum over cells of EPE 1: 1, 4, 16, 64, 256 cells
    expected = 0.32 * 1 + 0.08 * 4 + 0.02 * 16 + 0.01 * 64 + 0.005 * 256
    torch.testing.assert_close(out['loss_flow'], torch.tensor(expected))
    for lvl in (6, 5, 4, 3, 2):
        torch.testing.assert_close(out[f'epe_l{lvl}'], torch.tensor(20.0))
    out['loss_flow'].backward()
    # d|p - g| / dp = -1 on x at every cell, times weight / N
    torch.testing.assert_close(preds[-1].grad[:, 0],
                               torch.full((2, 16, 16), -0.005 / 2))
    # a perfect prediction (gt / 20 averaged per cell) has zero loss
    perfect = [torch.zeros(2, 2, 64 // 2**lvl, 64 // 2**lvl)
               for lvl in (6, 5, 4, 3, 2)]
    for p in perfect:
        p[:, 0] = 1.0
    assert loss(perfect, gt, torch.ones(2, 64, 64))['loss_flow'] == 0


def test_invalid_pixels_are_ignored():
    loss = MODELS.build(dict(type='MultiLevelEPELoss'))
    gt = torch.zeros(1, 2, 64, 64)
    gt[:, 0, :, :32] = 20.0
    gt[:, 0, :, 32:] = 1000.0  # garbage where invalid
    valid = torch.zeros(1, 64, 64)
    valid[:, :, :32] = 1
    out = loss(zero_preds(1, 64, 64), gt, valid)
    # level 6: its one cell averages the valid left half only (EPE 1);
    # finer levels: the left half of the cells
    expected = 0.32 * 1 + 0.08 * 2 + 0.02 * 8 + 0.01 * 32 + 0.005 * 128
    torch.testing.assert_close(out['loss_flow'], torch.tensor(expected))
    # a cell half valid averages its valid pixels only
    valid2 = torch.zeros(1, 64, 64)
    valid2[:, :, :16] = 1  # level 6 cell: 1/4 valid, still EPE 1
    out2 = loss(zero_preds(1, 64, 64), gt, valid2)
    torch.testing.assert_close(out2['epe_l6'], torch.tensor(20.0))


def test_bad_inputs():
    loss = MODELS.build(dict(type='MultiLevelEPELoss'))
    with pytest.raises(ValueError, match='level 6'):
        loss(zero_preds(1, 128, 128), torch.zeros(1, 2, 64, 64),
             torch.ones(1, 64, 64))
    with pytest.raises(ValueError, match='5 values'):
        MODELS.build(dict(type='MultiLevelEPELoss', weights=(1, 2)))


def test_pixel_weights_known_values():
    loss = MODELS.build(dict(type='MultiLevelEPELoss'))
    gt = torch.zeros(1, 2, 64, 64)
    gt[:, 0] = 20.0  # EPE 1 (units of flow_div) at every cell of a 0 guess
    valid = torch.ones(1, 64, 64)
    plain = loss(zero_preds(1, 64, 64), gt, valid)
    # unit weights are FlowNet's loss
    ones = loss(zero_preds(1, 64, 64), gt, valid, weight=torch.ones(1, 64, 64))
    torch.testing.assert_close(ones['loss_flow'], plain['loss_flow'])
    # weight 3 on the left half: every cell of levels 2..5 lies in one half
    # (3 or 1), the one level-6 cell averages them (2)
    weight = torch.ones(1, 64, 64)
    weight[:, :, :32] = 3.0
    out = loss(zero_preds(1, 64, 64), gt, valid, weight=weight)
    expected = (0.32 * 2 + 0.08 * (2 * 3 + 2 * 1) + 0.02 * (8 * 3 + 8)
                + 0.01 * (32 * 3 + 32) + 0.005 * (128 * 3 + 128))
    torch.testing.assert_close(out['loss_flow'], torch.tensor(expected))
    # the logged EPE stays the plain mean, and the target is unweighted
    for lvl in (6, 5, 4, 3, 2):
        torch.testing.assert_close(out[f'epe_l{lvl}'], torch.tensor(20.0))
    # a weight on invalid pixels counts nothing: only the valid right half
    valid_r = torch.zeros(1, 64, 64)
    valid_r[:, :, 32:] = 1
    out_r = loss(zero_preds(1, 64, 64), gt, valid_r, weight=weight)
    plain_r = loss(zero_preds(1, 64, 64), gt, valid_r)
    torch.testing.assert_close(out_r['loss_flow'], plain_r['loss_flow'])
    with pytest.raises(ValueError, match='weight must have the shape'):
        loss(zero_preds(1, 64, 64), gt, valid, weight=torch.ones(1, 32, 32))
