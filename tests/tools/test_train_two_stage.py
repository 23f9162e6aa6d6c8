"""tools/train_two_stage.py: the video model starts from the per-frame
model's weights (and a FlowNet-S checkpoint), as the paper's (§5.1)."""
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from aten_mm.registry import MODELS

REPO = osp.join(osp.dirname(__file__), '..', '..')
VIDEO = osp.join(REPO, 'configs', 'aten', 'aten_tiny_synthetic.py')


@pytest.fixture(scope='module')
def train_two_stage(load_tool):
    return load_tool('tools/train_two_stage.py')


def _build(cfg_path, overrides=None, seed=0):
    cfg = Config.fromfile(cfg_path)
    if overrides:
        cfg.merge_from_dict(overrides)
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def _flatten(prefix, value):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(_flatten(f'{prefix}.{k}' if prefix else k, v))
        return out
    return {prefix: value}


def test_video_model_starts_from_the_per_frame_and_flow_checkpoints(
        tmp_path, train_two_stage):
    per_frame = _build(osp.join(REPO, train_two_stage.PER_FRAME_CONFIG),
                       seed=1)
    det_path = str(tmp_path / 'per_frame.pth')
    torch.save(dict(state_dict=per_frame.state_dict()), det_path)
    # a flow-pretraining checkpoint of configs/flownet holds motion.*
    flow_src = _build(VIDEO, seed=2).motion
    flow_path = str(tmp_path / 'flow.pth')
    torch.save(dict(state_dict={f'motion.{k}': v for k, v in
                                flow_src.state_dict().items()}), flow_path)

    over = train_two_stage.video_overrides(det_path, flow_path)
    video = _build(VIDEO, _flatten('', over), seed=3)
    plain = _build(VIDEO, seed=3)
    det_state = per_frame.state_dict()
    loaded = video.detector.state_dict()
    assert set(loaded) == set(det_state)
    for key, value in det_state.items():
        assert torch.equal(loaded[key], value), key
    # without the override the same seed gives other detector weights
    w = 'backbone.conv1.weight'
    assert not torch.equal(plain.detector.state_dict()[w], det_state[w])
    for key, value in flow_src.state_dict().items():
        assert torch.equal(video.motion.state_dict()[key], value), key


def test_video_overrides_without_flow_keep_the_motion_init(tmp_path,
                                                           train_two_stage):
    over = train_two_stage.video_overrides(str(tmp_path / 'det.pth'))
    assert set(over['model']) == {'detector'}
    assert over['model']['detector']['init_cfg'] == dict(
        type='Pretrained', checkpoint=str(tmp_path / 'det.pth'))


def test_cli_missing_checkpoint_is_one_error_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'train_two_stage.py'),
         VIDEO, '--work-dir', str(tmp_path / 'wd'),
         '--per-frame-checkpoint', str(tmp_path / 'missing.pth')],
        capture_output=True, text=True, cwd=str(tmp_path))
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        f'error: --per-frame-checkpoint: {tmp_path / "missing.pth"} does '
        'not exist']
    assert not osp.exists(tmp_path / 'wd')


def test_nested_cfg_options(train_two_stage):
    assert train_two_stage.nested(
        {'train_cfg.max_epochs': 1, 'optim_wrapper.optimizer.lr': 5e-4,
         'optim_wrapper.type': 'OptimWrapper'}) == dict(
            train_cfg=dict(max_epochs=1),
            optim_wrapper=dict(optimizer=dict(lr=5e-4), type='OptimWrapper'))
    with pytest.raises(Exception, match='conflicts'):
        train_two_stage.nested({'a': 1, 'a.b': 2})
