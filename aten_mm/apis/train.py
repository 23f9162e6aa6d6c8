"""Training entry point: :func:`train_model` (what ``tools/train.py`` runs).

The options are MMDetection 3.x's ``tools/train.py`` flags as keywords:
``work_dir``, ``resume``, ``amp``, ``auto_scale_lr``, ``cfg_options`` and
``launcher``. The config is built and checked before the Runner exists,
so a bad option fails before any work.
"""
import logging
import os.path as osp
from typing import Optional, Union

import torch
from mmengine.config import Config
from mmengine.logging import print_log

from aten_mm.utils.config_check import ConfigError
from aten_mm.utils.setup_env import register_all_modules
from aten_mm.utils.text_io import read_text

from .config import load_config
from .launch import build_runner, default_work_dir, setup_cpu_distributed


def apply_amp(cfg: Config) -> None:
    """Switch the optimizer wrapper to mixed precision (``--amp``).

    Without CUDA (mmengine's ``AmpOptimWrapper`` needs a CUDA, NPU, MLU
    or MUSA device) a warning is logged and the training stays fp32.

    Args:
        cfg (Config): Config to update in place.

    Raises:
        ConfigError: the config's optimizer wrapper is neither
            ``OptimWrapper`` nor ``AmpOptimWrapper``.
    """
    optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if optim_wrapper == 'AmpOptimWrapper':
        print_log('AMP training is already enabled in your config.',
                  logger='current', level=logging.WARNING)
        return
    if not torch.cuda.is_available():
        print_log(
            '--amp ignored: mmengine\'s AmpOptimWrapper needs a CUDA (or '
            'NPU/MLU/MUSA) device and none is available; training in fp32.',
            logger='current', level=logging.WARNING)
        return
    if optim_wrapper != 'OptimWrapper':
        raise ConfigError(
            f'--amp is only supported with optim_wrapper.type='
            f'"OptimWrapper", but the config uses "{optim_wrapper}".')
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    cfg.optim_wrapper.loss_scale = 'dynamic'


def check_last_checkpoint(work_dir: str) -> None:
    """Refuse a ``last_checkpoint`` file that names no usable checkpoint.

    ``resume='auto'`` resumes from the checkpoint named in
    ``<work_dir>/last_checkpoint`` (mmengine's ``CheckpointHook`` writes
    it); without that file the training starts from scratch.

    Args:
        work_dir (str): The run folder.

    Raises:
        ValueError: the file is empty or not UTF-8 text.
        FileNotFoundError: the checkpoint it names does not exist.
    """
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(path):
        return
    name = read_text(path).strip()
    if not name:
        raise ValueError(
            f'{path} is empty; it should name the checkpoint to resume '
            'from. Pass --resume CHECKPOINT, or delete the file to train '
            'from scratch.')
    if not osp.isfile(name):
        raise FileNotFoundError(
            f'{path} names the checkpoint "{name}", which does not exist. '
            'Pass --resume CHECKPOINT, or delete the file to train from '
            'scratch.')


def build_train_config(config: Union[str, Config],
                       work_dir: Optional[str] = None,
                       cfg_options: Optional[dict] = None,
                       resume: Union[bool, str, None] = None,
                       amp: bool = False,
                       auto_scale_lr: bool = False,
                       launcher: str = 'none') -> Config:
    """The checked config of a training run.

    Args:
        config (str | Config): Config file (or a loaded config).
        work_dir (str, optional): Run folder; default: the config's
            ``work_dir`` or ``work_dirs/<config name>``.
        cfg_options (dict, optional): Overrides ``{'a.b': value}``
            (``--cfg-options``), checked key by key.
        resume (bool | str, optional): ``None``/``False``: start from the
            config's weights; ``True`` or ``'auto'``: resume from the
            checkpoint named in ``<work_dir>/last_checkpoint`` (from
            scratch without that file); a path: resume from that
            checkpoint.
        amp (bool): Mixed-precision training (:func:`apply_amp`).
        auto_scale_lr (bool): Scale the learning rate with the total
            batch size (needs ``auto_scale_lr.base_batch_size`` in the
            config).
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``.

    Returns:
        Config: The config to build the Runner from.

    Raises:
        ConfigError: a bad config key or an option the config cannot
            take.
        FileNotFoundError: the config or the ``resume`` checkpoint does
            not exist.
        ValueError: an unreadable ``last_checkpoint`` file.
    """
    cfg = load_config(config, cfg_options)
    cfg.launcher = launcher
    name = config if isinstance(config, str) else (
        config.filename or 'config')
    default_work_dir(cfg, name, work_dir)
    if amp:
        apply_amp(cfg)
    if auto_scale_lr:
        scale = cfg.get('auto_scale_lr')
        if not scale or 'base_batch_size' not in scale:
            raise ConfigError(
                f'--auto-scale-lr needs "auto_scale_lr = dict(enable=..., '
                f'base_batch_size=...)" in config {name} (see '
                'configs/_base_/schedules/).')
        cfg.auto_scale_lr.enable = True
    if resume is True or resume == 'auto':
        check_last_checkpoint(cfg.work_dir)
        cfg.resume = True
        cfg.load_from = None
    elif resume:
        if not osp.isfile(resume):
            raise FileNotFoundError(
                f'--resume checkpoint "{resume}" does not exist.')
        cfg.resume = True
        cfg.load_from = resume
    return cfg


def train_model(config: Union[str, Config], **options):
    """Train a model with mmengine's Runner (``tools/train.py``).

    Args:
        config (str | Config): Config file (or a loaded config).
        **options: The keyword arguments of :func:`build_train_config`
            (``work_dir``, ``cfg_options``, ``resume``, ``amp``,
            ``auto_scale_lr``, ``launcher``). A distributed run without
            CUDA talks over gloo
            (:func:`aten_mm.apis.launch.setup_cpu_distributed`).

    Returns:
        Runner: The runner after ``train()`` (its ``iter``, ``epoch``,
        ``model``, ``log_dir`` ...).
    """
    register_all_modules(init_default_scope=False)
    cfg = build_train_config(config, **options)
    setup_cpu_distributed(cfg)
    runner = build_runner(cfg)
    runner.train()
    return runner


__all__ = ['apply_amp', 'build_train_config', 'check_last_checkpoint',
           'train_model']
