"""Graph fingerprints: an export only runs for the model it came from."""
import copy
import json
import os.path as osp
import shutil

import pytest
import torch
import torch.nn as nn

from aten_mm.apis import init_model
from aten_mm.deployment import OnnxBackendError, export_config, use_onnxruntime
from aten_mm.deployment.fingerprint import (
    FINGERPRINT_FORMAT,
    module_fingerprint,
)

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')
ATEN = osp.join(CONFIGS, 'aten', 'aten_tiny_synthetic.py')
PERFRAME = osp.join(CONFIGS, 'parsing_rcnn', 'parsing-rcnn_tiny_synthetic.py')


def _net():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    net.register_buffer('norm', torch.ones(3), persistent=False)
    return net


def test_same_build_same_fingerprint_and_layout_does_not_count():
    assert module_fingerprint(_net()) == module_fingerprint(_net())
    cl = _net().to(memory_format=torch.channels_last)
    assert module_fingerprint(cl) == module_fingerprint(_net())


@pytest.mark.parametrize('change', ['weight', 'running_mean',
                                    'non-persistent buffer', 'stride'])
def test_any_change_of_weights_buffers_or_structure_counts(change):
    net = _net()
    with torch.no_grad():
        if change == 'weight':
            net[0].weight[0, 0, 0, 0] += 1e-6
        elif change == 'running_mean':
            net[1].running_mean[2] = 0.5
        elif change == 'non-persistent buffer':
            net.norm[1] = 2.0
        else:
            net[0].stride = (2, 2)
    assert module_fingerprint(net) != module_fingerprint(_net())


def test_init_cfg_does_not_count():
    # mmengine's Runner keeps a Pretrained init_cfg that init_model drops
    from mmengine.model import BaseModule

    class Net(BaseModule):
        def __init__(self, init_cfg=None):
            super().__init__(init_cfg=init_cfg)
            torch.manual_seed(0)
            self.conv = nn.Conv2d(3, 4, 3)

    pretrained = dict(type='Pretrained', checkpoint='x.pth')
    assert module_fingerprint(Net(pretrained)) == module_fingerprint(Net())
    assert 'Pretrained' in repr(Net(pretrained))  # the repr would differ


def _model(seed=0, **options):
    torch.manual_seed(seed)
    return init_model(ATEN, None, init_weights=True, cfg_options=options)


@pytest.fixture(scope='module')
def export(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('fingerprint_onnx'))
    manifest = export_config(ATEN, None, out, frame_size=(64, 64),
                             log=lambda line: None)
    return out, manifest


def test_manifest_holds_a_fingerprint_per_graph_with_weights(export):
    out, manifest = export
    model = _model()
    for name, graph in manifest['graphs'].items():
        if name == 'warp':  # no weights, nothing to fingerprint
            assert 'fingerprint' not in graph
            continue
        assert len(graph['fingerprint']) == 64, name
    assert manifest['graphs']['motion']['fingerprint'] == \
        module_fingerprint(model.motion)
    # the same weights and config are accepted
    assert use_onnxruntime(model, out).onnx_backend.manifest == manifest


def test_graphs_of_other_weights_are_refused(export):
    out, _ = export
    with pytest.raises(OnnxBackendError,
                       match="graph 'feat' was exported from other weights"):
        use_onnxruntime(_model(seed=1), out)


def test_graphs_of_another_flownet_setting_are_refused(export):
    # same weights, FlowNet-S resizing its input: the traced motion graph
    # would still run at full resolution
    out, _ = export
    model = _model(**{'model.motion.input_scale': 0.5})
    with pytest.raises(OnnxBackendError, match="graph 'motion'"):
        use_onnxruntime(model, out)


def test_export_without_fingerprints_is_refused(export, tmp_path):
    out, manifest = export
    old = tmp_path / 'old'
    shutil.copytree(out, old)
    manifest = copy.deepcopy(manifest)
    del manifest['graphs']['feat']['fingerprint']
    (old / 'manifest.json').write_text(json.dumps(manifest))
    with pytest.raises(OnnxBackendError, match="'feat' has no fingerprint"):
        use_onnxruntime(_model(), str(old))


def test_random_weights_of_export_none_are_the_benchmarks(tmp_path):
    from aten_mm.utils.benchmark.stream_run import build_model
    torch.manual_seed(123)  # the caller's RNG state does not matter
    export_config(PERFRAME, 'none', str(tmp_path), frame_size=(64, 64),
                  log=lambda line: None)
    use_onnxruntime(build_model(PERFRAME, None, seed=0), str(tmp_path))
    with pytest.raises(OnnxBackendError, match='other weights'):
        use_onnxruntime(build_model(PERFRAME, None, seed=1), str(tmp_path))


def test_export_of_another_fingerprint_format_is_refused(export, tmp_path):
    out, manifest = export
    assert manifest['fingerprint_format'] == FINGERPRINT_FORMAT
    other = tmp_path / 'other'
    shutil.copytree(out, other)
    manifest = copy.deepcopy(manifest)
    manifest['fingerprint_format'] = FINGERPRINT_FORMAT + 1
    (other / 'manifest.json').write_text(json.dumps(manifest))
    with pytest.raises(OnnxBackendError,
                       match='written by another version of aten_mm'):
        use_onnxruntime(_model(), str(other))
