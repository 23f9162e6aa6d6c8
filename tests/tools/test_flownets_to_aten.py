"""Tests of tools/model_converters/flownets_to_aten.py."""
import re

import pytest
import torch

from aten_mm.models.motion.flownet_s import INPUT_CONVENTIONS
from aten_mm.registry import MODELS
from aten_mm.utils.checkpoint import UnsafeCheckpointError

STAGE = {'conv1': (1, 0), 'conv2': (2, 0), 'conv3': (3, 0),
         'conv3_1': (3, 1), 'conv4': (4, 0), 'conv4_1': (4, 1),
         'conv5': (5, 0), 'conv5_1': (5, 1), 'conv6': (6, 0),
         'conv6_1': (6, 1)}


@pytest.fixture(scope='module')
def conv(load_tool):
    return load_tool('tools/model_converters/flownets_to_aten.py')


def to_flownet2(key):
    """Hand-written renaming ours -> flownet2-pytorch / FlowNetPytorch."""
    key = re.sub(r'^(conv\d(?:_1)?)\.conv\.', r'\1.0.', key)
    key = re.sub(r'^(conv\d(?:_1)?)\.bn\.', r'\1.1.', key)
    return re.sub(r'^(deconv\d)\.conv\.', r'\1.0.', key)


def to_mmflow(key):
    """Hand-written renaming ours -> MMFlow FlowNetS."""
    m = re.match(r'^(conv\d(?:_1)?)\.(conv|bn)\.(.*)$', key)
    if m:
        stage, idx = STAGE[m.group(1)]
        return (f'encoder.layers.{stage - 1}.layers.{idx}.'
                f'{m.group(2)}.{m.group(3)}')
    m = re.match(r'^deconv(\d)\.conv\.(.*)$', key)
    if m:
        level = int(m.group(1)) + 1
        return f'decoder.decoders.level{level}.deconv_out.deconvs.0.' + \
            m.group(2)
    m = re.match(r'^predict_flow(\d)\.(.*)$', key)
    if m:
        return f'decoder.decoders.level{m.group(1)}.pred_out.{m.group(2)}'
    m = re.match(r'^upsampled_flow(\d)_to_\d\.(.*)$', key)
    return (f'decoder.decoders.level{m.group(1)}.upsample_pred.deconvs.0.'
            f'{m.group(2)}')


def to_mmtracking(key):
    """Hand-written renaming ours -> MMTracking FlowNetSimple."""
    m = re.match(r'^(conv\d(?:_1)?)\.(.*)$', key)
    if m:
        stage, idx = STAGE[m.group(1)]
        return f'conv{stage}.{idx}.{m.group(2)}'
    if key.startswith('deconv'):
        return key
    m = re.match(r'^predict_flow(\d)\.(.*)$', key)
    if m:
        name = 'predict_flow' if m.group(1) == '2' else key.split('.')[0]
        return f'{name}.conv.{m.group(2)}'
    m = re.match(r'^upsampled_flow\d_to_(\d)\.(.*)$', key)
    return f'upsample_flow{m.group(1)}.conv.{m.group(2)}'


def tiny(**kwargs):
    torch.manual_seed(0)
    model = MODELS.build(dict(type='FlowNetS', base_channels=4,
                              scale_channels=8, **kwargs))
    model.init_weights()
    # make every tensor distinct so that a swapped mapping is caught
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-1, 1)
    model.scale_head.init_weights()
    return model


def source_dict(model, rename, prefix='', drop_biases=False):
    out = {}
    for key, value in model.state_dict().items():
        if key.startswith(('scale_head', 'input_')):
            continue
        if drop_biases and (key.startswith(('deconv', 'predict_flow'))
                            and key.endswith('.bias')):
            continue
        out[prefix + rename(key)] = value.clone()
    return out


def assert_same_weights(model, other, skip_input=False):
    for (k1, v1), (k2, v2) in zip(model.state_dict().items(),
                                  other.state_dict().items()):
        assert k1 == k2
        if skip_input and k1.startswith('input_'):
            continue  # the source's convention, tested below
        assert torch.equal(v1, v2), k1


@pytest.mark.parametrize('layout,rename,prefix', [
    ('flownet2', to_flownet2, ''),
    ('mmflow', to_mmflow, ''),
    ('mmtracking', to_mmtracking, 'motion.'),
    ('aten', lambda k: k, 'module.motion.'),
])
def test_roundtrip_each_layout(layout, rename, prefix, conv):
    model = tiny()
    src = source_dict(model, rename, prefix)
    src[prefix + 'some_other_head.weight'] = torch.zeros(1)
    out, report = conv.convert_state_dict(src, scale_channels=8)
    assert report['layout'] == layout and report['prefix'] == prefix
    assert report['unmapped'] == [prefix + 'some_other_head.weight']
    assert report['zero_biases'] == []
    fresh = MODELS.build(dict(type='FlowNetS', base_channels=4,
                              scale_channels=8))
    fresh.load_state_dict(out, strict=True)
    assert_same_weights(model, fresh, skip_input=True)
    # the scale head is written at its paper init
    assert torch.equal(out['scale_head.bias'], torch.ones(8))
    assert not out['scale_head.weight'].any()


