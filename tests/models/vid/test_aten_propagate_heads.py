"""ATEN/DFF ``propagate_heads``: the key's dense head outputs warped to
the non-key frames instead of running the dense heads on each frame."""
import pytest
import torch
import torch.nn as nn

from aten_mm.models.vid.propagated_feat import PropagatedFeat


class ShiftFlow(nn.Module):
    """A flow net whose flow is ``dx`` feature pixels in x everywhere and
    whose scale field is 1: warping is then an exact integer shift."""

    def __init__(self, channels, dx):
        super().__init__()
        self.channels, self.dx = channels, dx

    def forward(self, cur, ref):
        n, _, h, w = cur.shape
        flow = torch.zeros(n, 2, h // 4, w // 4)
        flow[:, 0] = self.dx
        return flow, torch.ones(n, self.channels, h // 4, w // 4)


def _permissive(model):
    """Keep every box: the comparisons then see many detections."""
    det = model.detector
    det.roi_head.test_cfg.score_thr = 0.
    det.fusion_cfg['score_thr'] = 0.
    return model


def _same_prediction(a, b):
    torch.testing.assert_close(a.pred_sem_seg.max_prob,
                               b.pred_sem_seg.max_prob, atol=1e-5, rtol=0)
    assert torch.equal(a.pred_sem_seg.sem_seg, b.pred_sem_seg.sem_seg)
    torch.testing.assert_close(a.pred_instances.bboxes,
                               b.pred_instances.bboxes, atol=1e-4, rtol=0)
    torch.testing.assert_close(a.pred_instances.scores,
                               b.pred_instances.scores, atol=1e-5, rtol=0)


def _count_calls(module):
    """Count calls of ``module.forward`` (an instance attribute)."""
    calls = [0]
    forward = module.forward

    def counted(*args, **kwargs):
        calls[0] += 1
        return forward(*args, **kwargs)

    module.forward = counted
    return calls


def test_head_maps_handed_back_give_the_heads_own_prediction(vid_helpers):
    h = vid_helpers
    det = _permissive(h.build_tiny('aten_tiny')).detector
    feat = torch.randn(1, 64, 16, 16, generator=torch.Generator()
                       .manual_seed(0))
    maps = det.head_maps(feat)
    # 20 part logits, 15 anchors' objectness, 15 x 4 box deltas
    assert maps.shape == (1, 20 + 15 + 60, 16, 16)
    with torch.no_grad():
        ref = det.predict_from_feat(feat, [h.video_sample(0, 1)])[0]
        parse_calls = _count_calls(det.parsing_head)
        rpn_calls = _count_calls(det.rpn_head)
        got = det.predict_from_feat(feat, [h.video_sample(0, 1)],
                                    head_maps=maps)[0]
        assert parse_calls[0] == 0 and rpn_calls[0] == 0
        _same_prediction(got, ref)
        assert len(ref.pred_instances) > 0
        # the maps are what is used: another feature's maps change both
        # the part map and the proposals
        other = det.predict_from_feat(
            feat, [h.video_sample(0, 1)],
            head_maps=det.head_maps(feat.flip(-1)))[0]
    assert not torch.equal(other.pred_sem_seg.sem_seg,
                           ref.pred_sem_seg.sem_seg)
    assert not torch.equal(other.pred_instances.bboxes[:5],
                           ref.pred_instances.bboxes[:5])


def test_head_maps_of_another_head_are_refused(vid_helpers):
    h = vid_helpers
    det = h.build_tiny('aten_tiny').detector
    feat = torch.randn(1, 64, 16, 16)
    with pytest.raises(ValueError, match='head maps have 94 channels, '
                       'expected 20 parsing'):
        det.predict_from_feat(feat, [h.video_sample(0, 1)],
                              head_maps=det.head_maps(feat)[:, 1:])
    with pytest.raises(ValueError, match='head maps must be on the feature '
                       r'grid, got \(1, 95, 8, 16\) for a feature of '
                       r'\(1, 64, 16, 16\)'):
        det.predict_from_feat(feat, [h.video_sample(0, 1)],
                              head_maps=det.head_maps(feat)[:, :, ::2])


def test_warped_maps_equal_the_heads_on_the_warped_feature_for_a_shift(
        vid_helpers):
    """Convolutions commute with an integer shift: away from the borders
    (the receptive field of the heads' convs and the shift) warping the
    key's head maps gives the heads' output on the warped feature."""
    h = vid_helpers
    model = h.build_tiny('aten_tiny', propagate_heads=True)
    dx = 3
    model.motion = ShiftFlow(64, dx)
    det = model.detector
    g = torch.Generator().manual_seed(1)
    enc = torch.randn(1, 64, 44, 48, generator=g)
    img = torch.zeros(1, 3, 176, 192)
    with torch.no_grad():
        out = model.propagate_key(enc, img, img,
                                  head_maps=det.head_maps(enc))
        assert isinstance(out, PropagatedFeat)
        torch.testing.assert_close(out.feat[..., :-dx], enc[..., dx:])
        direct = det.head_maps(out.feat)
    # parsing head: atrous rates 6, 12, 18 (radius 18); RPN: a 3x3 conv
    margin = 18
    inner = (slice(None), slice(None), slice(margin, -margin),
             slice(margin, -(margin + dx)))
    torch.testing.assert_close(out.head_maps[inner], direct[inner],
                               atol=1e-5, rtol=0)
    # the border columns the shift brought in: the feature is 0 there
    # (zeros padding), the maps repeat the key's last column instead
    # (border padding: an objectness logit of 0 would be a score of 0.5)
    maps = det.head_maps(enc)
    torch.testing.assert_close(out.head_maps[..., -dx:],
                               maps[..., -1:].expand_as(
                                   out.head_maps[..., -dx:]))


def test_stream_equals_clip_and_runs_the_dense_heads_once_per_key(
        vid_helpers):
    h = vid_helpers
    video = h.synthetic_video(9)
    model = _permissive(h.build_tiny('aten_tiny', propagate_heads=True))
    calls = _count_calls(model.detector.parsing_head)
    stream = h.stream_results(model, video)
    # keys 1, 4, 7: the parsing head ran 3 times for 9 frames
    assert calls[0] == 3
    assert sorted(stream) == list(range(9))
    with torch.no_grad():
        for t in range(9):
            inputs, sample = h.clip_of(model, video, t)
            _same_prediction(stream[t], model.predict(inputs, [sample])[0])


def test_only_non_key_frames_change_with_the_option(vid_helpers):
    h = vid_helpers
    video = h.synthetic_video(9)
    off = _permissive(h.build_tiny('aten_tiny'))
    assert off.propagate_heads is False
    calls = _count_calls(off.detector.parsing_head)
    on = _permissive(h.build_tiny('aten_tiny', propagate_heads=True))
    ref, got = h.stream_results(off, video), h.stream_results(on, video)
    assert calls[0] == 9  # without the option: once per frame
    for key in (1, 4, 7):
        _same_prediction(got[key], ref[key])
    # the random FlowNet-S's flow is no shift: warping the heads' outputs
    # is not running the heads on the warped feature
    for t in (0, 2, 3, 5):
        assert (got[t].pred_sem_seg.max_prob
                - ref[t].pred_sem_seg.max_prob).abs().max() > 1e-4


def test_dff_propagates_the_first_key_heads(vid_helpers):
    h = vid_helpers
    video = h.synthetic_video(7)
    model = _permissive(h.build_tiny('dff_tiny', propagate_heads=True))
    calls = _count_calls(model.detector.parsing_head)
    stream = h.stream_results(model, video)
    assert calls[0] == len({model.plan(t, 7)['key'] for t in range(7)})
    with torch.no_grad():
        for t in range(7):
            inputs, sample = h.clip_of(model, video, t)
            _same_prediction(stream[t], model.predict(inputs, [sample])[0])


def test_efficient_configs_propagate_heads_and_the_faithful_ones_do_not():
    import os.path as osp

    from mmengine.config import Config
    configs = osp.join(osp.dirname(__file__), '..', '..', '..', 'configs')
    expected = {
        'aten/aten_r50-d16-deeplabv3plus_l3-p2_efficient_1xb1-40e_vip.py':
        True,
        'aten/aten_r50-d8-deeplabv3plus_l3-p2_efficient_1xb1-40e_vip.py':
        True,
        'aten/aten_tiny_efficient_synthetic.py': True,
        'dff/dff_r50-d16-deeplabv3plus_l10_efficient_1xb1-40e_vip.py': True,
        'aten/aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py': False,
        'dff/dff_r50-d16-deeplabv3plus_l10_1xb1-40e_vip.py': False,
        'aten/aten_tiny_synthetic.py': False,
    }
    for name, on in expected.items():
        model = Config.fromfile(osp.join(configs, name)).model
        assert model.get('propagate_heads', False) is on, name
        roi = model.detector.roi_head
        for extractor in ('bbox_roi_extractor', 'mask_roi_extractor'):
            ratio = roi[extractor].roi_layer.sampling_ratio
            assert ratio == (2 if on else 0), (name, extractor)
