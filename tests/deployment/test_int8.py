"""The int8 N_feat (``export_onnx.py --int8``)."""
import json
import os
import os.path as osp

import pytest
import torch
import torch.nn as nn

from aten_mm.apis import init_model
from aten_mm.deployment import GraphCheckError, export_config, use_onnxruntime
from aten_mm.deployment import int8 as int8_mod
from aten_mm.deployment.onnx_export import (
    export_checked,
    ort_session,
    preprocess_frame,
    run_session,
    synthetic_frame,
)

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')
PERFRAME = osp.join(CONFIGS, 'parsing_rcnn', 'parsing-rcnn_tiny_synthetic.py')


@pytest.fixture(scope='module')
def int8_export(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('int8_onnx'))
    torch.manual_seed(0)
    manifest = export_config(PERFRAME, None, out, frame_size=(72, 96),
                             log=lambda line: None, int8_frames=4)
    return out, manifest


def test_int8_export_writes_a_quantised_feature_graph(int8_export):
    import onnx
    out, manifest = int8_export
    feat = manifest['graphs']['feat']
    assert feat['file'] == 'feat_int8.onnx'
    assert feat['precision'] == 'int8' and feat['calibration_frames'] == 4
    assert 0 < feat['int8_rel_err'] <= int8_mod.INT8_RTOL
    # the float32 graph stays beside it; the manifest on disk says the same
    assert osp.isfile(osp.join(out, 'feat.onnx'))
    with open(osp.join(out, 'manifest.json')) as f:
        assert json.load(f)['graphs']['feat']['file'] == 'feat_int8.onnx'
    ops = {n.op_type for n in onnx.load(osp.join(out, 'feat_int8.onnx'))
           .graph.node}
    assert {'QuantizeLinear', 'DequantizeLinear'} <= ops
    ops32 = {n.op_type for n in onnx.load(osp.join(out, 'feat.onnx'))
             .graph.node}
    assert 'QuantizeLinear' not in ops32


def test_backend_runs_the_int8_graph_close_to_torch(int8_export):
    out, manifest = int8_export
    torch.manual_seed(0)  # the random weights export_config exports
    ref = init_model(PERFRAME, None, init_weights=True)
    torch.manual_seed(0)
    model = use_onnxruntime(init_model(PERFRAME, None, init_weights=True),
                            onnx_dir=out)
    assert model.onnx_backend.graphs['feat'].sess._model_path.endswith(
        'feat_int8.onnx')
    frame = preprocess_frame(ref, synthetic_frame(96, 72, seed=3))
    with torch.no_grad():
        want = ref.extract_feat(frame)
        got = model.extract_feat(frame)
    err = int8_mod.relative_error(want, got.numpy())
    # an approximation: not the float32 result, within the checked bound
    assert 1e-4 < err <= 2 * int8_mod.INT8_RTOL


class Quantised(nn.Module):
    """A conv whose int8 copy cannot follow an input of another range."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        return self.conv(x)


def test_int8_graph_over_the_tolerance_is_not_written(tmp_path,
                                                      monkeypatch):
    module = Quantised().eval()
    src = str(tmp_path / 'conv.onnx')
    x = torch.randn(1, 3, 16, 16)
    export_checked(module, (x, ), src, ['img'], ['feat'])
    dst = tmp_path / 'conv_int8.onnx'
    # calibrated on inputs 100x smaller than the check input: the check
    # input saturates the uint8 range and the error is large
    calib = [torch.randn(1, 3, 16, 16) * 0.01 for _ in range(2)]
    with pytest.raises(GraphCheckError, match='conv_int8.onnx: the int8 '
                       'graph differs from PyTorch by a relative error'):
        int8_mod.quantize_checked(module, src, str(dst), calib, [x])
    assert sorted(os.listdir(tmp_path)) == ['conv.onnx']
    # calibrated on inputs like the check input it passes
    errors = int8_mod.quantize_checked(
        module, src, str(dst), [torch.randn(1, 3, 16, 16) for _ in range(4)],
        [x])
    assert errors[0] <= int8_mod.INT8_RTOL and dst.exists()
    out = run_session(ort_session(str(dst)), [x])[0]
    assert int8_mod.relative_error(module(x), out) == pytest.approx(
        errors[0])


def test_int8_option_of_the_tool(capsys, load_tool):
    tool = load_tool('tools/deployment/export_onnx.py')
    base = [PERFRAME, 'none', '--out-dir', 'x']
    assert tool.parse_args(base).int8 == 0  # float32 only
    assert tool.parse_args(base + ['--int8']).int8 == 16
    assert tool.parse_args(base + ['--int8', '3']).int8 == 3
    for bad in ('0', '-2', 'many'):
        with pytest.raises(SystemExit) as exc:
            tool.parse_args(base + ['--int8', bad])
        assert exc.value.code == 2
        assert ('--int8: expected a number of calibration frames >= 1'
                in capsys.readouterr().err)