def test_known_name_pairs(conv):
    pairs = {
        'flownet2': {'deconv5.conv.weight': 'deconv5.0.weight',
                     'conv3_1.conv.bias': 'conv3_1.0.bias',
                     'conv2.bn.running_var': 'conv2.1.running_var'},
        'mmflow': {
            'deconv5.conv.weight':
            'decoder.decoders.level6.deconv_out.deconvs.0.weight',
            'upsampled_flow3_to_2.weight':
            'decoder.decoders.level3.upsample_pred.deconvs.0.weight',
            'conv6_1.conv.weight': 'encoder.layers.5.layers.1.conv.weight'},
        'mmtracking': {
            'conv3_1.conv.weight': 'conv3.1.conv.weight',
            'predict_flow2.weight': 'predict_flow.conv.weight',
            'predict_flow6.weight': 'predict_flow6.conv.weight',
            'upsampled_flow6_to_5.weight': 'upsample_flow5.conv.weight'},
    }
    for layout, expected in pairs.items():
        mapping = conv.key_map(layout)
        for ours, theirs in expected.items():
            assert mapping[ours] == theirs


def test_missing_biases_become_zeros_and_bn_layout(conv):
    # MMTracking / FlowNetPytorch have no deconv and predictor biases
    model = tiny()
    src = source_dict(model, to_mmtracking, drop_biases=True)
    out, report = conv.convert_state_dict(src, scale_channels=8)
    assert len(report['zero_biases']) == 4 + 5
    assert not out['deconv5.conv.bias'].any()
    assert out['deconv5.conv.bias'].shape == (32, )
    fresh = MODELS.build(dict(type='FlowNetS', base_channels=4,
                              scale_channels=8))
    fresh.load_state_dict(out, strict=True)
    # FlowNetS-BN (flownet2 layout with conv1.1.* BN entries)
    bn_model = tiny(norm_cfg=dict(type='BN'))
    src = source_dict(bn_model, to_flownet2)
    assert 'conv1.1.running_mean' in src and 'conv1.0.bias' not in src
    out, report = conv.convert_state_dict(src, scale_channels=8)
    assert report['norm']
    fresh = MODELS.build(dict(type='FlowNetS', base_channels=4,
                              scale_channels=8, norm_cfg=dict(type='BN')))
    fresh.load_state_dict(out, strict=True)
    assert_same_weights(bn_model, fresh, skip_input=True)


def test_bad_checkpoints(conv):
    model = tiny()
    with pytest.raises(ValueError, match='no FlowNet-S layout'):
        conv.convert_state_dict({'backbone.conv1.weight': torch.zeros(1)})
    src = source_dict(model, to_flownet2)
    del src['predict_flow4.weight']
    with pytest.raises(ValueError, match='predict_flow4.weight'):
        conv.convert_state_dict(src)
    src = source_dict(model, to_flownet2)
    src['conv1.0.weight'] = torch.zeros(4, 12, 7, 7)
    with pytest.raises(ValueError, match='12 input channels'):
        conv.convert_state_dict(src)
    with pytest.raises(FileNotFoundError):
        conv.load_checkpoint('/nonexistent/flownets.pth')


def _rgb_mean(*values):
    return tuple(v * 255 for v in values)


# (layout, rename, drop_biases) -> the source's own input convention, as
# its code applies it (mmflow preprocess_cfg, mmtracking FlowNetSimple,
# flownet2-pytorch FlowNet2S.forward, FlowNetPytorch main.py)
SOURCE_CONVENTIONS = [
    ('mmflow', to_mmflow, False,
     dict(mean=(0, 0, 0), std=255, pair_mean=False, bgr=True)),
    ('mmtracking', to_mmtracking, True,
     dict(mean=_rgb_mean(0.411, 0.432, 0.450), std=255, pair_mean=False,
          bgr=False)),
    ('flownet2-pytorch', to_flownet2, False,
     dict(mean=(0, 0, 0), std=255, pair_mean=True, bgr=False)),
    ('flownetpytorch', to_flownet2, True,
     dict(mean=_rgb_mean(0.45, 0.432, 0.411), std=255, pair_mean=False,
          bgr=False)),
]


