"""Tests of ParsingRCNN (paper §4.3, Fig. 5, Eq. 7) on the tiny config."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.config import Config
from mmengine.structures import InstanceData, PixelData

from aten_mm.registry import MODELS

CFG_DIR = osp.join(
    osp.dirname(__file__), '..', '..', '..', 'configs', '_base_', 'models')
TINY = osp.join(CFG_DIR, 'parsing-rcnn_tiny.py')
R50 = osp.join(CFG_DIR, 'parsing-rcnn_r50-d8-deeplabv3plus.py')
LOSS_TERMS = ('loss_parsing', 'loss_rpn_cls', 'loss_rpn_bbox', 'loss_cls',
              'loss_bbox', 'loss_mask')

# two persons (x1, y1, x2, y2) drawn as rectangles of three parts
PERSONS = ((8, 10, 40, 110), (52, 24, 88, 122))
PARTS = ((2, (220, 180, 150)), (5, (30, 30, 200)), (9, (40, 160, 40)))


def _build(cfg_path=TINY, **test_cfg):
    cfg = Config.fromfile(cfg_path).model
    for key, value in test_cfg.items():
        cfg.test_cfg[key].update(value)
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def _scene(h=128, w=96, persons=PERSONS):
    """uint8 BGR image (3, h, w) and its DetDataSample (gt at image size)."""
    rng = np.random.RandomState(0)
    img = rng.randint(90, 130, (h, w, 3)).astype(np.uint8)
    seg = np.zeros((h, w), np.int64)
    masks = np.zeros((len(persons), h, w), np.uint8)
    for i, (x1, y1, x2, y2) in enumerate(persons):
        bounds = np.linspace(y1, y2, len(PARTS) + 1).astype(int)
        for (label, colour), top, bottom in zip(PARTS, bounds, bounds[1:]):
            img[top:bottom, x1:x2] = colour
            seg[top:bottom, x1:x2] = label
        masks[i, y1:y2, x1:x2] = 1
    sample = DetDataSample(metainfo=dict(
        img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.),
        pad_shape=(h, w), batch_input_shape=(h, w)))
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor(persons, dtype=torch.float32).reshape(-1, 4),
        labels=torch.zeros(len(persons), dtype=torch.long),
        masks=BitmapMasks(masks, h, w))
    sample.gt_sem_seg = PixelData(sem_seg=torch.from_numpy(seg)[None])
    return torch.from_numpy(img).permute(2, 0, 1).contiguous(), sample


def _preprocess(model, img, sample, training):
    """Batch one frame through the model's data preprocessor, (N, 1, ...).
    """
    data = dict(inputs=[img[None]], data_samples=[copy.deepcopy(sample)])
    data = model.data_preprocessor(data, training=training)
    return data['inputs'], data['data_samples']


def test_configs_hold_paper_settings():
    cfg = Config.fromfile(R50).model
    assert cfg.backbone.depth == 50
    assert cfg.backbone.init_cfg.checkpoint == 'torchvision://resnet50'
    assert cfg.neck.out_channels == 256
    assert cfg.roi_head.bbox_roi_extractor.featmap_strides == [4]
    assert cfg.roi_head.mask_roi_extractor.featmap_strides == [4]
    assert cfg.train_cfg.rcnn.sampler.num == 128
    assert cfg.parsing_head.dilations == (6, 12, 18)
    assert cfg.parsing_head.num_classes == 20


@pytest.mark.parametrize('cfg_path', [TINY, R50])
def test_fifteen_anchors_on_the_single_stride4_level(cfg_path):
    cfg = Config.fromfile(cfg_path).model
    rpn = MODELS.build(dict(cfg.rpn_head, train_cfg=cfg.train_cfg.rpn,
                            test_cfg=cfg.test_cfg.rpn))
    gen = rpn.prior_generator
    assert gen.num_levels == 1 and gen.strides == [(4, 4)]
    assert rpn.num_base_priors == 15
    anchors = gen.grid_priors([(32, 24)], device='cpu')[0]
    assert anchors.shape == (32 * 24 * 15, 4)
    # the 15 anchors of a location: 5 sizes x 3 aspect ratios, same area
    # per size
    base = anchors[:15]
    wh = base[:, 2:] - base[:, :2]
    areas = (wh[:, 0] * wh[:, 1]).round()
    assert len(torch.unique(areas)) == 5
    assert len(torch.unique((wh[:, 1] / wh[:, 0]).round(decimals=2))) == 3


def test_extract_feat_single_tensor_and_one_frame_clips():
    model = _build().eval()
    x = torch.randn(2, 3, 64, 96)
    with torch.no_grad():
        feat = model.extract_feat(x)
        feat5 = model.extract_feat(x[:, None])
    assert isinstance(feat, torch.Tensor)
    assert feat.shape == (2, 64, 16, 24)
    assert torch.equal(feat, feat5)
    with pytest.raises(ValueError, match='per-frame'):
        model.extract_feat(torch.randn(1, 2, 3, 64, 64))


def test_loss_has_all_terms_and_training_lowers_it():
    model = _build().train()
    img, sample = _scene()
    inputs, samples = _preprocess(model, img, sample, training=True)
    assert inputs.shape == (1, 1, 3, 128, 96)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    totals = []
    for step in range(10):
        losses = model.loss(inputs, samples)
        if step == 0:
            for key in LOSS_TERMS:
                assert key in losses, key
                value = losses[key]
                if isinstance(value, list):  # mmdet: one per level
                    assert len(value) == 1, key
                    value = value[0]
                assert torch.isfinite(value).all(), key
            assert losses['loss_mask'] > 0
        total, _ = model.parse_losses(losses)
        opt.zero_grad()
        total.backward()
        opt.step()
        totals.append(total.item())
    assert np.mean(totals[-3:]) < 0.8 * totals[0], totals


def test_loss_from_feat_trains_the_feature():
    model = _build().train()
    img, sample = _scene()
    inputs, samples = _preprocess(model, img, sample, training=True)
    feat = model.extract_feat(inputs).detach().requires_grad_()
    losses = model.loss_from_feat(feat, samples)
    assert set(LOSS_TERMS) <= set(losses)
    model.parse_losses(losses)[0].backward()
    assert feat.grad.abs().sum() > 0


def test_predict_without_people_at_original_size():
    # ori 100x70 resized to 90x63, padded to 96x64 by the preprocessor
    model = _build(rcnn=dict(score_thr=1.01)).eval()
    img, sample = _scene(90, 63, persons=())
    sample.set_metainfo(dict(ori_shape=(100, 70),
                             scale_factor=(63 / 70, 90 / 100)))
    inputs, samples = _preprocess(model, img, sample, training=False)
    assert samples[0].batch_input_shape == (96, 64)
    with torch.no_grad():
        (res, ) = model.predict(inputs, samples)
    assert len(res.pred_instances) == 0
    assert res.pred_instances.masks.shape == (0, 100, 70)
    assert len(res.pred_part_instances) == 0
    seg = res.pred_sem_seg
    assert seg.sem_seg.shape == (1, 100, 70)
    assert seg.sem_seg.dtype == torch.long
    assert seg.sem_seg.min() >= 0 and seg.sem_seg.max() < 20
    assert ((seg.max_prob >= 1 / 20 - 1e-6) & (seg.max_prob <= 1)).all()
    # mode='tensor': raw parsing logits at stride 4, then the RoI outputs
    with torch.no_grad():
        outs = model(inputs, samples, mode='tensor')
    assert len(outs) == 2 and outs[0].shape == (1, 20, 24, 16)


def test_predict_fuses_persons_and_parts():
    # keep every detection (untrained model) so the fusion has work to do
    model = _build(rcnn=dict(score_thr=0.0),
                   fusion=dict(score_thr=0.0, overlap_thr=0.0)).eval()
    img, sample = _scene()
    sample.set_metainfo(dict(ori_shape=(256, 192), scale_factor=(.5, .5)))
    inputs, samples = _preprocess(model, img, sample, training=False)
    with torch.no_grad():
        (res, ) = model.predict(inputs, samples)
    persons, parts = res.pred_instances, res.pred_part_instances
    k = len(persons)
    assert 0 < k <= 20  # rcnn.max_per_img of the tiny config
    assert persons.masks.shape == (k, 256, 192)
    assert persons.masks.dtype == torch.bool
    assert persons.masks.sum(0).max() <= 1  # non-overlapping
    assert (persons.scores[:-1] >= persons.scores[1:]).all()
    assert persons.bboxes.shape == (k, 4)
    part_map = res.pred_sem_seg.sem_seg[0]
    for mask, label, pid in zip(parts.masks, parts.labels,
                                parts.person_ids):
        assert 1 <= label < 20 and 1 <= pid <= k
        assert mask.any()
        assert not (mask & ~persons.masks[pid - 1]).any()
        assert (part_map[mask] == label).all()


def test_parsing_only_model():
    cfg = Config.fromfile(TINY).model
    cfg.rpn_head = None
    cfg.roi_head = None
    model = MODELS.build(cfg)
    img, sample = _scene()
    inputs, samples = _preprocess(model, img, sample, training=True)
    assert set(model.loss(inputs, samples)) == {'loss_parsing'}
    model.eval()
    with torch.no_grad():
        (res, ) = model.predict(inputs, samples)
    assert len(res.pred_instances) == 0
    assert res.pred_sem_seg.sem_seg.shape == (1, 128, 96)


def test_bad_fusion_key_is_reported():
    cfg = Config.fromfile(TINY).model
    cfg.test_cfg.fusion.score_th = 0.5
    with pytest.raises(ValueError, match='score_th'):
        MODELS.build(cfg)


@pytest.mark.parametrize('name', [
    'parsing-rcnn_r50-d8-deeplabv3plus_1xb1-40e_vip.py',
    'parsing-rcnn_tiny_synthetic.py'])
def test_top_level_configs_are_per_frame(name):
    cfg = Config.fromfile(
        osp.join(CFG_DIR, '..', '..', 'parsing_rcnn', name))
    assert cfg.model.type == 'ParsingRCNN'
    assert cfg.model.data_preprocessor.type == 'VideoDataPreprocessor'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        # the per-frame model takes one-frame clips (F = 1)
        assert dict(cfg[loader].dataset.clip_cfg) == dict(mode='single')


def test_channels_last_model_gives_the_contiguous_results():
    # mmcv's RoIAlign reads NCHW memory whatever the strides; a model
    # converted to channels-last must still give the same detections, masks
    # and losses (it gave other boxes without an error before)
    model = _build(rcnn=dict(score_thr=0.0),
                   fusion=dict(score_thr=0.0, overlap_thr=0.0)).eval()
    model_cl = copy.deepcopy(model).to(memory_format=torch.channels_last)
    img, sample = _scene()
    inputs, samples = _preprocess(model, img, sample, training=False)
    with torch.no_grad():
        feat = model.extract_feat(inputs)
        feat_cl = model_cl.extract_feat(inputs)  # channels-last weights
        assert feat_cl.is_contiguous(memory_format=torch.channels_last)
        assert not feat_cl.is_contiguous()
        (res, ) = model.predict_from_feat(feat, copy.deepcopy(samples))
        (res_cl, ) = model_cl.predict_from_feat(feat_cl,
                                                copy.deepcopy(samples))
    dets, dets_cl = res.pred_instances, res_cl.pred_instances
    assert len(dets) > 0 and len(dets) == len(dets_cl)
    torch.testing.assert_close(dets_cl.scores, dets.scores,
                               atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(dets_cl.bboxes, dets.bboxes,
                               atol=1e-2, rtol=1e-4)
    agree = (dets_cl.masks == dets.masks).float().mean()
    assert agree > 0.999
    # training reads the same RoI features
    model.train()
    model_cl.train()
    inputs, samples = _preprocess(model, img, sample, training=True)
    torch.manual_seed(1)
    losses = model.loss_from_feat(model.extract_feat(inputs), samples)
    torch.manual_seed(1)
    losses_cl = model_cl.loss_from_feat(model_cl.extract_feat(inputs),
                                        samples)
    for key in ('loss_cls', 'loss_bbox', 'loss_mask'):
        torch.testing.assert_close(losses_cl[key], losses[key],
                                   atol=1e-4, rtol=1e-3)


def test_roi_feats_are_contiguous_and_contiguous_feats_pass_as_is():
    from aten_mm.models.detectors.parsing_rcnn import ParsingRCNN
    feat = torch.randn(1, 8, 6, 10)
    (same, ) = ParsingRCNN._roi_feats(feat)
    assert same.data_ptr() == feat.data_ptr()  # no copy
    feat_cl = feat.contiguous(memory_format=torch.channels_last)
    (fixed, ) = ParsingRCNN._roi_feats(feat_cl)
    assert fixed.is_contiguous() and torch.equal(fixed, feat)
