"""ATEN's composed reference-key flows in stream mode (issue: no flow
computed twice)."""
import torch
import torch.nn as nn


class TranslationFlow(nn.Module):
    """A flow net whose flow is a pure translation by ``0.5 * (b - a)``
    feature pixels in x, where a, b are the frames' mean intensities, and
    whose scale field is ``1 + 0.1 * (b - a)``: exact to compose."""

    def __init__(self, channels):
        super().__init__()
        self.channels = channels
        self.pairs = 0

    def forward(self, cur, ref):
        self.pairs += cur.size(0)
        n, _, h, w = cur.shape
        d = (ref.mean(dim=(1, 2, 3)) - cur.mean(dim=(1, 2, 3))).view(n, 1,
                                                                    1, 1)
        flow = torch.zeros(n, 2, h // 4, w // 4)
        flow[:, :1] = 0.5 * d
        scale = torch.ones(n, self.channels, h // 4, w // 4)
        return flow, scale


def _stream(h, model, video):
    """Stream features (``light_heads`` keeps each frame's F_t)."""
    return {t: res.feat for t, res in h.stream_results(model, video).items()}


def _model(h, compose):
    model = h.light_heads(h.build_tiny('aten_tiny'))
    model.compose_flows = compose
    model.motion = TranslationFlow(model.encoder.in_channels)
    return model


def test_composed_flows_give_the_direct_features_for_a_translation(
        vid_helpers):
    h = vid_helpers
    # frame t is constant with value t / 4: the fake flow is then a
    # translation proportional to the time between two frames
    video = torch.arange(15.).view(15, 1, 1, 1).expand(15, 3, 64, 64) / 4
    direct, composed = _model(h, False), _model(h, True)
    ref, got = _stream(h, direct, video), _stream(h, composed, video)
    assert sorted(got) == list(range(15))
    for t in range(15):
        torch.testing.assert_close(got[t], ref[t], atol=1e-5, rtol=0)
    # l = 3, p = 2, keys 1, 4, 7, 10, 13: direct = 2 reference pairs per
    # key + 2 propagated frames per segment. Composed: key 1 (refs 7, 4)
    # has nothing to compose from; key 4 (refs 1, 7) computes 4 -> 1 and
    # composes 4 -> 7 from it and key 1's 1 -> 7; keys 7, 10, 13 compute
    # only the pair to the previous key
    assert direct.motion.pairs == 5 * 2 + 5 * 2
    assert composed.motion.pairs == 2 + 1 + 3 * 1 + 5 * 2


def test_composition_differs_from_direct_when_flows_do_not_compose(
        vid_helpers):
    """With the real (random) FlowNet-S the composed flow is not the
    direct one: the option changes results, so the faithful ATEN keeps it
    off (the efficient configs turn it on, measured)."""
    h = vid_helpers
    video = h.synthetic_video(15)
    direct = h.light_heads(h.build_tiny('aten_tiny'))
    assert direct.compose_flows is False
    composed = h.light_heads(h.build_tiny('aten_tiny'))
    composed.compose_flows = True
    ref, got = _stream(h, direct, video), _stream(h, composed, video)
    # key 1 (frames 0-2) has nothing to compose from: direct in both
    for t in range(3):
        torch.testing.assert_close(got[t], ref[t], atol=1e-5, rtol=0)
    assert (got[7] - ref[7]).abs().max() > 1e-4


def test_efficient_configs_compose_and_the_faithful_ones_do_not():
    import os.path as osp

    from mmengine.config import Config
    aten = osp.join(osp.dirname(__file__), '..', '..', '..', 'configs',
                    'aten')
    compose = {
        'aten_r50-d16-deeplabv3plus_l3-p2_efficient_1xb1-40e_vip.py': True,
        'aten_r50-d8-deeplabv3plus_l3-p2_efficient_1xb1-40e_vip.py': True,
        'aten_tiny_efficient_synthetic.py': True,
        'aten_r50-d16-deeplabv3plus_l3-p2_efficient-direct_1xb1-40e_vip.py':
        False,
        'aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py': False,
        'aten_tiny_synthetic.py': False,
    }
    for name, expected in compose.items():
        model = Config.fromfile(osp.join(aten, name)).model
        assert model.get('compose_flows', False) is expected, name
