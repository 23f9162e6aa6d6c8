"""Tests of GlobalParsingHead (paper §4.3, L_parsing of Eq. 7)."""
import pytest
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.structures import PixelData

from aten_mm.registry import MODELS


def _head(**kwargs):
    cfg = dict(type='GlobalParsingHead', in_channels=4, num_classes=20)
    cfg.update(kwargs)
    head = MODELS.build(cfg)
    head.init_weights()
    return head


def _sample(batch_input_shape, img_shape, ori_shape, sem_seg=None):
    s = DetDataSample(metainfo=dict(
        batch_input_shape=batch_input_shape, img_shape=img_shape,
        ori_shape=ori_shape))
    if sem_seg is not None:
        s.gt_sem_seg = PixelData(sem_seg=sem_seg)
    return s


def test_three_atrous_branches_are_summed():
    head = _head()
    assert [c.dilation for c in head.convs] == [(6, 6), (12, 12), (18, 18)]
    feat = torch.randn(2, 4, 10, 8)
    expected = sum(F.conv2d(feat, c.weight, c.bias, padding=c.padding,
                            dilation=c.dilation) for c in head.convs)
    assert torch.allclose(head(feat), expected, atol=1e-6)


def test_bias_only_head_predicts_class_c_at_original_size():
    head = _head()
    c = 7
    with torch.no_grad():
        for conv, scale in zip(head.convs, (1., 2., -0.5)):
            conv.weight.zero_()
            conv.bias.copy_(torch.linspace(-1, 1, 20) * scale)
            conv.bias[c] += 1.5
    bias = sum(conv.bias for conv in head.convs)
    assert bias.argmax() == c
    feat = torch.randn(1, 4, 8, 6)
    sample = _sample((32, 24), (30, 20), (45, 37))
    (res, ) = head.predict(feat, [sample])
    assert res.sem_seg.shape == (1, 45, 37)
    assert res.sem_seg.dtype == torch.long
    assert (res.sem_seg == c).all()
    expected = bias.softmax(0)[c]
    assert torch.allclose(res.max_prob, expected.expand(1, 45, 37))


def test_predict_crops_padding_before_resizing():
    # class-1 logit = feature on the centre tap of the first conv only;
    # the image is the left 4 of 8 stride-4 columns (16 of 32 px); class 1
    # on its left half. Rescaled x2 to ori_shape, the boundary must sit at
    # column 16 (it would sit at 8 if the padding were not cropped first).
    head = _head(in_channels=1, num_classes=2)
    with torch.no_grad():
        for conv in head.convs:
            conv.weight.zero_()
            conv.bias.zero_()
        head.convs[0].weight[1, 0, 1, 1] = 1.
    feat = torch.full((1, 1, 8, 8), -5.)
    feat[..., :2] = 5.
    sample = _sample((32, 32), (32, 16), (64, 32))
    (res, ) = head.predict(feat, [sample])
    assert res.sem_seg.shape == (1, 64, 32)
    assert (res.sem_seg[..., :14] == 1).all()
    assert (res.sem_seg[..., 18:] == 0).all()
    # rescale=False keeps the unpadded img_shape
    (res, ) = head.predict(feat, [sample], rescale=False)
    assert res.sem_seg.shape == (1, 32, 16)


def _log_probs(head, feat, size):
    """(C, H, W) log-probabilities of the head's logits resized to the
    label size, as the loss sees them."""
    logits = F.interpolate(head(feat), size=size, mode='bilinear',
                           align_corners=False)
    return logits.log_softmax(1)[0]


