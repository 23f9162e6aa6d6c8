"""Train a model: ``python tools/train.py CONFIG [options]``.

The flags are MMDetection's (``tools/train.py`` of mmdet 3.x): ``--work-dir``,
``--resume [CKPT]``, ``--amp``, ``--auto-scale-lr``, ``--cfg-options``,
``--launcher`` and ``--local-rank``. Distributed runs go through
``tools/dist_train.sh`` (torchrun) or ``tools/slurm_train.sh`` (srun); on
machines without CUDA the processes talk over gloo.
"""
import argparse
import logging
import os.path as osp

import torch
from mmengine.logging import print_log

from aten_mm.apis.cli import (
    add_run_args,
    build_run_runner,
    finish_distributed,
    load_run_config,
    parse_run_args,
    run_tool,
)
from aten_mm.apis.config import ConfigError
from aten_mm.utils import register_all_modules
from aten_mm.utils.text_io import read_text


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train an aten_mm model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training (needs CUDA)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr linearly with the total batch size')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint, or without a path from the '
        'latest checkpoint in the work dir')
    add_run_args(parser, 'train_cfg.max_iters=100')
    return parse_run_args(parser, argv)


def apply_amp(cfg) -> None:
    """Switch the optimizer wrapper to mixed precision (``--amp``)."""
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

    ``--resume`` without a path resumes from the checkpoint named in
    ``<work_dir>/last_checkpoint`` (mmengine's ``CheckpointHook`` writes
    it); without that file the training starts from scratch.

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


def build_config(args):
    """The config of a training run from the parsed arguments."""
    cfg = load_run_config(args)
    if args.amp:
        apply_amp(cfg)
    if args.auto_scale_lr:
        scale = cfg.get('auto_scale_lr')
        if not scale or 'base_batch_size' not in scale:
            raise ConfigError(
                f'--auto-scale-lr needs "auto_scale_lr = dict(enable=..., '
                f'base_batch_size=...)" in config {args.config} (see '
                'configs/_base_/schedules/).')
        cfg.auto_scale_lr.enable = True
    if args.resume == 'auto':
        check_last_checkpoint(cfg.work_dir)
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise FileNotFoundError(
                f'--resume checkpoint "{args.resume}" does not exist.')
        cfg.resume = True
        cfg.load_from = args.resume
    return cfg


def main(argv=None):
    """Run training; returns the runner (handy in tests)."""
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    cfg = build_config(args)
    runner = build_run_runner(cfg)
    runner.train()
    return runner


if __name__ == '__main__':
    run_tool(main)
    finish_distributed()
