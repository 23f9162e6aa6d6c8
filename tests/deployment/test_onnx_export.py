import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn as nn

from aten_mm.apis import init_model
from aten_mm.deployment import (
    GraphCheckError,
    check_frames,
    export_checked,
    export_config,
)
from aten_mm.deployment.onnx_export import ort_session, run_session

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')
ATEN = osp.join(CONFIGS, 'aten', 'aten_tiny_synthetic.py')
PERFRAME = osp.join(CONFIGS, 'parsing_rcnn', 'parsing-rcnn_tiny_synthetic.py')


class TracingLiar(nn.Module):
    """Adds 1 only while being traced: its graph cannot match it."""

    def forward(self, x):
        return x * 2 + (1.0 if torch.jit.is_tracing() else 0.0)


class Doubler(nn.Module):

    def forward(self, x):
        return x * 2


def test_export_refuses_a_graph_that_differs_and_writes_nothing(tmp_path):
    path = tmp_path / 'liar.onnx'
    with pytest.raises(GraphCheckError, match='differs from PyTorch by 1'):
        export_checked(TracingLiar(), (torch.ones(1, 3),), str(path),
                       ['x'], ['y'])
    assert os.listdir(tmp_path) == []  # no temporary file left either


def test_export_writes_a_graph_that_agrees(tmp_path):
    path = tmp_path / 'double.onnx'
    diffs = export_checked(Doubler(), (torch.ones(1, 3),), str(path),
                           ['x'], ['y'], checks=[(torch.arange(6.).view(
                               2, 3),)])
    assert diffs == [0.0, 0.0]
    out = run_session(ort_session(str(path)), [torch.full((3, 3), 2.)])
    np.testing.assert_array_equal(out[0], np.full((3, 3), 4.))


@pytest.fixture(scope='module')
def aten_export(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('aten_onnx'))
    torch.manual_seed(0)
    manifest = export_config(ATEN, None, out, frame_size=(72, 96),
                             log=lambda line: None)
    return out, manifest


def test_video_model_exports_every_dense_graph(aten_export):
    out, manifest = aten_export
    assert set(manifest['graphs']) == {'feat', 'motion', 'warp', 'encoder',
                                       'parse', 'rpn', 'bbox', 'mask'}
    assert manifest['encoder_steps'] == 3  # p + 1 with p = 2
    assert manifest['graphs']['motion']['outputs'] == ['flow', 'scale']
    with open(osp.join(out, 'manifest.json')) as f:
        assert json.load(f) == manifest
    for g in manifest['graphs'].values():
        assert osp.isfile(osp.join(out, g['file']))
        assert g['max_abs_diff'] <= 1e-3


def test_exported_feature_graph_matches_torch_on_a_new_frame(aten_export):
    out, manifest = aten_export
    torch.manual_seed(0)  # the random weights export_config exports
    model = init_model(ATEN, None, init_weights=True)
    frame = np.random.default_rng(5).integers(0, 255, (72, 96, 3),
                                              dtype=np.uint8)
    img = check_frames(model, frame)[0]
    assert list(img.shape[-2:]) == manifest['input_shape']
    ref = model.detector.extract_feat(img)
    got = run_session(ort_session(osp.join(out, 'feat.onnx')), [img])[0]
    assert np.abs(got - ref.detach().numpy()).max() < 1e-3


def test_existing_export_is_not_overwritten_without_asking(aten_export):
    out, _ = aten_export
    before = os.path.getmtime(osp.join(out, 'feat.onnx'))
    with pytest.raises(GraphCheckError, match='--overwrite'):
        export_config(ATEN, None, out, frame_size=(72, 96))
    assert os.path.getmtime(osp.join(out, 'feat.onnx')) == before


def test_out_dir_that_is_a_file_is_refused_and_kept(tmp_path):
    path = tmp_path / 'notes.txt'
    path.write_text('mine')
    with pytest.raises(GraphCheckError, match='not a folder'):
        export_config(ATEN, None, str(path), frame_size=(72, 96))
    assert path.read_text() == 'mine'


def test_per_frame_model_exports_its_feature_network(tmp_path):
    manifest = export_config(PERFRAME, 'none', str(tmp_path),
                             frame_size=(64, 64), log=lambda line: None)
    assert set(manifest['graphs']) == {'feat', 'parse', 'rpn', 'bbox',
                                       'mask'}
    assert manifest['encoder_steps'] is None


def test_half_resolution_flownet_exports(tmp_path):
    """The efficient configs' FlowNet-S runs on half-resolution frames
    (``input_scale=0.5``): its resize is traced at a fixed size."""
    torch.manual_seed(0)
    manifest = export_config(
        ATEN, None, str(tmp_path), frame_size=(72, 96),
        cfg_options={'model.motion.input_scale': 0.5},
        log=lambda line: None)
    assert manifest['graphs']['motion']['max_abs_diff'] <= 1e-3


def test_sessions_do_not_spin_wait_between_graphs(tmp_path):
    """Spinning ONNX Runtime threads would take the cores from the PyTorch
    steps (RoIAlign, NMS, fusion) run between the graphs."""
    path = tmp_path / 'double.onnx'
    export_checked(Doubler(), (torch.ones(1, 3),), str(path), ['x'], ['y'])
    opts = ort_session(str(path), threads=2).get_session_options()
    assert opts.intra_op_num_threads == 2
    assert opts.get_session_config_entry(
        'session.intra_op.allow_spinning') == '0'
