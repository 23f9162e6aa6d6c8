"""Winograd F(4x4, 3x3) convolutions (``export_onnx.py --winograd``)."""
import io
import json
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from aten_mm.deployment import GraphCheckError, export_config
from aten_mm.deployment import winograd as wg
from aten_mm.deployment.onnx_export import ort_session, run_session

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')
ATEN = osp.join(CONFIGS, 'aten', 'aten_tiny_synthetic.py')


def conv(cin=8, cout=5, bias=True, **kwargs):
    torch.manual_seed(0)
    kwargs.setdefault('padding', 1)
    return nn.Conv2d(cin, cout, kwargs.pop('kernel_size', 3), bias=bias,
                     **kwargs).eval()


def test_matrices_compute_a_one_dimensional_correlation_exactly():
    # F(4, 3): A^T [(G g) * (B^T d)] is the 4 outputs of correlating the
    # 6 inputs d with the 3 taps g (the paper's identity), in float64
    a_t = torch.tensor(wg.A_T, dtype=torch.float64)
    b_t = torch.tensor(wg.B_T, dtype=torch.float64)
    g_m = torch.tensor(wg.G, dtype=torch.float64)
    gen = torch.Generator().manual_seed(0)
    for _ in range(5):
        d = torch.randn(6, generator=gen, dtype=torch.float64)
        g = torch.randn(3, generator=gen, dtype=torch.float64)
        want = torch.stack([(d[i:i + 3] * g).sum() for i in range(4)])
        got = a_t @ ((g_m @ g) * (b_t @ d))
        torch.testing.assert_close(got, want, atol=1e-12, rtol=0)


def test_hand_computed_kernels():
    # the centre tap returns the input; a ones kernel sums 3 x 3 windows
    x = torch.arange(2 * 3 * 9 * 10, dtype=torch.float32).reshape(
        2, 3, 9, 10) / 100
    ident = conv(3, 3, bias=False)
    with torch.no_grad():
        ident.weight.zero_()
        for c in range(3):
            ident.weight[c, c, 1, 1] = 1
        box = conv(1, 1, bias=True)
        box.weight.fill_(1)
        box.bias.fill_(0.5)
        torch.testing.assert_close(
            wg.WinogradConv2d(ident, min_tiles=1)(x), x, atol=1e-5, rtol=0)
        ones = torch.ones(1, 1, 5, 5)
        want = torch.tensor([[4, 6, 6, 6, 4], [6, 9, 9, 9, 6],
                             [6, 9, 9, 9, 6], [6, 9, 9, 9, 6],
                             [4, 6, 6, 6, 4]], dtype=torch.float32) + 0.5
        torch.testing.assert_close(
            wg.WinogradConv2d(box, min_tiles=1)(ones)[0, 0], want,
            atol=1e-5, rtol=0)


@pytest.mark.parametrize('shape', [(1, 8, 16, 16), (2, 8, 7, 9),
                                   (1, 8, 1, 1), (3, 8, 13, 6)])
@pytest.mark.parametrize('bias', [True, False])
def test_equals_the_direct_convolution(shape, bias):
    layer = conv(bias=bias)
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        want = layer(x)
        win = wg.WinogradConv2d(layer, min_tiles=1)
        got = win(x)
    assert win.applied
    torch.testing.assert_close(got, want, atol=1e-5 * want.abs().max(),
                               rtol=0)
    assert not torch.equal(got, want) or shape[-2:] == (1, 1)


def test_small_maps_are_computed_directly():
    layer = conv()
    x = torch.randn(1, 8, 12, 12)  # 3 x 3 = 9 tiles
    with torch.no_grad():
        few = wg.WinogradConv2d(layer, min_tiles=10)
        out = few(x)
        assert not few.applied and torch.equal(out, layer(x))
        enough = wg.WinogradConv2d(layer, min_tiles=9)
        enough(x)
        assert enough.applied


@pytest.mark.parametrize('kwargs', [
    dict(stride=2), dict(dilation=2, padding=2), dict(groups=2),
    dict(padding=0), dict(kernel_size=1, padding=0),
    dict(padding_mode='reflect')])
def test_other_convolutions_are_not_eligible(kwargs):
    layer = conv(8, 6, **kwargs)
    assert not wg.winograd_eligible(layer)
    with pytest.raises(ValueError, match='3x3, stride-1'):
        wg.WinogradConv2d(layer)
    assert wg.winograd_eligible(conv(8, 6))


class Net(nn.Module):

    def __init__(self):
        super().__init__()
        self.wide = conv(16, 16)
        self.narrow = conv(16, 4)
        self.strided = conv(16, 16, stride=2)
        self.inner = nn.Sequential(conv(16, 16), nn.ReLU())

    def forward(self, x):
        return self.strided(self.inner(self.wide(x))) + self.narrow(
            x)[:, :1, ::2, ::2]


