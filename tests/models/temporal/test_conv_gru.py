"""Tests of ConvGRUEncoder (paper Eq. 4-5) and its efficiency options."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from aten_mm.models.temporal import ConvGRUEncoder
from aten_mm.registry import MODELS

C = 4


def randomize(module, seed=0):
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-0.5, 0.5)
    return module.double()


def feats(t=3, n=2, c=C, h=6, w=7, seed=1):
    torch.manual_seed(seed)
    return [torch.randn(n, c, h, w, dtype=torch.float64) for _ in range(t)]


def hand_gru_step(x, h, cell, act):
    """Eq. (5) written out with F.conv2d on the cell's weight slices."""
    wx, bx = cell.conv_x.weight, cell.conv_x.bias
    w_xz, w_xr, w_xh = wx.chunk(3, dim=0)
    b_z, b_r, b_h = bx.chunk(3, dim=0)
    w_hz, w_hr = cell.conv_h_zr.weight.chunk(2, dim=0)
    w_hh = cell.conv_h_h.weight
    z = act(F.conv2d(x, w_xz, b_z, padding=1) + F.conv2d(h, w_hz, padding=1))
    r = act(F.conv2d(x, w_xr, b_r, padding=1) + F.conv2d(h, w_hr, padding=1))
    h_cand = torch.tanh(
        F.conv2d(x, w_xh, b_h, padding=1) + F.conv2d(r * h, w_hh, padding=1))
    return (1 - z) * h + z * h_cand


@pytest.mark.parametrize('gate_act,act', [('sigmoid', torch.sigmoid),
                                          ('hard_sigmoid', F.hardsigmoid)])
@pytest.mark.parametrize('init_state', ['zeros', 'mean'])
def test_gru_matches_eq5_by_hand(gate_act, act, init_state):
    enc = randomize(MODELS.build(dict(
        type='ConvGRUEncoder', in_channels=C, gate_act=gate_act,
        init_state=init_state)))
    xs = feats()
    h = (torch.stack(xs).mean(0) if init_state == 'mean'
         else torch.zeros_like(xs[0]))
    # one step
    torch.testing.assert_close(enc(xs[:1]), hand_gru_step(
        xs[0], torch.stack(xs[:1]).mean(0) if init_state == 'mean' else
        torch.zeros_like(xs[0]), enc.cell, act))
    for x in xs:
        h = hand_gru_step(x, h, enc.cell, act)
    torch.testing.assert_close(enc(xs), h)


def test_result_depends_on_input_order():
    enc = randomize(ConvGRUEncoder(in_channels=C))
    a, b, k = feats()
    out = enc([a, b, k])
    assert not torch.allclose(out, enc([b, a, k]))
    assert not torch.allclose(out, enc([k, b, a]))


@pytest.mark.parametrize('options', [
    dict(),
    dict(depthwise=True),
    dict(bottleneck_channels=2, downsample=2),
    dict(init_state='mean', depthwise=True, downsample=4),
])
def test_batched_input_conv_equals_step_by_step(options):
    enc = randomize(ConvGRUEncoder(in_channels=C, **options))
    xs = feats(t=4)
    batched = enc(xs)
    enc.batched_input_conv = False
    torch.testing.assert_close(enc(xs), batched, rtol=1e-12, atol=1e-12)


def hand_separable(x, module):
    """W_pw * (W_dw (*)_groups x + b_dw) + b_pw, by hand."""
    dw, pw = module.depthwise_conv.conv, module.pointwise_conv.conv
    y = F.conv2d(x, dw.weight, dw.bias, padding=1, groups=x.shape[1])
    return F.conv2d(y, pw.weight, pw.bias)


def test_depthwise_variant_equals_its_equations():
    enc = randomize(ConvGRUEncoder(in_channels=C, depthwise=True))
    cell = enc.cell
    assert cell.conv_x.depthwise_conv.conv.groups == C
    xs = feats()
    h = torch.zeros_like(xs[0])
    for x in xs:
        xz, xr, xh = hand_separable(x, cell.conv_x).chunk(3, dim=1)
        hz, hr = hand_separable(h, cell.conv_h_zr).chunk(2, dim=1)
        z, r = torch.sigmoid(xz + hz), torch.sigmoid(xr + hr)
        h_cand = torch.tanh(xh + hand_separable(r * h, cell.conv_h_h))
        h = (1 - z) * h + z * h_cand
    torch.testing.assert_close(enc(xs), h)


