"""aten_mm.apis.train: the config of a training run (what
``tools/train.py`` builds from its flags), checked before any work."""
import os.path as osp

import pytest
import torch

from aten_mm.apis.train import build_train_config

CONFIG = osp.join(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))), 'configs', 'parsing_rcnn',
    'parsing-rcnn_tiny_synthetic.py')


def test_launcher_and_work_dir():
    cfg = build_train_config(CONFIG, launcher='slurm')
    assert cfg.launcher == 'slurm'
    assert cfg.work_dir == osp.join('./work_dirs',
                                    'parsing-rcnn_tiny_synthetic')


def test_work_dir_and_cfg_options(tmp_path):
    cfg = build_train_config(CONFIG, work_dir=str(tmp_path),
                             cfg_options={'train_cfg.max_epochs': 3})
    assert cfg.work_dir == str(tmp_path) and cfg.launcher == 'none'
    assert cfg.train_cfg.max_epochs == 3


def test_randomness_can_be_overridden():
    cfg = build_train_config(CONFIG, cfg_options={
        'randomness.seed': 0, 'randomness.deterministic': True,
        'randomness.diff_rank_seed': True})
    assert cfg.randomness == dict(seed=0, deterministic=True,
                                  diff_rank_seed=True)


def test_amp_on_cpu_falls_back_to_fp32():
    cfg = build_train_config(CONFIG, amp=True, auto_scale_lr=True)
    assert cfg.optim_wrapper.type == 'OptimWrapper'  # no CUDA here
    assert cfg.auto_scale_lr.enable is True
    cfg = build_train_config(CONFIG, resume='auto')
    assert cfg.resume is True and cfg.load_from is None


def test_bad_resume_files_fail_before_any_work(tmp_path):
    """Checked while the config is built, before the Runner exists."""
    ckpt = tmp_path / 'c.pth'
    torch.save(dict(state_dict={}), str(ckpt))
    work = tmp_path / 'work'
    work.mkdir()
    marker = work / 'last_checkpoint'
    marker.write_text('')
    with pytest.raises(ValueError, match=f'{marker} is empty'):
        build_train_config(CONFIG, work_dir=str(work), resume='auto')
    marker.write_text(str(tmp_path / 'epoch_9.pth') + '\n')
    with pytest.raises(FileNotFoundError, match='epoch_9.pth'):
        build_train_config(CONFIG, work_dir=str(work), resume=True)
    marker.write_bytes(b'\xff\xfe')
    with pytest.raises(ValueError, match='not UTF-8 text'):
        build_train_config(CONFIG, work_dir=str(work), resume='auto')
    marker.write_text(str(ckpt))
    assert build_train_config(CONFIG, work_dir=str(work),
                              resume='auto').resume is True
    with pytest.raises(FileNotFoundError, match='gone.pth'):
        build_train_config(CONFIG, resume=str(tmp_path / 'gone.pth'))
