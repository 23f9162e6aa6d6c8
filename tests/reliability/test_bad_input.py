"""Bad input through the user-facing paths (issue 9, item 3).

Only the cases not already covered elsewhere are here; docs/reliability.md
lists, for every case, the test that covers it.
"""
import math
import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.hooks import Hook
from reliability_helpers import (
    ATEN_CFG,
    PER_FRAME_CFG,
    REPO,
    synthetic_set,
)

from aten_mm.apis import (
    init_model,
    open_frame_source,
    render_video,
    train_model,
)
from aten_mm.evaluation.metrics import VIPMetric
from aten_mm.registry import DATASETS, HOOKS
from aten_mm.utils import load_checkpoint
from aten_mm.utils.config_check import ConfigKeyError


@pytest.fixture(scope='module')
def assets(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('bad_input')
    # 4 videos -> train videos1-2, val videos3, test videos4; frames 1 3 5
    # annotated: 6 training frames, batch 2 -> 3 iterations per epoch
    root = synthetic_set(str(tmp / 'set'), num_videos=4, num_frames=5,
                         annotate_every=2, seed=5)
    torch.manual_seed(0)
    ckpt = str(tmp / 'per_frame.pth')
    torch.save(dict(state_dict=init_model(PER_FRAME_CFG).state_dict(),
                    meta=dict()), ckpt)
    return dict(tmp=tmp, root=root, ckpt=ckpt)


def _write_config(tmp, name, base, body):
    path = osp.join(str(tmp), name)
    with open(path, 'w') as f:
        f.write(f'_base_ = [{base!r}]\n{body}')
    return path


# -- frames of different sizes within one video ------------------------------
def test_frame_folder_with_mixed_sizes_names_the_frame(assets, tmp_path):
    folder = tmp_path / 'frames'
    folder.mkdir()
    for i in range(1, 5):
        h = 40 if i == 3 else 48
        cv2.imwrite(str(folder / f'{i}.jpg'), np.full((h, 64, 3), 9 * i,
                                                      np.uint8))
    source = open_frame_source(str(folder))
    with pytest.raises(ValueError, match=r'3\.jpg.* 64x40 .*1\.jpg.* 64x48'):
        list(source)
    out = tmp_path / 'out' / 'o.mp4'
    with pytest.raises(ValueError, match=r'3\.jpg'):
        render_video(str(folder), PER_FRAME_CFG, assets['ckpt'],
                     out=str(out))
    assert os.listdir(out.parent) == []  # partial output removed


# -- a raw frame that a stream (video model) needs is missing ----------------
def test_stream_mode_gap_in_raw_frames_is_an_error(assets, tmp_path):
    root = str(tmp_path / 'gap')
    shutil.copytree(assets['root'], root)
    os.remove(osp.join(root, 'VIP_Sequence', 'videos3', '000000000004.jpg'))
    cfg = Config.fromfile(ATEN_CFG).test_dataloader.dataset
    cfg.update(data_root=root, clip_cfg=dict(mode='stream'))
    dataset = DATASETS.build(cfg)
    assert [dataset.get_data_info(i)['frame_index']
            for i in range(len(dataset))] == [0, 1, 2, 4]
    torch.manual_seed(0)
    model = init_model(ATEN_CFG)
    with pytest.raises(ValueError,
                       match='videos3 in order; got frame_index 4 after 2'):
        for i in range(len(dataset)):
            model.test_step(pseudo_collate([dataset[i]]))


# -- frames with no person ---------------------------------------------------
def _empty_frame(root, video, name):
    """Turn an annotated frame into one without any person: a plain
    textured background image and all-zero ground truth."""
    rng = np.random.default_rng(0)
    img_path = osp.join(root, 'VIP_Fine', 'Images', video, name + '.jpg')
    h, w = cv2.imread(img_path).shape[:2]
    background = rng.integers(90, 110, (h, w, 3)).astype(np.uint8)
    cv2.imwrite(img_path, background)
    cv2.imwrite(osp.join(root, 'VIP_Sequence', video, name + '.jpg'),
                background)
    ann = osp.join(root, 'VIP_Fine', 'Annotations')
    for sub in ('Category_ids', 'Human_ids', 'Instance_ids'):
        cv2.imwrite(osp.join(ann, sub, video, name + '.png'),
                    np.zeros((h, w), np.uint8))
    with open(osp.join(ann, 'Instance_ids', video, name + '.txt'), 'w'):
        pass


def test_frames_without_person_predict_and_evaluate(assets, tmp_path):
    root = str(tmp_path / 'empty')
    shutil.copytree(assets['root'], root)
    for name in ('000000000001', '000000000003', '000000000005'):
        _empty_frame(root, 'videos3', name)
    cfg = Config.fromfile(PER_FRAME_CFG)
    ds_cfg = cfg.test_dataloader.dataset
    ds_cfg.data_root = root
    dataset = DATASETS.build(ds_cfg)
    assert len(dataset) == 3
    torch.manual_seed(0)
    model = init_model(PER_FRAME_CFG)
    metric = VIPMetric()
    for i in range(len(dataset)):
        (sample, ) = model.test_step(pseudo_collate([dataset[i]]))
        assert sample.pred_sem_seg.sem_seg.shape == (1, 48, 64)
        assert len(sample.pred_instances) == 0
        assert sample.pred_instances.masks.shape == (0, 48, 64)
        assert len(sample.pred_part_instances) == 0
        metric.process(None, [sample])
    scores = metric.compute_metrics(metric.results)
    # no person anywhere: AP^r is undefined (NaN, logged), the part
    # scores are real numbers
    assert math.isnan(scores['APr']) and math.isnan(scores['APr_vol'])
    sem = np.concatenate([
        model.test_step(pseudo_collate([dataset[i]]))[0].pred_sem_seg
        .sem_seg.numpy().ravel() for i in range(3)])
    # the ground truth is all background: accuracy = share of pixels
    # predicted as background
    assert scores['aAcc'] == pytest.approx(100 * (sem == 0).mean())


# -- unknown config key or registry type through tools/train.py --------------
def test_unknown_type_and_key_through_train_py(assets):
    tmp = assets['tmp']
    bad_type = _write_config(tmp, 'bad_type.py', PER_FRAME_CFG,
                             "model = dict(backbone=dict(type='ResNett'))\n")
    with pytest.raises(ConfigKeyError,
                       match="model.backbone: unknown type 'ResNett' in "
                       "registry 'model'"):
        train_model(bad_type, work_dir=str(tmp / 'w_type'))
    bad_key = _write_config(tmp, 'bad_key.py', PER_FRAME_CFG,
                            'model = dict(neck=dict(in_chanels=3))\n')
    with pytest.raises(ConfigKeyError) as info:
        train_model(bad_key, work_dir=str(tmp / 'w_key'))
    assert bad_key in str(info.value)
    assert ("model.neck: VideoDeepLabV3Plus got an unexpected keyword "
            "'in_chanels'") in str(info.value)
    # The command line prints one line, no traceback.
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'train.py'), bad_type,
         '--work-dir', str(tmp / 'w_cli')],
        capture_output=True, text=True, timeout=600,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 1
    assert 'Traceback' not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(
        "error: model.backbone: unknown type 'ResNett'")


