"""Tests of the Eq.-8 cost model and the term timer (aten_mm.utils.benchmark).
"""
import pytest
import torch
from torch import nn

from aten_mm.utils import benchmark as bm

# hand-made per-unit times (ms)
TERMS = dict(N_feat=500.0, F=200.0, W=4.0, GRU=1200.0, N_parse=100.0)
PER_FRAME = dict(N_feat=500.0, F=0.0, W=0.0, GRU=0.0, N_parse=100.0)


def test_eq8_aten_hand_computed():
    # l=3, p=2: 1200 + 4*200 + 4*4 + 3*100 + 500 = 2816 over 3*600 = 1800
    r = bm.eq8_ratio(TERMS, 3, 2, PER_FRAME)
    assert r == pytest.approx(2816 / 1800)
    assert bm.predicted_speedup(TERMS, 3, 2, PER_FRAME) == pytest.approx(
        1800 / 2816)
    assert bm.eq8_counts(3, 2) == dict(N_feat=1, F=4, W=4, GRU=1,
                                       N_parse=3)


def test_eq8_dff_hand_computed():
    # l=10, p=0, no GRU: 9*200 + 9*4 + 10*100 + 500 = 3336 over 10*600
    assert bm.eq8_ratio(TERMS, 10, 0, PER_FRAME) == pytest.approx(
        3336 / 6000)
    assert bm.predicted_speedup(TERMS, 10, 0, PER_FRAME) == pytest.approx(
        6000 / 3336)


def test_eq8_per_frame_is_one():
    assert bm.eq8_ratio(PER_FRAME, 1, 0, flow=False) == 1.0
    # a flow net that is never called (l = 1, p = 0) costs nothing
    assert bm.eq8_ratio(TERMS, 1, 0, TERMS) == pytest.approx(1.0)
    # without flow (propagate='none'), F and W are not counted
    no_flow = bm.eq8_ratio(TERMS, 3, 2, PER_FRAME, flow=False)
    assert no_flow == pytest.approx((1200 + 300 + 500) / 1800)


def test_eq8_rejects_bad_input():
    with pytest.raises(ValueError, match='l >= 1'):
        bm.eq8_counts(0, 0)
    with pytest.raises(ValueError, match='N_feat \\+ N_parse'):
        bm.eq8_ratio(TERMS, 3, 2, dict(N_feat=0.0, N_parse=0.0))


def test_steady_warmup():
    sched = dict(l=3, p=2)
    assert bm.steady_warmup(sched, 1) == 9  # (p + 1) * l
    assert bm.steady_warmup(sched, 10) == 12  # rounded up to segments
    assert bm.steady_warmup(dict(l=10, p=0), 3) == 10
    assert bm.steady_warmup(dict(l=1, p=0), 3) == 3


class _Det(nn.Module):

    def extract_feat(self, x):
        return x * 2

    def predict_from_feat(self, feat, samples, rescale=True):
        return list(samples)


class _Video(nn.Module):
    """Stand-in with the attribute names of a video parser."""

    def __init__(self):
        super().__init__()
        self.detector = _Det()
        self.motion = nn.Identity()
        self.encoder = nn.Identity()
        self.key_interval, self.num_refs, self.propagate = 3, 2, 'flow'

    def align(self, feats, cur, refs):
        return self.motion(feats)


def test_term_timer_counts_units_and_restores():
    model = _Video()
    timer = bm.TermTimer(model)
    model.detector.extract_feat(torch.zeros(2, 3, 4, 4))
    model.align(torch.zeros(3, 1, 2, 2), None, None)
    model.encoder(torch.zeros(1))
    model.detector.predict_from_feat(torch.zeros(1, 1, 2, 2), ['a'])
    units = timer.unit_counts()
    assert units == dict(N_feat=2, F=3, W=3, GRU=1, N_parse=1)
    tot = timer.totals_ms()
    assert all(v >= 0 for v in tot.values())
    # W is align minus the flow net inside it
    assert tot['W'] == pytest.approx(
        max(0.0, 1000 * (timer.seconds['_align'] - timer.seconds['F'])))
    timer.remove()
    assert 'extract_feat' not in vars(model.detector)
    assert 'align' not in vars(model)
    assert 'forward' not in vars(model.motion)
    assert bm.model_schedule(model) == dict(l=3, p=2, flow=True,
                                            encoder=True, kind='aten',
                                            compose=False)
    model.compose_flows = True
    assert bm.model_schedule(model)['compose'] is True


