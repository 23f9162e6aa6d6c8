"""Tests of ConvLSTMEncoder (the convLSTM ablation of Tables 1 and 3)."""
import pytest
import torch
import torch.nn.functional as F

from aten_mm.models.temporal import ConvLSTMEncoder
from aten_mm.registry import MODELS

C = 3


def lstm_by_hand(xs, cell, h):
    c = torch.zeros_like(h)
    wx, bx = cell.conv_x.weight, cell.conv_x.bias
    wh = cell.conv_h.weight
    for x in xs:
        gates = []
        for k in range(4):  # i, f, o, g
            sl = slice(k * C, (k + 1) * C)
            gates.append(F.conv2d(x, wx[sl], bx[sl], padding=1)
                         + F.conv2d(h, wh[sl], padding=1))
        i, f, o = (torch.sigmoid(g) for g in gates[:3])
        g = torch.tanh(gates[3])
        c = f * c + i * g
        h = o * torch.tanh(c)
    return h


@pytest.mark.parametrize('init_state', ['zeros', 'mean'])
def test_lstm_matches_equations_by_hand(init_state):
    enc = MODELS.build(dict(type='ConvLSTMEncoder', in_channels=C,
                            init_state=init_state)).double()
    assert isinstance(enc, ConvLSTMEncoder)
    torch.manual_seed(0)
    with torch.no_grad():
        for p in enc.parameters():
            p.uniform_(-0.5, 0.5)
    xs = [torch.randn(2, C, 5, 6, dtype=torch.float64) for _ in range(3)]
    h0 = (torch.stack(xs).mean(0) if init_state == 'mean'
          else torch.zeros_like(xs[0]))
    torch.testing.assert_close(enc(xs[:1]), lstm_by_hand(
        xs[:1], enc.cell, xs[0] if init_state == 'mean' else h0))
    torch.testing.assert_close(enc(xs), lstm_by_hand(xs, enc.cell, h0))
    assert not torch.allclose(enc(xs), enc(xs[::-1]))


def test_lstm_efficient_mode_starts_at_key_and_batches_exactly():
    enc = ConvLSTMEncoder(in_channels=C, bottleneck_channels=2,
                          downsample=2, depthwise=True).double()
    xs = [torch.randn(1, C, 7, 5, dtype=torch.float64) for _ in range(3)]
    assert torch.equal(enc(xs), xs[-1])
    with torch.no_grad():
        for p in enc.parameters():
            p.uniform_(-0.5, 0.5)
    batched = enc(xs)
    enc.batched_input_conv = False
    torch.testing.assert_close(enc(xs), batched, rtol=1e-12, atol=1e-12)
