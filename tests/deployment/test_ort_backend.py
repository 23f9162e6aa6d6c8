import json
import os.path as osp

import numpy as np
import pytest
import torch

from aten_mm.apis import inference_frames, init_model
from aten_mm.deployment import OnnxBackendError, export_config, use_onnxruntime
from aten_mm.deployment.ort_backend import OrtHead, OrtMotion

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')
ATEN = osp.join(CONFIGS, 'aten', 'aten_tiny_synthetic.py')
PERFRAME = osp.join(CONFIGS, 'parsing_rcnn', 'parsing-rcnn_tiny_synthetic.py')


def video(num=8, size=(96, 72)):
    """A short synthetic video: people on texture, moving."""
    from aten_mm.datasets.synthetic.generator import make_video
    from aten_mm.datasets.synthetic.scene import render_image, render_labels
    spec = make_video(3, 0, size, num)
    frames = []
    for t in range(num):
        cat, hum, poses = render_labels(spec, t)
        frames.append(render_image(spec, t, cat, hum, poses,
                                   np.random.default_rng([3, 0, 2, t])))
    return frames


def build(config, **options):
    """The random weights ``export_config(config, None)`` exports."""
    torch.manual_seed(0)
    # keep every detection: random weights then still give boxes to compare
    prefix = 'model.' if config == PERFRAME else 'model.detector.'
    options = {f'model.{k}': v for k, v in options.items()}
    return init_model(config, None, init_weights=True, cfg_options={
        prefix + 'test_cfg.rcnn.score_thr': 0.0, **options})


def run(model, frames):
    """Stream inference; returns the samples and the RoI head's raw
    detections of every call (before the person/part fusion)."""
    detector = getattr(model, 'detector', model)
    dets = []
    predict = detector.roi_head.predict

    def recording(*args, **kwargs):
        out = predict(*args, **kwargs)
        dets.extend(out)
        return out

    detector.roi_head.predict = recording
    samples = [s for _, s in inference_frames(model, frames, video_id='v')]
    return samples, dets


@pytest.mark.parametrize('config,options', [
    (ATEN, {}), (ATEN, dict(propagate_heads=True)), (PERFRAME, {})],
    ids=['aten', 'aten-propagate-heads', 'per-frame'])
def test_onnxruntime_backend_gives_the_torch_predictions(config, options):
    frames = video()
    ref, ref_dets = run(build(config, **options), frames)
    # graphs exported at frame 0
    model = use_onnxruntime(build(config, **options))
    if config == ATEN:
        assert isinstance(model.motion, OrtMotion)
    backend = model.onnx_backend
    used = []
    graph = backend.graph
    backend.graph = lambda name, x: used.append(name) or graph(name, x)
    got, got_dets = run(model, frames)
    # every dense network ran on ONNX Runtime, the N_parse heads included
    video_parts = {'motion', 'encoder'} if config == ATEN else set()
    assert set(used) == {'feat', 'parse', 'rpn', 'bbox', 'mask',
                         *video_parts}
    # the dense heads ran once per frame, or once per key (1, 4, 7) when
    # the key's head outputs are warped to the other frames
    heads_runs = 3 if options.get('propagate_heads') else len(frames)
    assert used.count('parse') == used.count('rpn') == heads_runs
    assert len(got) == len(ref) == len(frames)
    assert len(got_dets) == len(ref_dets) == len(frames)
    for r, g in zip(ref_dets, got_dets):
        assert len(r) > 0  # the comparison covers detections
        assert g.bboxes.shape == r.bboxes.shape
        torch.testing.assert_close(g.bboxes, r.bboxes, atol=1e-2, rtol=0)
        torch.testing.assert_close(g.scores, r.scores, atol=1e-3, rtol=0)
    for r, g in zip(ref, got):
        assert len(g.pred_instances) == len(r.pred_instances)
        same = (g.pred_sem_seg.sem_seg == r.pred_sem_seg.sem_seg).float()
        assert same.mean().item() >= 0.999