def test_term_timer_counts_a_key_head_maps_as_n_parse_time(monkeypatch):
    """propagate_heads: the key's dense heads are N_parse time shared by
    its frames (no units of their own); a fake clock makes it exact."""
    import aten_mm.utils.benchmark.term_timer as tt
    clock = iter(range(100))
    monkeypatch.setattr(tt.time, 'perf_counter', lambda: next(clock))
    model = _Video()
    model.detector.head_maps = lambda feat: feat  # 1 s on the fake clock
    timer = bm.TermTimer(model)
    model.detector.head_maps(torch.zeros(1, 1, 2, 2))
    for _ in range(3):
        model.detector.predict_from_feat(torch.zeros(1, 1, 2, 2), ['a'])
    assert timer.unit_counts()['N_parse'] == 3
    assert timer.totals_ms()['N_parse'] == 4000.0  # 1 + 3 x 1 s
    assert timer.per_unit_ms()['N_parse'] == pytest.approx(4000.0 / 3)
    timer.remove()
    assert model.detector.head_maps(5) == 5  # the original again


def test_eq8_counts_with_composed_key_flows():
    # ATEN l = 3, p = 2: direct flows for 2 propagated frames + 2 refs;
    # composed: 2 + 1 (the previous key only); the warps stay l - 1 + p
    assert bm.eq8_counts(3, 2) == dict(N_feat=1, F=4, W=4, GRU=1, N_parse=3)
    assert bm.eq8_counts(3, 2, compose=True) == dict(
        N_feat=1, F=3, W=4, GRU=1, N_parse=3)
    # DFF (p = 0) has nothing to compose
    assert bm.eq8_counts(10, 0, compose=True) == bm.eq8_counts(10, 0)


def _tiny_detector(rcnn_thr, fusion_thr):
    import os.path as osp

    from mmengine.config import Config

    from aten_mm.registry import MODELS
    root = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))))
    cfg = Config.fromfile(
        osp.join(root, 'configs/_base_/models/parsing-rcnn_tiny.py')).model
    cfg.test_cfg.rcnn.score_thr = rcnn_thr
    cfg.test_cfg.fusion = dict(score_thr=fusion_thr, overlap_thr=0.7)
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model.eval()


def test_box_threshold_at_fusion_threshold_keeps_output():
    """The efficient configs' head option (rcnn.score_thr = fusion
    score_thr) gives the same fused persons and parts, with fewer masks."""
    import numpy as np
    from mmdet.structures import DetDataSample

    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (72, 128, 3), dtype=np.uint8)]
    base = _tiny_detector(0.05, 0.5)
    # a fusion threshold between the detections' scores (random weights)
    (inputs, sample), = bm.build_samples(frames, base.data_preprocessor)
    with torch.no_grad():
        feat = base.extract_feat(inputs)
        dets = base.roi_head.predict(
            (feat, ), base.rpn_head.predict((feat, ), [sample], False),
            [sample])[0]
    scores = dets.scores.sort().values
    assert len(scores) > 4
    thr = float(scores[len(scores) // 2] + scores[len(scores) // 2 + 1]) / 2
    outs = []
    for rcnn_thr in (0.05, thr):
        model = _tiny_detector(rcnn_thr, thr)
        s = DetDataSample(metainfo=sample.metainfo)
        with torch.no_grad():
            outs.append(model.predict_from_feat(feat, [s])[0])
    full, cheap = outs
    assert len(full.pred_instances) > 0
    for key in ('bboxes', 'scores', 'masks'):
        assert torch.equal(full.pred_instances.get(key),
                           cheap.pred_instances.get(key))
    for key in ('masks', 'labels', 'person_ids'):
        assert torch.equal(full.pred_part_instances.get(key),
                           cheap.pred_part_instances.get(key))


def test_machine_info_reads_the_cpu_model_and_echoes_threads():
    import platform

    from aten_mm.utils.benchmark import machine_info
    info = machine_info(3)
    model = None
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    assert info['cpu'] == (model or platform.processor() or
                           platform.machine())
    assert info['threads'] == 3 and info['cpu_count'] >= 1
    assert info['python'] == platform.python_version()
