"""End-to-end test of the stream-speed benchmark
(aten_mm.utils.benchmark.speed, tools/analysis_tools/benchmark.py) on tiny
configs."""
import json
import os.path as osp

import pytest

from aten_mm.utils.benchmark.speed import run_benchmark
from aten_mm.utils.benchmark.stream_run import build_model

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
PER_FRAME = osp.join(ROOT,
                     'configs/parsing_rcnn/parsing-rcnn_tiny_synthetic.py')
DFF = osp.join(ROOT, 'configs/dff/dff_tiny_synthetic.py')  # l = 5
ATEN = osp.join(ROOT, 'configs/aten/aten_tiny_synthetic.py')  # l=3, p=2


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp('bm') / 'result.json'
    run_benchmark([PER_FRAME, DFF, ATEN], str(out), frames=6, size=64,
                  threads=1, warmup=1, in_process=True)
    with open(out) as f:
        return json.load(f)


def test_json_keys_and_baseline(report):
    assert set(report['machine']) >= {'cpu', 'threads', 'torch', 'date'}
    assert report['settings']['shape'] == [36, 64]  # 16:9, longer side 64
    per_frame, dff, aten = report['results']
    for res in report['results']:
        assert set(res) >= {'fps', 'speedup_measured', 'speedup_predicted',
                            'terms_ms', 'peak_rss_mb'}
        assert set(res['terms_ms']) == {'N_feat', 'F', 'W', 'GRU',
                                        'N_parse'}
        assert res['fps'] > 0 and res['peak_rss_mb'] > 0
        assert res['frames'] == 6
        # every timed frame is parsed exactly once
        assert res['outputs'] == 6
        # the terms are parts of the measured wall time
        assert sum(res['totals_ms'].values()) <= 1000 * res['seconds']
    assert per_frame['speedup_measured'] == 1.0
    assert per_frame['speedup_predicted'] == pytest.approx(1.0)
    assert per_frame['speedup_nfeat_normalized'] == pytest.approx(1.0)
    assert aten['speedup_measured'] == pytest.approx(
        aten['fps'] / per_frame['fps'])


def test_units_follow_eq8(report):
    per_frame, dff, aten = report['results']
    # per frame: N_feat and N_parse once per frame, nothing else
    assert per_frame['units'] == dict(N_feat=6, F=0, W=0, GRU=0, N_parse=6)
    # ATEN l=3, p=2 over 2 steady segments: N_feat 1, F = W = l-1+p = 4,
    # GRU 1, N_parse 3 per segment (nothing recomputed)
    assert aten['warmup'] == 9
    assert aten['units_per_segment'] == aten['eq8_counts'] == dict(
        N_feat=1, F=4, W=4, GRU=1, N_parse=3)
    # DFF l=5: warm-up 5, timed frames 5..10 of an 11-frame video =
    # segment [5, 10) (key 7) + segment [10] (its own key): 2 keys,
    # 4 propagated frames, 6 parsed frames
    assert dff['warmup'] == 5
    assert dff['units'] == dict(N_feat=2, F=4, W=4, GRU=0, N_parse=6)
    # Eq. 8 predicted speed-up recomputed from the JSON terms
    t, b = aten['terms_ms'], per_frame['terms_ms']
    num = t['GRU'] + 4 * (t['F'] + t['W']) + 3 * t['N_parse'] + t['N_feat']
    assert aten['speedup_predicted'] == pytest.approx(
        3 * (b['N_feat'] + b['N_parse']) / num)


