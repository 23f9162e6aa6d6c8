"""FlowEstimator: flow pretraining built from the real configs."""
import math
import os.path as osp

import pytest
import torch
from flow_pair_fixture import write_flow_set
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from aten_mm.apis import train_model
from aten_mm.datasets import FlowPairDataset
from aten_mm.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
TINY = osp.join(REPO, 'configs', 'flownet', 'flownet-s_tiny_synthetic.py')
PAPER = osp.join(REPO, 'configs', 'flownet', 'flownet-s_synthetic.py')
ATEN_TINY = osp.join(REPO, 'configs', 'aten', 'aten_tiny_synthetic.py')


@pytest.fixture(scope='module')
def eval_flow(load_tool):
    return load_tool('tools/analysis_tools/eval_flow.py')


@pytest.fixture(scope='module')
def flow_set(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('flowset') / 'set')
    write_flow_set(root, splits={'train': ['vid0', 'vid2'], 'val': ['vid1']},
                   num_frames=5, size=(64, 64))
    return root


def test_configs_build_the_paper_and_tiny_widths():
    paper = MODELS.build(Config.fromfile(PAPER).model)
    tiny = MODELS.build(Config.fromfile(TINY).model)
    assert paper.motion.conv1.conv.out_channels == 64
    assert paper.motion.conv6_1.conv.out_channels == 1024
    # the width of the tiny video configs' FlowNet-S
    aten = Config.fromfile(ATEN_TINY).model.motion
    assert tiny.motion.conv1.conv.out_channels == aten.base_channels == 16
    assert tiny.motion.scale_head is None and not tiny.motion.warn_untrained


def tiny_model_and_batch(flow_set):
    """The tiny FlowEstimator (seeded) and a preprocessed batch of the
    fixture's first two val pairs; also the dataset."""
    cfg = Config.fromfile(TINY)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    ds = FlowPairDataset(data_root=flow_set, split='val',
                         pipeline=cfg.test_pipeline)
    data = model.data_preprocessor(pseudo_collate([ds[0], ds[1]]), True)
    return model, data, ds


def test_loss_and_predict_on_real_pairs(flow_set):
    model, data, ds = tiny_model_and_batch(flow_set)
    assert data['inputs'].shape == (2, 2, 3, 64, 64)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_flow', 'epe_l2', 'epe_l3', 'epe_l4',
                           'epe_l5', 'epe_l6'}
    losses['loss_flow'].backward()
    assert model.motion.conv1.conv.weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        out = model(**model.data_preprocessor(pseudo_collate([ds[0]])),
                    mode='predict')
    assert out[0].pred_flow.shape == (2, 64, 64)
    with pytest.raises(ValueError, match='input_scale'):
        MODELS.build(dict(type='FlowEstimator', motion=dict(
            type='FlowNetS', base_channels=4, input_scale=0.5)))


def test_tiny_training_run_lowers_epe(flow_set, tmp_path, eval_flow):
    work = str(tmp_path / 'work')
    overrides = {
        'train_dataloader.dataset.data_root': flow_set,
        'val_dataloader.dataset.data_root': flow_set,
        'test_dataloader.dataset.data_root': flow_set,
        'train_dataloader.dataset.pipeline.2.crop_size': [64, 64],
        'train_dataloader.dataset.pipeline.2.max_shift': 0,
        'train_dataloader.batch_size': 4, 'train_cfg.max_iters': 60,
        'train_cfg.val_interval': 60, 'default_hooks.checkpoint.interval': 60,
        'randomness.seed': 0
    }
    # the same seeded initial weights, saved before any step
    torch.manual_seed(0)
    init_model = MODELS.build(Config.fromfile(TINY).model)
    init_model.init_weights()
    init_ckpt = str(tmp_path / 'init.pth')
    torch.save(dict(state_dict=init_model.state_dict()), init_ckpt)
    runner = train_model(TINY, work_dir=work, cfg_options=overrides)
    trained = osp.join(work, 'iter_60.pth')
    assert osp.isfile(trained)
    ds = FlowPairDataset(data_root=flow_set, split='val',
                         pipeline=Config.fromfile(TINY).test_pipeline)
    before = eval_flow.evaluate(ds, eval_flow.ModelFlow(TINY, init_ckpt))
    after = eval_flow.evaluate(ds, eval_flow.ModelFlow(TINY, trained))
    assert after['EPE'] < 0.8 * before['EPE']
    # the runner's own validation (FlowEPEMetric) measures the same EPE
    metrics = runner.message_hub.get_scalar('val/flow/EPE').current()
    assert math.isclose(metrics, after['EPE'], rel_tol=1e-4)


def test_video_config_warns_once_unless_motion_is_pretrained(
        tmp_path, monkeypatch):
    from aten_mm.models.motion import flownet_s
    logged = []
    monkeypatch.setattr(
        flownet_s, 'print_log',
        lambda msg, logger=None, level=None: logged.append(msg))
    cfg = Config.fromfile(ATEN_TINY)
    torch.manual_seed(0)
    aten = MODELS.build(cfg.model)
    aten.init_weights()
    assert logged.count(flownet_s.UNTRAINED_WARNING) == 1
    # flow pretraining itself does not warn
    logged.clear()
    flow = MODELS.build(Config.fromfile(TINY).model)
    flow.init_weights()
    assert flownet_s.UNTRAINED_WARNING not in logged
    # the video config's motion starts from a flow-pretraining checkpoint
    with torch.no_grad():
        flow.motion.predict_flow2.bias.fill_(0.5)
    path = str(tmp_path / 'flownet_tiny.pth')
    torch.save(dict(state_dict=flow.state_dict(), meta=dict()), path)
    cfg.model.motion.init_cfg = dict(type='Pretrained', checkpoint=path)
    logged.clear()
    aten = MODELS.build(cfg.model)
    aten.init_weights()
    assert flownet_s.UNTRAINED_WARNING not in logged
    for key, value in flow.motion.state_dict().items():
        assert torch.equal(aten.motion.state_dict()[key], value), key
    # the scale field (not in flow pretraining) is at its paper init
    assert torch.equal(aten.motion.scale_head.bias, torch.ones(64))


def test_person_weight_weights_the_person_pixels(flow_set):
    model, data, _ = tiny_model_and_batch(flow_set)
    samples = data['data_samples']
    persons = [s.gt_person for s in samples]
    assert all(p.dtype == torch.bool for p in persons)
    assert sum(int(p.sum()) for p in persons) > 0, 'fixture has persons'
    with torch.no_grad():
        plain = model(**data, mode='loss')['loss_flow']
        model.person_weight = 4.0
        weighted = model(**data, mode='loss')['loss_flow']
        # the same loss through the loss module with the weight map made
        # by hand: 4 on person pixels, 1 elsewhere, padding 1
        cur, ref = model._split(data['inputs'])
        flows, _, _ = model.motion.pyramid(cur, ref)
        size = (64, 64)
        gt, valid, _ = model._gt(samples, size)
        weight = torch.stack([1 + 3 * p.float() for p in persons])
        by_hand = model.loss_flow(flows, gt, valid, weight=weight)
    torch.testing.assert_close(weighted, by_hand['loss_flow'])
    assert weighted > plain
    with pytest.raises(ValueError, match='person_weight'):
        MODELS.build(dict(type='FlowEstimator', person_weight=0, motion=dict(
            type='FlowNetS', base_channels=4)))