@pytest.mark.parametrize('name,rename,drop,convention', SOURCE_CONVENTIONS)
def test_stored_convention_is_the_sources(name, rename, drop, convention,
                                          tmp_path, conv):
    model = tiny()
    src_path = str(tmp_path / 'src.pth')
    torch.save(dict(state_dict=source_dict(model, rename,
                                           drop_biases=drop)), src_path)
    dst = str(tmp_path / 'dst.pth')
    report = conv.main([src_path, dst, '--scale-channels', '8'])
    assert report['input_convention'] == name
    ckpt = torch.load(dst, map_location='cpu', weights_only=True)
    meta = ckpt['meta']['flownet_input']
    assert meta['pair_mean'] == convention['pair_mean']
    assert meta['bgr'] == convention['bgr']
    assert meta['mean'] == pytest.approx(list(convention['mean']))
    assert ckpt['meta']['input_convention'] == name
    # loading applies it: nothing to set in the config
    loaded = MODELS.build(dict(
        type='FlowNetS', base_channels=4, scale_channels=8,
        init_cfg=dict(type='Pretrained', checkpoint=dst)))
    loaded.init_weights()
    got = loaded.input_convention()
    assert got['mean'] == pytest.approx(list(convention['mean']), abs=1e-3)
    assert got['std'] == [255.0] * 3
    assert (got['pair_mean'], got['bgr']) == (convention['pair_mean'],
                                              convention['bgr'])
    # and the network computes what the source computes on RGB 0..255
    rgb = torch.rand(2, 1, 3, 8, 8).unbind(0)
    rgb = [x * 255 for x in rgb]
    mean = torch.tensor(convention['mean'], dtype=torch.float32).view(
        1, 3, 1, 1)
    a, b = [(x - mean) / 255 for x in rgb]
    if convention['pair_mean']:
        pair_mean = torch.stack((a, b)).mean(dim=(0, 3, 4), keepdim=True)[0]
        a, b = a - pair_mean, b - pair_mean
    if convention['bgr']:
        a, b = a.flip(1), b.flip(1)
    imnet_mean = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
    imnet_std = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)
    pre = [(x - imnet_mean) / imnet_std for x in rgb]
    torch.testing.assert_close(loaded._prepare(*pre),
                               torch.cat((a, b), dim=1), atol=1e-5,
                               rtol=1e-5)


def test_aten_layout_keeps_the_checkpoints_convention(tmp_path, conv):
    model = tiny()
    model.set_input_convention(**INPUT_CONVENTIONS['mmflow'])
    src = {'motion.' + k: v for k, v in model.state_dict().items()}
    out, report = conv.convert_state_dict(src, scale_channels=8)
    assert report['layout'] == 'aten'
    assert report['input_convention'] == 'checkpoint'
    assert report['flownet_input']['bgr'] is True
    assert bool(out['input_bgr'])
    # ours without the entries -> our default convention
    src = {k: v for k, v in src.items() if '.input_' not in k}
    _, report = conv.convert_state_dict(src, scale_channels=8)
    assert report['input_convention'] == 'aten'
    # the command line can override the detection
    path = str(tmp_path / 'src.pth')
    torch.save(dict(state_dict=src), path)
    report = conv.main([path, str(tmp_path / 'o.pth'), '--scale-channels',
                        '8', '--input-convention', 'flownet2-pytorch'])
    ckpt = torch.load(str(tmp_path / 'o.pth'), weights_only=True)
    assert ckpt['meta']['flownet_input']['pair_mean'] is True
    assert bool(ckpt['state_dict']['input_pair_mean'])
    with pytest.raises(FileExistsError, match='--overwrite'):
        conv.main([path, str(tmp_path / 'o.pth')])


def test_cli_files_and_safe_load(tmp_path, conv):
    import numpy as np
    model = tiny()
    src_path = str(tmp_path / 'flownets_mmflow.pth')
    # an OpenMMLab-style checkpoint: numpy scalars in meta are accepted
    torch.save(dict(state_dict=source_dict(model, to_mmflow),
                    meta=dict(epoch=np.int64(3), lr=np.float64(0.1))),
               src_path)
    dst_path = str(tmp_path / 'out.pth')
    report = conv.main([src_path, dst_path, '--scale-channels', '8',
                        '--out-prefix', 'motion.'])
    assert report['layout'] == 'mmflow'
    ckpt = torch.load(dst_path, map_location='cpu', weights_only=True)
    state = {k[len('motion.'):]: v for k, v in ckpt['state_dict'].items()}
    assert all(k.startswith('motion.') for k in ckpt['state_dict'])
    fresh = MODELS.build(dict(type='FlowNetS', base_channels=4,
                              scale_channels=8))
    fresh.load_state_dict(state, strict=True)
    assert_same_weights(model, fresh, skip_input=True)

    # an arbitrary pickled object (any non-allow-listed class) is refused
    import argparse
    evil_path = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict=source_dict(model, to_mmflow),
                    meta=dict(obj=argparse.Namespace(a=1))), evil_path)
    with pytest.raises(UnsafeCheckpointError, match='argparse.Namespace'):
        conv.load_checkpoint(evil_path)