# -- a checkpoint from another config ----------------------------------------
def test_checkpoint_from_another_config_reports_keys(assets):
    # the per-frame model's checkpoint given to ATEN (what demo/test do):
    # no key matches, so it is refused (issue 19), with the way to load it
    # into ATEN's detector
    with pytest.raises(ValueError, match='no weight that matches') as info:
        init_model(ATEN_CFG, assets['ckpt'])
    msg = str(info.value)
    assert assets['ckpt'] in msg and 'another config' in msg
    assert re.search(r'model ATEN \(\d+ entries, e\.g\. backbone\.', msg)
    assert 'the model expects e.g. detector.backbone.' in msg
    assert 'model.detector.init_cfg' in msg
    model = init_model(ATEN_CFG)
    with pytest.raises(ValueError, match='no weight that matches'):
        load_checkpoint(model, assets['ckpt'], strict=True)


# -- a NaN loss in a real training ------------------------------------------
@HOOKS.register_module(force=True)
class PoisonWeightsForTestHook(Hook):
    """Test-only: fills the first conv's weights with NaN before the
    1-based training iteration ``at_iter`` (a diverged optimisation)."""

    def __init__(self, at_iter):
        self.at_iter = at_iter

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter + 1 == self.at_iter:
            runner.model.backbone.conv1.weight.data.fill_(float('nan'))


@pytest.fixture
def _restore_determinism():
    flag = torch.are_deterministic_algorithms_enabled()
    yield
    torch.use_deterministic_algorithms(flag)


def test_nan_loss_stops_and_keeps_last_good_checkpoint(assets,
                                                        _restore_determinism):
    tmp, root = assets['tmp'], assets['root']
    cfg = _write_config(
        tmp, 'nan.py', PER_FRAME_CFG,
        "custom_hooks = [dict(type='InvalidLossGuardHook'),\n"
        "                dict(type='PoisonWeightsForTestHook', at_iter=5)]\n")
    work = str(tmp / 'w_nan')
    with pytest.raises(FloatingPointError) as info:
        train_model(cfg, work_dir=work, cfg_options={
            'train_dataloader.dataset.data_root': root,
            'val_dataloader.dataset.data_root': root,
            'test_dataloader.dataset.data_root': root,
            'train_cfg.max_epochs': 3,
            'visualizer.name': 'nan_guard'})
    msg = str(info.value)
    last = osp.join(work, 'epoch_1.pth')
    assert 'iteration 5 (epoch 2, batch 2' in msg and last in msg
    assert sorted(f for f in os.listdir(work) if f.endswith('.pth')) == [
        'epoch_1.pth']
    with open(osp.join(work, 'last_checkpoint')) as f:
        assert f.read().strip() == last
    model = init_model(PER_FRAME_CFG)
    load_checkpoint(model, last, strict=True)
    assert all(torch.isfinite(v).all()
               for v in model.state_dict().values()
               if v.is_floating_point())