def test_bad_video(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.mp4'):
        run_benchmark([PER_FRAME], str(tmp_path / 'r.json'),
                      video=str(tmp_path / 'missing.mp4'))
    bad = tmp_path / 'corrupt.mp4'
    bad.write_bytes(b'not a video' * 10)
    with pytest.raises(ValueError, match='corrupt.mp4'):
        run_benchmark([PER_FRAME], str(tmp_path / 'r.json'),
                      video=str(bad), frames=2)
    with pytest.raises(FileNotFoundError, match='nope.py'):
        run_benchmark([str(tmp_path / 'nope.py')],
                      str(tmp_path / 'r.json'))


def test_interleaved_run_counts_the_same(tmp_path, report):
    """Stepping the configs in turn (one frame each) changes no count."""
    out = tmp_path / 'inter.json'
    run_benchmark([PER_FRAME, ATEN], str(out), frames=6, size=64,
                  threads=1, warmup=1, in_process=True, interleave=True)
    with open(out) as f:
        inter = json.load(f)
    assert inter['settings']['interleave'] is True
    assert inter['settings']['rss_scope'] == 'process'
    per_frame, aten = inter['results']
    assert per_frame['speedup_measured'] == 1.0
    assert per_frame['units'] == report['results'][0]['units']
    assert aten['units'] == report['results'][2]['units']
    assert aten['outputs'] == 6


def test_onnxruntime_rows_beside_the_pytorch_reference(tmp_path):
    out = tmp_path / 'result.json'
    report = run_benchmark(
        [ATEN, PER_FRAME, ATEN], str(out),
        backends=['onnxruntime', 'pytorch', 'pytorch'], frames=6, size=64,
        threads=1, warmup=1, in_process=True, interleave=True)
    ort, per_frame, aten = report['results']
    assert [r['backend'] for r in report['results']] == [
        'onnxruntime', 'pytorch', 'pytorch']
    # the reference is the per-frame model on PyTorch, not the first row
    assert report['settings']['baseline'] == PER_FRAME
    assert per_frame['speedup_measured'] == 1.0
    # the ONNX graphs run inside the same stream engine: same schedule,
    # same units of every Eq.-8 term as the PyTorch ATEN
    assert ort['units'] == aten['units']
    assert ort['outputs'] == aten['outputs'] == 6


def test_one_backend_per_config(tmp_path):
    with pytest.raises(ValueError, match='--backend: give one per config'):
        run_benchmark([ATEN, PER_FRAME], str(tmp_path / 'r.json'),
                      backends=['onnxruntime'])


def test_rows_say_which_graphs_they_ran(tmp_path, monkeypatch):
    import torch

    from aten_mm.deployment import winograd
    from aten_mm.deployment.onnx_export import export_model
    onnx_dir = str(tmp_path / 'int8')
    wino_dir = str(tmp_path / 'winograd')
    # the benchmark feeds 36 x 64 frames padded to 64 x 64
    frames = [torch.randn(1, 3, 64, 64) for _ in range(3)]
    export_model(build_model(PER_FRAME), onnx_dir, frames[:2],
                 log=lambda line: None, int8_calib=frames[2:])
    monkeypatch.setattr(winograd, 'MIN_TILES', 1)  # the tiny maps
    wino = export_model(build_model(PER_FRAME), wino_dir, frames[:2],
                        log=lambda line: None, winograd=16)
    report = run_benchmark(
        [PER_FRAME] * 4, str(tmp_path / 'r.json'),
        backends=['pytorch'] + ['onnxruntime'] * 3,
        onnx_dirs=['none', 'none', onnx_dir, wino_dir], frames=2, size=64,
        threads=1, warmup=1, in_process=True, interleave=True)
    rows = report['results']
    assert [r['feat_precision'] for r in rows] == [
        'float32', 'float32', 'int8', 'float32']
    convs = sum(g['winograd_convs'] for g in wino['graphs'].values())
    assert convs > 0
    assert [r['winograd_convs'] for r in rows] == [0, 0, 0, convs]
    assert rows[2]['onnx_dir'] == onnx_dir and rows[1]['onnx_dir'] is None


def test_onnx_dir_of_a_pytorch_row_is_refused(tmp_path):
    with pytest.raises(ValueError, match='whose --backend is pytorch'):
        run_benchmark([PER_FRAME], str(tmp_path / 'r.json'),
                      backends=['pytorch'], onnx_dirs=[str(tmp_path)])
    assert not (tmp_path / 'r.json').exists()


def test_onnx_dir_without_a_manifest_is_refused_before_the_run(tmp_path):
    with pytest.raises(FileNotFoundError, match='no manifest.json'):
        run_benchmark([PER_FRAME], str(tmp_path / 'r.json'),
                      backends=['onnxruntime'], onnx_dirs=[str(tmp_path)],
                      in_process=True)
    assert not (tmp_path / 'r.json').exists()


def test_graphs_of_other_weights_are_one_error_naming_the_config(tmp_path):
    import torch

    from aten_mm.apis import init_model
    from aten_mm.deployment.onnx_export import export_model
    onnx_dir = str(tmp_path / 'other')
    frames = [torch.randn(1, 3, 64, 64) for _ in range(2)]
    # PyTorch's default initialisation, not the benchmark's seeded weights
    export_model(init_model(PER_FRAME, None), onnx_dir, frames,
                 log=lambda line: None)
    with pytest.raises(ValueError, match=(
            r'benchmark of .*parsing-rcnn_tiny_synthetic\.py: .*'
            r"graph 'feat' was exported from other weights")):
        run_benchmark([PER_FRAME], str(tmp_path / 'r.json'),
                      backends=['onnxruntime'], onnx_dirs=[onnx_dir],
                      frames=1, size=64, threads=1, warmup=0,
                      in_process=True)
    assert not (tmp_path / 'r.json').exists()
