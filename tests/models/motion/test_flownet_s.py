"""Tests of FlowNetS with the scale field (paper §4.2, §4.5)."""
import pytest
import torch

from aten_mm.models.motion import FlowNetS
from aten_mm.registry import MODELS


def tiny_flownet(**kwargs):
    cfg = dict(type='FlowNetS', base_channels=4, scale_channels=8)
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def set_constant_raw_flow(model, bx, by):
    """Zero every flow predictor and give predict_flow2 the bias (bx, by).

    The raw stride-4 output is then exactly (bx, by) everywhere (its input
    does not matter), i.e. bx * flow_div input pixels.
    """
    with torch.no_grad():
        for level in range(2, 7):
            layer = getattr(model, f'predict_flow{level}')
            layer.weight.zero_()
            layer.bias.zero_()
        model.predict_flow2.bias.copy_(torch.tensor([bx, by]))


def test_output_shapes_at_stride_4_for_odd_size():
    torch.manual_seed(0)
    model = tiny_flownet()
    assert isinstance(model, FlowNetS)
    cur, ref = torch.randn(2, 2, 3, 100, 70).unbind(0)
    flow, scale = model(cur, ref)
    assert flow.shape == (2, 2, 25, 18)
    assert scale.shape == (2, 8, 25, 18)
    # the levels of the raw decoder on the padded 128 x 128 input
    flows, feat = model.forward_raw(torch.randn(1, 6, 128, 128))
    assert [f.shape[-1] for f in flows] == [2, 4, 8, 16, 32]
    assert feat.shape == (1, model.decoder_channels, 32, 32)
    assert model.decoder_channels == 3 * 4 + 2
    # pad-and-crop: equal to the raw net on the zero-padded 128 x 128 pair,
    # cropped to ceil(100 / 4) x ceil(70 / 4), times flow_div / 4
    x = torch.cat((model.normalize(cur), model.normalize(ref)), dim=1)
    x = torch.nn.functional.pad(x, (0, 128 - 70, 0, 128 - 100))
    flows, _ = model.forward_raw(x)
    torch.testing.assert_close(flow, flows[-1][:, :, :25, :18] * 5.0)


def test_smaller_pad_divisor_pads_less_and_crops_the_decoder():
    torch.manual_seed(0)
    wide = tiny_flownet()
    narrow = tiny_flownet(pad_divisor=16)
    narrow.load_state_dict(wide.state_dict())
    # a multiple of 64: no level rounds, the crops do nothing
    cur, ref = torch.randn(2, 1, 3, 128, 64).unbind(0)
    for a, b in zip(wide(cur, ref), narrow(cur, ref)):
        torch.testing.assert_close(a, b, atol=0, rtol=0)
    # 144 rows: padded to 192 by 64, to 144 by 16 (levels 72, 36, 18, 9,
    # 5, 3: the decoder crops 6 -> 5 and 10 -> 9)
    seen = []
    forward_raw = narrow.forward_raw
    narrow.forward_raw = lambda x: seen.append(x.shape[2:]) or forward_raw(x)
    cur, ref = torch.randn(2, 1, 3, 144, 64).unbind(0)
    flow, scale = narrow(cur, ref)
    assert seen == [(144, 64)]
    assert flow.shape == wide(cur, ref)[0].shape == (1, 2, 36, 16)
    flows, _ = forward_raw(torch.randn(1, 6, 144, 64))
    assert [tuple(f.shape[-2:]) for f in flows] == [
        (3, 1), (5, 2), (9, 4), (18, 8), (36, 16)]
    # the zero rows the wider padding adds change the result: this is a
    # different computation, measured in docs/deployment.md
    assert (flow - wide(cur, ref)[0]).abs().max() > 1e-4
    with pytest.raises(ValueError, match='positive multiple of 4'):
        FlowNetS(pad_divisor=6)