def test_swaps_only_wide_eligible_convolutions_and_restores_them():
    net = Net()
    before = dict(net.named_modules())
    with wg.winograd_convs(net, min_channels=16) as convs:
        assert len(convs) == 2
        assert isinstance(net.wide, wg.WinogradConv2d)
        assert isinstance(net.inner[0], wg.WinogradConv2d)
        assert type(net.narrow) is nn.Conv2d  # 4 output channels
        assert type(net.strided) is nn.Conv2d
    assert dict(net.named_modules()) == before
    with pytest.raises(RuntimeError, match='boom'):
        with wg.winograd_convs(net, min_channels=4):
            assert isinstance(net.narrow, wg.WinogradConv2d)
            raise RuntimeError('boom')
    assert dict(net.named_modules()) == before


@pytest.mark.filterwarnings('ignore::torch.jit.TracerWarning')
def test_exported_graph_uses_depth_to_space_and_matches_torch():
    import onnx
    layer = conv(16, 8)
    win = wg.WinogradConv2d(layer, min_tiles=1)
    x = torch.randn(1, 16, 10, 14)
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(win, (x, ), buf, input_names=['x'],
                          output_names=['y'], opset_version=17,
                          dynamic_axes={'x': {0: 'n'}, 'y': {0: 'n'}},
                          dynamo=False)
        ops = [n.op_type for n in onnx.load_from_string(
            buf.getvalue()).graph.node]
        assert 'DepthToSpace' in ops and 'MatMul' in ops
        sess = ort_session(buf.getvalue())
        x2 = torch.randn(3, 16, 10, 14)  # another batch size
        got = run_session(sess, [x2])[0]
        want = layer(x2).numpy()
    np.testing.assert_allclose(got, want, atol=1e-5 * np.abs(want).max(),
                               rtol=0)


@pytest.fixture(scope='module')
def winograd_export(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('winograd_onnx'))
    torch.manual_seed(0)
    # the tiny model's convolutions have 16-128 channels and small maps
    manifest = export_config(ATEN, None, out, frame_size=(72, 96),
                             log=lambda line: None, winograd=16)
    return out, manifest


def test_export_records_the_winograd_convolutions(winograd_export):
    import onnx
    out, manifest = winograd_export
    counts = {k: g['winograd_convs'] for k, g in manifest['graphs'].items()}
    assert counts['feat'] > 0 and counts['rpn'] == 1
    assert counts['encoder'] > 0
    for name, count in counts.items():
        ops = [n.op_type for n in onnx.load(
            osp.join(out, manifest['graphs'][name]['file'])).graph.node]
        if name == 'encoder':
            # the p + 1 steps call each of its convolutions at most once
            # per step (the first step has no hidden state to convolve)
            steps = manifest['encoder_steps']
            assert count < ops.count('DepthToSpace') <= count * steps
        else:
            assert ops.count('DepthToSpace') == count, name
    with open(osp.join(out, 'manifest.json')) as f:
        assert json.load(f)['graphs']['feat']['winograd_convs'] == \
            counts['feat']


def test_winograd_and_int8_are_refused_together(tmp_path):
    with pytest.raises(GraphCheckError, match='--winograd and --int8'):
        export_config(ATEN, None, str(tmp_path / 'x'), frame_size=(72, 96),
                      log=lambda line: None, winograd=128, int8_frames=2)
    assert not (tmp_path / 'x').exists()


def test_export_model_refuses_winograd_with_int8(tmp_path):
    from aten_mm.apis import init_model
    from aten_mm.deployment.onnx_export import export_model
    torch.manual_seed(0)
    model = init_model(ATEN, None)
    frames = [torch.randn(1, 3, 64, 64) for _ in range(3)]
    with pytest.raises(GraphCheckError, match='two alternatives'):
        export_model(model, str(tmp_path / 'x'), frames[:2],
                     log=lambda line: None, int8_calib=frames[2:],
                     winograd=16)
    assert not (tmp_path / 'x').exists()


def test_winograd_option_of_the_tool(capsys, load_tool):
    tool = load_tool('tools/deployment/export_onnx.py')
    base = [ATEN, 'none', '--out-dir', 'x']
    assert tool.parse_args(base).winograd is None
    assert tool.parse_args(base + ['--winograd']).winograd == \
        wg.MIN_CHANNELS
    assert tool.parse_args(base + ['--winograd', '64']).winograd == 64
    for bad in ('0', 'wide'):
        with pytest.raises(SystemExit) as exc:
            tool.parse_args(base + ['--winograd', bad])
        assert exc.value.code == 2
        assert ('--winograd: expected a number of channels >= 1'
                in capsys.readouterr().err)


def test_padding_to_tiles_reads_zeros_not_neighbours():
    # a map 4k + 1 wide: the last tile is mostly padding; the output's
    # last column must not see values from outside the input
    layer = conv(2, 2)
    x = torch.zeros(1, 2, 5, 5)
    x[..., -1] = 1.0
    with torch.no_grad():
        got = wg.WinogradConv2d(layer, min_tiles=1)(x)
        want = F.conv2d(x, layer.weight, layer.bias, padding=1)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=0)