@pytest.mark.parametrize('bottleneck,down', [(2, 1), (None, 2), (3, 4)])
def test_efficient_variants_equal_documented_equations(bottleneck, down):
    enc = ConvGRUEncoder(in_channels=C, bottleneck_channels=bottleneck,
                         downsample=down).double()
    xs = feats(h=9, w=10)
    # fresh: proj_out is zero, the encoder returns the key feature exactly
    assert torch.equal(enc(xs), xs[-1])
    enc.init_weights()
    assert torch.equal(enc(xs), xs[-1])
    randomize(enc)
    # x_t = proj_in(avg_pool_d(F_t)); out = F_k + up(proj_out(h_T))
    h = None
    for f in xs:
        x = F.avg_pool2d(f, down, ceil_mode=True) if down > 1 else f
        if bottleneck:
            x = F.conv2d(x, enc.proj_in.weight, enc.proj_in.bias)
        h = torch.zeros_like(x) if h is None else h
        h = hand_gru_step(x, h, enc.cell, torch.sigmoid)
    assert h.shape[1] == (bottleneck or C)
    assert h.shape[2:] == (-(-9 // down), -(-10 // down))
    delta = F.conv2d(h, enc.proj_out.weight, enc.proj_out.bias)
    delta = F.interpolate(delta, size=(9, 10), mode='bilinear',
                          align_corners=False)
    torch.testing.assert_close(enc(xs), xs[-1] + delta)


def test_bad_inputs_and_config():
    enc = ConvGRUEncoder(in_channels=C)
    with pytest.raises(ValueError, match='non-empty'):
        enc([])
    with pytest.raises(ValueError, match='shape'):
        enc([torch.zeros(1, C, 4, 4), torch.zeros(1, C, 4, 5)])
    with pytest.raises(ValueError, match='channels'):
        enc([torch.zeros(1, C + 1, 4, 4)])
    with pytest.raises(ValueError, match='init_state'):
        ConvGRUEncoder(init_state='random')
    with pytest.raises(ValueError, match='gate_act'):
        ConvGRUEncoder(in_channels=C, gate_act='relu')
    with pytest.raises(ValueError, match='downsample'):
        ConvGRUEncoder(in_channels=C, downsample=0)
    assert isinstance(ConvGRUEncoder(in_channels=C).cell.conv_x, nn.Conv2d)


def test_update_gate_bias_starts_as_the_mean_of_the_inputs():
    # b_z = -30: z = sigma(-30 + small) ~ 1e-13, so every step keeps h and
    # h_T = h_0 = the mean of the inputs (init_state='mean')
    enc = randomize(ConvGRUEncoder(in_channels=C, init_state='mean',
                                   update_gate_bias=-30.0))
    before = enc.cell.conv_x.bias.detach().clone()
    enc.init_weights()
    bias = enc.cell.conv_x.bias.detach()
    assert torch.all(bias[:C] == -30.0)
    # only b_z is set: b_r and b_h' keep their values
    torch.testing.assert_close(bias[C:], before[C:])
    xs = feats()
    torch.testing.assert_close(enc(xs), torch.stack(xs).mean(0),
                               rtol=0, atol=1e-10)
    # the gradient still reaches the gate (it can open while training)
    enc.cell.conv_x.bias.grad = None
    enc(xs).sum().backward()
    assert enc.cell.conv_x.bias.grad[:C].abs().sum() > 0


def test_update_gate_bias_none_keeps_the_default_init():
    torch.manual_seed(0)
    enc = ConvGRUEncoder(in_channels=C)
    before = enc.cell.conv_x.bias.detach().clone()
    enc.init_weights()
    torch.testing.assert_close(enc.cell.conv_x.bias.detach(), before)
    # PyTorch's default init: not one constant
    assert before[:C].unique().numel() == C


def test_update_gate_bias_on_depthwise_gates():
    enc = ConvGRUEncoder(in_channels=C, depthwise=True, update_gate_bias=-2.)
    pw_bias = enc.cell.conv_x.pointwise_conv.conv.bias.detach()
    assert torch.all(pw_bias[:C] == -2.0)
    assert not torch.all(pw_bias[C:] == -2.0)