def test_fresh_scale_field_is_one_and_bias_frozen():
    torch.manual_seed(0)
    # an init_cfg that would overwrite every Conv2d must not touch it
    model = tiny_flownet(init_cfg=dict(
        type='Constant', layer=['Conv2d', 'ConvTranspose2d'], val=0.01,
        bias=0.5))
    cur, ref = torch.randn(2, 1, 3, 64, 96).unbind(0)
    flow, scale = model(cur, ref)
    assert torch.equal(scale, torch.ones_like(scale))
    head = model.scale_head
    assert not head.bias.requires_grad
    assert head.weight.requires_grad
    bias_before = head.bias.detach().clone()
    optim = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9,
                            weight_decay=0.1)
    for _ in range(2):
        optim.zero_grad()
        flow, scale = model(cur, ref)
        (flow.square().mean() + (scale * 3.0).square().mean()).backward()
        assert head.bias.grad is None
        optim.step()
    assert torch.equal(head.bias, bias_before)
    assert head.weight.abs().sum() > 0  # the weights do learn
    # even if someone unfreezes it, no gradient reaches the bias
    head.bias.requires_grad_(True)
    model(cur, ref)[1].sum().backward()
    assert head.bias.grad is None


@pytest.mark.parametrize('feat_stride', [4, 8])
def test_flow_units_from_hand_set_last_layer(feat_stride):
    model = tiny_flownet(feat_stride=feat_stride, flow_div=20.0)
    set_constant_raw_flow(model, 0.25, -0.5)
    cur, ref = torch.randn(2, 1, 3, 100, 70).unbind(0)
    flow, _ = model(cur, ref)
    # raw * flow_div = flow in input pixels; / feat_stride = grid pixels
    assert flow.shape[-2:] == (-(-100 // feat_stride), -(-70 // feat_stride))
    expected_x = 0.25 * 20.0 / feat_stride
    expected_y = -0.5 * 20.0 / feat_stride
    torch.testing.assert_close(flow[:, 0],
                               torch.full_like(flow[:, 0], expected_x))
    torch.testing.assert_close(flow[:, 1],
                               torch.full_like(flow[:, 1], expected_y))


def test_half_resolution_flow_keeps_units():
    cur, ref = torch.randn(2, 1, 3, 128, 96).unbind(0)
    full = tiny_flownet()
    half = tiny_flownet(input_scale=0.5)
    half.load_state_dict(full.state_dict())
    # 1) the same raw output means twice the motion at half resolution
    for model in (full, half):
        set_constant_raw_flow(model, 0.25, -0.5)
    flow_full, scale_full = full(cur, ref)
    flow_half, scale_half = half(cur, ref)
    assert flow_half.shape == flow_full.shape == (1, 2, 32, 24)
    assert scale_half.shape == scale_full.shape
    torch.testing.assert_close(flow_half, 2 * flow_full)
    torch.testing.assert_close(flow_full[0, :, 0, 0],
                               torch.tensor([0.25 * 5, -0.5 * 5]))

    # 2) a net that measures a true motion of (6, -2) frame pixels reports
    # it in its own input pixels (halved at input_scale 0.5); the returned
    # flow is the same (6, -2) / 4 feature pixels at both scales
    def oracle(model):
        def forward_raw(x):
            flows, feat = type(model).forward_raw(model, x)
            true = torch.tensor([6.0, -2.0]).view(1, 2, 1, 1)
            raw = true * model.input_scale / model.flow_div
            return flows[:-1] + [raw.expand_as(flows[-1])], feat
        return forward_raw

    for model in (full, half):
        model.forward_raw = oracle(model)
    expected = torch.tensor([1.5, -0.5]).view(1, 2, 1, 1).expand(
        1, 2, 32, 24)
    torch.testing.assert_close(full(cur, ref)[0], expected)
    torch.testing.assert_close(half(cur, ref)[0], expected)


def test_input_normalisation():
    mean = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
    std = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)
    rgb = torch.rand(1, 3, 4, 5) * 255
    pre = (rgb - mean) / std  # what the data preprocessor gives
    model = tiny_flownet()
    flow_mean = torch.tensor([0.45, 0.432, 0.411]).view(1, 3, 1, 1) * 255
    torch.testing.assert_close(model.normalize(pre),
                               (rgb - flow_mean) / 255.0)
    raw = tiny_flownet(data_mean=None, data_std=None, flow_mean=(0, 0, 0),
                       flow_std=1.0)
    torch.testing.assert_close(raw.normalize(rgb), rgb)
    # 'pair': the per-channel mean of the pair is removed
    pair = tiny_flownet(flow_mean='pair')
    x = pair._prepare(pre, pre.flip(-1) * 0.5)
    stacked = torch.stack((x[:, :3], x[:, 3:]))
    torch.testing.assert_close(stacked.mean(dim=(0, 3, 4)),
                               torch.zeros(1, 3), atol=1e-6, rtol=0)
    bgr = tiny_flownet(to_bgr=True)._prepare(pre, pre)
    torch.testing.assert_close(bgr[:, :3], model.normalize(pre).flip(1))


def test_pair_mean_is_per_pair_in_a_batch():
    """``flow_mean='pair'`` with a batch of 2 pairs: each pair loses its
    own per-channel mean, not the batch's. Pair 1 is pair 0 brightened by
    a per-channel constant, so both prepare to the same input."""
    model = tiny_flownet(flow_mean='pair', data_mean=None, data_std=None,
                         flow_std=1.0)
    g = torch.Generator().manual_seed(0)
    cur0, ref0 = torch.rand(2, 1, 3, 4, 5, generator=g) * 100
    shift = torch.tensor([50.0, 80.0, 120.0]).view(1, 3, 1, 1)
    cur = torch.cat((cur0, cur0 + shift))
    ref = torch.cat((ref0, ref0 + shift))
    x = model._prepare(cur, ref)  # (2, 6, 4, 5): [cur, ref] per pair
    torch.testing.assert_close(x[1], x[0], atol=1e-4, rtol=0)
    # by hand for pair 0: the mean of cur0 and ref0 per channel removed
    mean0 = torch.stack((cur0, ref0)).mean(dim=(0, 3, 4)).view(1, 3, 1, 1)
    torch.testing.assert_close(x[:1, :3], cur0 - mean0, atol=1e-4, rtol=0)
    torch.testing.assert_close(x[:1, 3:], ref0 - mean0, atol=1e-4, rtol=0)


def test_bad_config_and_input():
    with pytest.raises(ValueError, match='input_scale'):
        FlowNetS(input_scale=0)
    with pytest.raises(ValueError, match='data_mean'):
        FlowNetS(base_channels=4, data_mean=(1.0, 2.0))
    with pytest.raises(ValueError, match='cur and ref'):
        tiny_flownet()(torch.zeros(1, 3, 64, 64), torch.zeros(1, 3, 64, 32))
    model = tiny_flownet(scale_channels=0)
    assert model.scale_head is None
    assert model(torch.zeros(1, 3, 64, 64), torch.zeros(1, 3, 64, 64))[1] \
        is None


@pytest.mark.parametrize('input_scale', [1.0, 0.5])
def test_predict_dense_units_and_pyramid(input_scale):
    model = tiny_flownet(input_scale=input_scale)
    set_constant_raw_flow(model, 0.25, -0.5)
    cur, ref = torch.randn(2, 1, 3, 100, 70).unbind(0)
    dense = model.predict_dense(cur, ref)
    assert dense.shape == (1, 2, 100, 70)
    # raw 0.25 * 20 = 5 input pixels = 5 / input_scale frame pixels
    torch.testing.assert_close(dense[:, 0], torch.full((1, 100, 70),
                                                       5.0 / input_scale))
    torch.testing.assert_close(dense[:, 1], torch.full((1, 100, 70),
                                                       -10.0 / input_scale))
    # dense and the stride-4 grid flow agree: grid flow * 4 = frame pixels
    flow, _ = model(cur, ref)
    torch.testing.assert_close(flow * 4, dense[:, :, ::4, ::4])
    flows, _, (hs, ws) = model.pyramid(cur, ref)
    assert (hs, ws) == (round(100 * input_scale), round(70 * input_scale))
    assert [tuple(f.shape[-2:]) for f in flows][-1] == (
        -(-hs // 64) * 16, -(-ws // 64) * 16)


def test_predict_dense_of_a_non_constant_field():
    """A raw x-flow ramp over the stride-4 cells is upsampled bilinearly."""
    model = tiny_flownet()
    cur, ref = torch.randn(2, 1, 3, 64, 64).unbind(0)

    def forward_raw(x):
        flows, feat = type(model).forward_raw(model, x)
        ramp = torch.arange(16.0).view(1, 1, 1, 16).expand(1, 2, 16, 16)
        return flows[:-1] + [ramp.clone()], feat

    model.forward_raw = forward_raw
    dense = model.predict_dense(cur, ref)
    # cell c covers pixels 4c..4c+3, centre 4c + 1.5: pixel 4c + 1.5 has
    # exactly the cell's value; in between, linear
    torch.testing.assert_close(
        (dense[0, 0, 0, 5] + dense[0, 0, 0, 6]) / 2, torch.tensor(20.0))
    torch.testing.assert_close(dense[0, 0, 0, 6] - dense[0, 0, 0, 2],
                               torch.tensor(20.0))


def test_input_convention_travels_with_the_weights():
    src = tiny_flownet(flow_mean='pair', to_bgr=True, flow_std=128.0)
    conv = src.input_convention()
    assert conv == dict(mean=[0.0] * 3, std=[128.0] * 3, pair_mean=True,
                        bgr=True)
    dst = tiny_flownet()
    dst.load_state_dict(src.state_dict(), strict=True)
    assert dst.input_convention() == conv
    pre = torch.randn(1, 3, 8, 8)
    torch.testing.assert_close(dst._prepare(pre, pre * 0.5),
                               src._prepare(pre, pre * 0.5))
    # a checkpoint written before the convention was stored: the keys are
    # not reported missing and the configured convention stays
    old = {k: v for k, v in src.state_dict().items()
           if not k.startswith('input_')}
    fresh = tiny_flownet()
    result = fresh.load_state_dict(old, strict=True)
    assert result.missing_keys == []
    assert fresh.input_convention()['pair_mean'] is False
    assert fresh.input_convention()['mean'] == [114.75, 110.16, 104.805]


def test_untrained_warning_once_and_pretrained_init(tmp_path, monkeypatch):
    from aten_mm.models.motion import flownet_s
    logged = []
    monkeypatch.setattr(
        flownet_s, 'print_log',
        lambda msg, logger=None, level=None: logged.append((msg, level)))
    model = tiny_flownet()
    untrained = [m for m, _ in logged if m == flownet_s.UNTRAINED_WARNING]
    assert len(untrained) == 1
    logged.clear()
    tiny_flownet(warn_untrained=False)
    assert not logged
    # a checkpoint with our key prefix and a non-default convention
    model.set_input_convention(**flownet_s.INPUT_CONVENTIONS['mmflow'])
    with torch.no_grad():
        model.predict_flow2.bias.fill_(0.125)
    state = {'motion.' + k: v for k, v in model.state_dict().items()
             if not k.startswith('scale_head')}
    state['detector.head.conv1.weight'] = torch.zeros(1)
    path = str(tmp_path / 'flow.pth')
    torch.save(dict(state_dict=state, meta=dict(iter=3)), path)
    logged.clear()
    loaded = tiny_flownet(init_cfg=dict(type='Pretrained', checkpoint=path))
    assert not [m for m, _ in logged if m == flownet_s.UNTRAINED_WARNING]
    for key, value in model.state_dict().items():
        if not key.startswith('scale_head'):
            assert torch.equal(loaded.state_dict()[key], value), key
    assert loaded.input_convention() == model.input_convention()
    assert loaded.input_convention()['bgr'] is True
    # the scale field (absent) keeps its paper init
    assert torch.equal(loaded.scale_head.bias, torch.ones(8))
    assert not loaded.scale_head.weight.any()
    # a convention only in the meta (no input_* entries) is applied
    state = {k: v for k, v in state.items() if '.input_' not in k}
    torch.save(dict(state_dict=state, meta=dict(
        flownet_input=flownet_s.INPUT_CONVENTIONS['mmtracking'])), path)
    loaded = tiny_flownet(init_cfg=dict(type='Pretrained', checkpoint=path,
                                        prefix='motion.'))
    assert loaded.input_convention()['mean'] == [
        round(v, 4) for v in flownet_s.INPUT_CONVENTIONS['mmtracking'][
            'mean']]
    # weights of another width are refused, naming the file
    with pytest.raises(ValueError, match='does not fit'):
        tiny_flownet(base_channels=8,
                     init_cfg=dict(type='Pretrained', checkpoint=path))
    with pytest.raises(ValueError, match="prefix 'nope.'"):
        tiny_flownet(init_cfg=dict(type='Pretrained', checkpoint=path,
                                   prefix='nope.'))
