"""The component-guide configs (docs/component_guide.md) build and run.

``configs/components/``: aten_mm's DeepLabV3+ neck inside an unmodified
mmseg ``EncoderDecoder``, and FlowNetS + FlowWarp + ConvGRUEncoder inside
``TemporalEncoderDecoder``. Each config is built the way a Runner builds it
(under the config's own ``default_scope``), trained one step in ``loss``
mode and run in ``predict`` mode; the results are checked against the same
computation done by hand from the parts.
"""
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData
from mmseg.models.decode_heads import FCNHead
from mmseg.models.segmentors import EncoderDecoder
from mmseg.structures import SegDataSample

from aten_mm.models.necks import VideoDeepLabV3Plus
from aten_mm.models.segmentors import TemporalEncoderDecoder
from aten_mm.models.temporal import ConvGRUEncoder

CONFIG_DIR = osp.join(osp.dirname(osp.abspath(__file__)), '..', 'configs',
                      'components')
NECK_CFG = 'deeplabv3plus-video-neck_r18_mmseg.py'
TEMPORAL_CFG = 'temporal-encoder_r18_mmseg.py'
H, W = 64, 96
NUM_CLASSES = 20


def _build(name):
    """Build a config's model as a Runner does: under its default scope."""
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = ROOT_MODELS.build(cfg.model)
    model.init_weights()
    return model


def _samples(n, gen):
    samples = []
    for _ in range(n):
        seg = torch.randint(0, NUM_CLASSES, (1, H, W), generator=gen)
        seg[:, :8] = 255  # an ignored band
        sample = SegDataSample(metainfo=dict(
            img_shape=(H, W), ori_shape=(H, W), pad_shape=(H, W)))
        sample.gt_sem_seg = PixelData(data=seg)
        samples.append(sample)
    return samples


def _hand_loss(logits, samples):
    """mmseg's CrossEntropyLoss (mean over all pixels, 255 ignored)."""
    logits = F.interpolate(logits, size=(H, W), mode='bilinear',
                           align_corners=False)
    gt = torch.stack([s.gt_sem_seg.data[0] for s in samples])
    return F.cross_entropy(logits, gt, ignore_index=255,
                           reduction='none').mean()


def _nonzero_grad(module):
    return any(p.grad is not None and p.grad.abs().sum() > 0
               for p in module.parameters())


def test_video_neck_in_plain_mmseg_encoder_decoder():
    model = _build(NECK_CFG)
    assert type(model) is EncoderDecoder
    assert isinstance(model.neck.neck, VideoDeepLabV3Plus)
    assert isinstance(model.decode_head, FCNHead)
    gen = torch.Generator().manual_seed(0)
    images = [torch.randint(0, 256, (3, H, W), generator=gen,
                            dtype=torch.uint8) for _ in range(2)]
    samples = _samples(2, gen)
    data = model.data_preprocessor(
        dict(inputs=images, data_samples=samples), True)
    inputs = data['inputs']
    assert inputs.shape == (2, 3, H, W)

    # one training step reaches the neck and the backbone
    model.train()
    losses = model(**data, mode='loss')
    loss = losses['decode.loss_ce']
    assert torch.isfinite(loss) and loss > 0
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert _nonzero_grad(model.neck.neck.aspp_modules)
    assert _nonzero_grad(model.neck.neck.low_level_project)
    assert _nonzero_grad(model.backbone)

    # eval: mmseg's loss and prediction = the parts chained by hand
    model.eval()
    with torch.no_grad():
        feat = model.neck.neck(model.backbone(inputs))
        assert feat.shape == (2, 32, H // 4, W // 4)
        logits = model.decode_head((feat, ))
        expected = _hand_loss(logits, samples)
        losses = model.loss(inputs, samples)
        torch.testing.assert_close(losses['decode.loss_ce'], expected)
        preds = model.test_step(
            dict(inputs=images, data_samples=_samples(2, gen)))
    hand = F.interpolate(logits, size=(H, W), mode='bilinear',
                         align_corners=False).argmax(1)
    for i, pred in enumerate(preds):
        assert pred.pred_sem_seg.data.shape == (1, H, W)
        assert torch.equal(pred.pred_sem_seg.data[0], hand[i])


def test_temporal_encoder_in_mmseg_segmentor():
    model = _build(TEMPORAL_CFG)
    assert isinstance(model, TemporalEncoderDecoder)
    assert isinstance(model.encoder, ConvGRUEncoder)
    gen = torch.Generator().manual_seed(1)

    # identical frames and zero flow: the warped references are the
    # target's own feature (exact warp, scale field 1 at init), so the
    # fused map is the encoder run on T copies of it
    model.eval()
    with torch.no_grad():
        model.motion.predict_flow2.weight.zero_()
        model.motion.predict_flow2.bias.zero_()
        frame = torch.randn(1, 3, H, W, generator=gen)
        feat = model.neck(model.backbone(frame))[0]
        fused = model.extract_feat(frame[:, None].repeat(1, 3, 1, 1, 1))[0]
        torch.testing.assert_close(fused, model.encoder([feat] * 3),
                                   rtol=1e-4, atol=1e-5)
        # ... and the references do count: T = 1 gives another map
        assert not torch.allclose(fused, model.encoder([feat]), atol=1e-3)

    # a training step through the preprocessor reaches every part
    clips = [torch.randint(0, 256, (3, 3, H, W), generator=gen,
                           dtype=torch.uint8) for _ in range(2)]
    samples = _samples(2, gen)
    data = model.data_preprocessor(
        dict(inputs=clips, data_samples=samples), True)
    assert data['inputs'].shape == (2, 3, 3, H, W)
    model.train()
    losses = model(**data, mode='loss')
    loss = losses['decode.loss_ce']
    assert torch.isfinite(loss) and loss > 0
    loss.backward()
    assert _nonzero_grad(model.encoder)
    assert _nonzero_grad(model.neck)
    # the flow (through the sampler) and the scale field get gradients
    assert model.motion.predict_flow2.weight.grad.abs().sum() > 0
    assert model.motion.scale_head.weight.grad.abs().sum() > 0

    # predict: a seg map of the last frame at the input size, the same for
    # the (N, T, 3, H, W) tensor and the list of frames
    model.eval()
    with torch.no_grad():
        preds = model.test_step(
            dict(inputs=clips, data_samples=_samples(2, gen)))
        frames = list(data['inputs'].unbind(1))
        logits = model.encode_decode(frames, [s.metainfo for s in preds])
    for i, pred in enumerate(preds):
        assert pred.pred_sem_seg.data.shape == (1, H, W)
        assert torch.equal(pred.pred_sem_seg.data[0], logits[i].argmax(0))


@pytest.mark.parametrize('name', [NECK_CFG, TEMPORAL_CFG])
def test_component_configs_build_in_either_scope(name):
    """Fully scoped types: the model builds from an mmdet project too."""
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    for scope in ('mmdet', 'aten_mm'):
        with DefaultScope.overwrite_default_scope(scope):
            model = ROOT_MODELS.build(cfg.model)
        assert model.decode_head.num_classes == NUM_CLASSES
