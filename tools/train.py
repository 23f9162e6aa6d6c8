"""Train a model: ``python tools/train.py CONFIG [options]``.

The flags are MMDetection's (``tools/train.py`` of mmdet 3.x): ``--work-dir``,
``--resume [CKPT]``, ``--amp``, ``--auto-scale-lr``, ``--cfg-options``,
``--launcher`` and ``--local-rank``. Distributed runs go through
``tools/dist_train.sh`` (torchrun) or ``tools/slurm_train.sh`` (srun); on
machines without CUDA the processes talk over gloo.
"""
import argparse

from aten_mm.apis.cli import (
    add_run_args,
    finish_distributed,
    parse_run_args,
    run_tool,
)
from aten_mm.apis.train import train_model


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


def main(argv=None):
    """Run training (:func:`aten_mm.apis.train.train_model`); returns the
    runner (handy in tests)."""
    args = parse_args(argv)
    return train_model(args.config, work_dir=args.work_dir,
                       cfg_options=args.cfg_options, resume=args.resume,
                       amp=args.amp, auto_scale_lr=args.auto_scale_lr,
                       launcher=args.launcher)


if __name__ == '__main__':
    run_tool(main)
    finish_distributed()