def test_backend_on_winograd_graphs_gives_the_torch_predictions(tmp_path):
    # every 3x3 convolution of the tiny model with >= 16 channels and
    # enough tiles is a Winograd graph (export_onnx.py --winograd 16)
    manifest = export_config(ATEN, None, str(tmp_path), frame_size=(72, 96),
                             log=lambda line: None, winograd=16)
    assert manifest['graphs']['feat']['winograd_convs'] > 0
    frames = video(num=5)
    ref, ref_dets = run(build(ATEN), frames)
    got, got_dets = run(use_onnxruntime(build(ATEN), str(tmp_path)), frames)
    assert len(got_dets) == len(ref_dets) == len(frames)
    for r, g in zip(ref_dets, got_dets):
        assert len(r) > 0 and g.bboxes.shape == r.bboxes.shape
        torch.testing.assert_close(g.bboxes, r.bboxes, atol=1e-2, rtol=0)
        torch.testing.assert_close(g.scores, r.scores, atol=1e-3, rtol=0)
    for r, g in zip(ref, got):
        same = (g.pred_sem_seg.sem_seg == r.pred_sem_seg.sem_seg).float()
        assert same.mean().item() >= 0.999


def test_onnx_dir_of_another_size_is_refused(tmp_path):
    export_config(ATEN, None, str(tmp_path), frame_size=(64, 64),
                  log=lambda line: None)
    model = use_onnxruntime(build(ATEN), str(tmp_path))
    with pytest.raises(OnnxBackendError, match='export again with --shape'):
        run(model, video(num=2))


def test_missing_onnx_dir_is_a_clear_error(tmp_path):
    with pytest.raises(OnnxBackendError, match='manifest.json: not found'):
        use_onnxruntime(build(ATEN), str(tmp_path))


def test_temporary_graphs_follow_a_new_frame_size():
    """Without an onnx_dir a video of another size gets its own graphs."""
    model = use_onnxruntime(build(PERFRAME))
    run(model, video(num=2, size=(96, 72)))
    first = model.onnx_backend.manifest['input_shape']
    ref, _ = run(build(PERFRAME), video(num=2, size=(64, 64)))
    got, _ = run(model, video(num=2, size=(64, 64)))
    assert model.onnx_backend.manifest['input_shape'] != first
    for r, g in zip(ref, got):
        same = (g.pred_sem_seg.sem_seg == r.pred_sem_seg.sem_seg).float()
        assert same.mean().item() >= 0.999


class _NoGraph:
    def graph(self, name, x):
        raise AssertionError('the graph must not run')


class _OneGraph:
    def graph(self, name, x):
        return lambda x: [x * 2, x * 3]


def test_head_without_rois_runs_torch_and_with_rois_the_graph():
    def torch_fn(x):
        return 'torch'

    empty = torch.zeros(0, 4, 7, 7)
    assert OrtHead(_NoGraph(), 'bbox', torch_fn)(empty) == 'torch'
    x = torch.ones(2, 4, 7, 7)
    cls, reg = OrtHead(_OneGraph(), 'bbox', torch_fn)(x)
    torch.testing.assert_close(cls, x * 2)
    torch.testing.assert_close(reg, x * 3)


def test_graphs_of_an_older_export_without_the_heads_are_refused(tmp_path):
    export_config(PERFRAME, 'none', str(tmp_path), frame_size=(64, 64),
                  log=lambda line: None)
    path = tmp_path / 'manifest.json'
    manifest = json.loads(path.read_text())
    del manifest['graphs']['rpn']
    path.write_text(json.dumps(manifest))
    with pytest.raises(OnnxBackendError, match=r"no graph for \['rpn'\]"):
        use_onnxruntime(build(PERFRAME), str(tmp_path))


@pytest.mark.parametrize('damage', ['graph', 'manifest', 'no graphs'])
def test_damaged_export_is_one_clear_error(tmp_path, damage):
    export_config(PERFRAME, 'none', str(tmp_path), frame_size=(64, 64),
                  log=lambda line: None)
    if damage == 'graph':
        (tmp_path / 'rpn.onnx').write_bytes(b'not a graph')
        match = r'rpn\.onnx: ONNX Runtime cannot load it'
    elif damage == 'manifest':
        (tmp_path / 'manifest.json').write_text('{"graphs": ')
        match = 'manifest.json: not a readable manifest'
    else:
        (tmp_path / 'manifest.json').write_text('[1, 2]')
        match = 'manifest.json: not a manifest of'
    with pytest.raises(OnnxBackendError, match=match):
        use_onnxruntime(build(PERFRAME), str(tmp_path))