def test_loss_ignores_255_pixels():
    torch.manual_seed(0)
    head = _head(in_channels=3, dilations=(1, ))
    feat = torch.randn(1, 3, 16, 16)
    gt = torch.randint(0, 20, (1, 64, 64))
    gt[..., 32:] = 255
    sample = _sample((64, 64), (64, 64), (64, 64), gt)
    loss = head.loss(feat, [sample])['loss_parsing']

    # hand-computed: mean CE over the valid (left) pixels only
    logp = _log_probs(head, feat, (64, 64))
    valid = gt[0] != 255
    picked = logp.gather(0, gt.clamp(max=19))[0]
    assert torch.allclose(loss, -picked[valid].mean(), atol=1e-5)

    # changing logits of ignored pixels only (feature columns >= 11 reach
    # pixels >= 38 with a 3x3 conv and bilinear upsampling) changes nothing
    feat2 = feat.clone()
    feat2[..., 11:] = torch.randn(1, 3, 16, 5) * 10
    assert head(feat2)[..., 10:].ne(head(feat)[..., 10:]).any()
    loss2 = head.loss(feat2, [sample])['loss_parsing']
    assert torch.equal(loss, loss2)
    feat3 = feat.clone()
    feat3[..., :4] += 3.
    assert not torch.allclose(
        head.loss(feat3, [sample])['loss_parsing'], loss)


def test_loss_edge_cases():
    head = _head()
    feat = torch.randn(1, 4, 8, 8, requires_grad=True)
    # all ignored: finite zero loss, still differentiable
    gt = torch.full((1, 32, 32), 255)
    loss = head.loss(feat, [_sample((32, 32), (32, 32), (32, 32), gt)])
    assert loss['loss_parsing'].item() == 0.
    loss['loss_parsing'].backward()
    # a GT smaller than the padded input is padded with 255
    gt = torch.zeros((1, 30, 28), dtype=torch.long)
    small = head.loss(feat, [_sample((32, 32), (30, 28), (30, 28), gt)])
    assert torch.isfinite(small['loss_parsing'])
    with pytest.raises(ValueError, match='labels outside'):
        head.loss(feat, [_sample((32, 32), (32, 32), (32, 32),
                                 torch.full((1, 32, 32), 20))])
    with pytest.raises(ValueError, match='gt_sem_seg'):
        head.loss(feat, [_sample((32, 32), (32, 32), (32, 32))])


def test_class_weighted_loss_is_the_weighted_mean_over_valid_pixels():
    torch.manual_seed(0)
    weight = torch.rand(20) + 0.1
    head = _head(in_channels=3, dilations=(1, ),
                 class_weight=weight.tolist())
    plain = _head(in_channels=3, dilations=(1, ))
    plain.load_state_dict(head.state_dict())
    feat = torch.randn(1, 3, 16, 16)
    gt = torch.randint(0, 20, (1, 64, 64))
    gt[..., 40:] = 255
    sample = _sample((64, 64), (64, 64), (64, 64), gt)
    loss = head.loss(feat, [sample])['loss_parsing']

    # hand-computed: sum_i w[y_i] * CE_i / sum_i w[y_i] over valid pixels
    logp = _log_probs(head, feat, (64, 64))
    valid = gt[0] != 255
    y = gt[0][valid]
    ce = -logp.permute(1, 2, 0)[valid].gather(1, y[:, None])[:, 0]
    w = weight[y]
    assert torch.allclose(loss, (w * ce).sum() / w.sum(), atol=1e-5)
    # equal weights give the unweighted loss; the weights are not saved
    same = _head(in_channels=3, dilations=(1, ), class_weight=[2.] * 20)
    same.load_state_dict(plain.state_dict())
    assert torch.allclose(same.loss(feat, [sample])['loss_parsing'],
                          plain.loss(feat, [sample])['loss_parsing'],
                          atol=1e-6)
    assert 'class_weight' not in head.state_dict()
    assert not torch.allclose(loss, plain.loss(feat, [sample])[
        'loss_parsing'])


@pytest.mark.parametrize('weights', [[1.] * 19, [1.] * 19 + [-1.]])
def test_class_weight_must_match_the_classes(weights):
    with pytest.raises(ValueError, match='class_weight must hold 20'):
        _head(class_weight=weights)
