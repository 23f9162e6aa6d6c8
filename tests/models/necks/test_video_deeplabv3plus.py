"""Tests of VideoDeepLabV3Plus (paper §4.5)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from aten_mm.models.necks import VideoDeepLabV3Plus
from aten_mm.registry import MODELS

CFG_DIR = osp.join(
    osp.dirname(__file__), '..', '..', '..', 'configs', '_base_', 'models')


def _cfg(name):
    return Config.fromfile(osp.join(CFG_DIR, name)).model


def _small_neck(**kwargs):
    cfg = dict(type='VideoDeepLabV3Plus', in_channels=6,
               low_level_in_channels=4, channels=8, low_level_channels=4,
               out_channels=8, output_stride=16, in_index=(0, 1))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_r50_config_neck_is_256ch_at_stride4():
    cfg = _cfg('parsing-rcnn_r50-d8-deeplabv3plus.py')
    neck = MODELS.build(cfg.neck).eval()
    assert neck.dilations == (1, 12, 24, 36)  # rates 6/12/18 at OS 8
    feats = [torch.randn(1, 256, 10, 12), torch.randn(1, 512, 5, 6),
             torch.randn(1, 1024, 5, 6), torch.randn(1, 2048, 5, 6)]
    with torch.no_grad():
        out = neck(feats)
    assert out.shape == (1, 256, 10, 12)


def test_tiny_backbone_and_neck_give_exactly_quarter_size():
    torch.manual_seed(0)
    cfg = _cfg('parsing-rcnn_tiny.py')
    backbone = MODELS.build(cfg.backbone)
    backbone.eval()  # mmdet's ResNet.train returns None: no chaining
    neck = MODELS.build(cfg.neck).eval()
    with torch.no_grad():
        out = neck(backbone(torch.randn(1, 3, 128, 96)))
    assert out.shape == (1, cfg.neck.out_channels, 32, 24)


def test_rates_scale_with_output_stride():
    assert VideoDeepLabV3Plus.scale_rates((1, 6, 12, 18), 16) == (
        1, 6, 12, 18)
    assert VideoDeepLabV3Plus.scale_rates((1, 6, 12, 18), 8) == (
        1, 12, 24, 36)
    assert VideoDeepLabV3Plus.scale_rates((1, 6, 12, 18), 32) == (
        1, 3, 6, 9)
    with pytest.raises(ValueError, match='output_stride'):
        _small_neck(output_stride=4)


def test_gradient_reaches_exactly_the_selected_inputs():
    torch.manual_seed(0)
    neck = _small_neck(in_index=(1, 2))
    feats = [torch.randn(1, 3, 16, 16, requires_grad=True),
             torch.randn(1, 4, 16, 16, requires_grad=True),
             torch.randn(1, 6, 4, 4, requires_grad=True),
             torch.randn(1, 5, 4, 4, requires_grad=True)]
    neck(feats).square().sum().backward()
    assert feats[0].grad is None and feats[3].grad is None
    assert feats[1].grad.abs().sum() > 0
    assert feats[2].grad.abs().sum() > 0


def test_image_pooling_carries_global_context():
    """A change at one corner of the high-level map reaches the opposite
    corner of the output (beyond every atrous/decoder conv's reach) only
    through the image-pooling branch."""
    torch.manual_seed(0)
    neck = _small_neck(norm_cfg=None).eval()
    low = torch.randn(1, 4, 96, 96)
    high = torch.randn(1, 6, 24, 24)
    high2 = high.clone()
    high2[..., :2, :2] += 5.

    def far_change():
        with torch.no_grad():
            a = neck([low, high])[..., 88:, 88:]
            b = neck([low, high2])[..., 88:, 88:]
        return (a - b).abs().max().item()

    assert far_change() > 1e-4
    with torch.no_grad():
        neck.image_pool[1].conv.weight.zero_()
    assert far_change() == 0.


def test_mismatched_output_stride_is_reported():
    neck = _small_neck(output_stride=16)
    feats = [torch.randn(1, 4, 16, 16), torch.randn(1, 6, 2, 2)]
    with pytest.raises(ValueError, match='output_stride=16'):
        neck(feats)


def test_trains_with_batch_size_one():
    torch.manual_seed(0)
    neck = _small_neck(norm_cfg=dict(type='BN')).train()
    feats = [torch.randn(1, 4, 16, 16), torch.randn(1, 6, 4, 4)]
    before = [p.detach().clone() for p in neck.parameters()]
    opt = torch.optim.SGD(neck.parameters(), lr=0.1)
    neck(feats).square().mean().backward()
    opt.step()
    assert all(torch.isfinite(p).all() for p in neck.parameters())
    changed = [not torch.equal(a, b)
               for a, b in zip(before, neck.parameters())]
    assert all(changed)
    # the hazard the default avoids: BN on the 1x1 pooled map, batch 1
    bad = _small_neck(pool_norm_cfg=dict(type='BN')).train()
    with pytest.raises(ValueError, match='more than 1 value'):
        bad(feats)
