#!/usr/bin/env python
"""Train a video model the paper's way: per-frame model first (§5.1).

The paper starts ATEN from a trained per-frame Parsing R-CNN (N_feat and
the heads) and a FlowNet-S pretrained on FlyingChairs, then fine-tunes
the whole video model end to end with Eq. (7). Two stages:

1. ``tools/train.py PER_FRAME_CONFIG`` (default: the tiny per-frame
   Parsing R-CNN); its last checkpoint is the detector's start. Skipped
   with ``--per-frame-checkpoint``.
2. ``tools/train.py VIDEO_CONFIG`` with
   ``model.detector.init_cfg = dict(type='Pretrained', checkpoint=<stage
   1>)`` (the per-frame model's keys are the detector's own, no
   conversion) and, with ``--flow-checkpoint``, ``model.motion.init_cfg =
   dict(type='Pretrained', checkpoint=<flow>)`` (a checkpoint of
   ``configs/flownet``, see docs/flow.md).

Each stage's config is written to ``<work-dir>/<stage>_config.py`` (the
base config plus the overrides), so either stage can be re-run alone with
``tools/train.py``. Example (the synthetic quick start)::

    python tools/train_two_stage.py configs/aten/aten_tiny_synthetic.py \\
        --work-dir work_dirs/aten_tiny_two_stage \\
        --flow-checkpoint work_dirs/flownet-s_tiny/iter_4000.pth
"""
import argparse
import os
import os.path as osp
import time
from typing import Optional

from mmengine.config import DictAction

from aten_mm.apis.cli import run_tool
from aten_mm.apis.config import ConfigError
from aten_mm.apis.run_config import (
    data_overrides,
    merge_dicts,
    train_run,
    write_run_config,
)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))

PER_FRAME_CONFIG = 'configs/parsing_rcnn/parsing-rcnn_tiny_synthetic.py'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Two-stage training of a video model: the per-frame '
        'Parsing R-CNN, then the video model started from it (and from a '
        'pretrained FlowNet-S), fine-tuned end to end.')
    parser.add_argument('config', help='video model config (stage 2)')
    parser.add_argument('--work-dir', required=True,
                        help='folder of both stages (per_frame/, video/)')
    parser.add_argument('--per-frame-config',
                        default=osp.join(REPO, PER_FRAME_CONFIG),
                        help='stage-1 config (default: %(default)s)')
    parser.add_argument('--per-frame-checkpoint', default=None,
                        help='skip stage 1: start the detector from this '
                        'per-frame checkpoint')
    parser.add_argument('--flow-checkpoint', default=None,
                        help='FlowNet-S checkpoint for model.motion '
                        '(configs/flownet); without it the video config\'s '
                        'own motion init is kept')
    parser.add_argument('--data-root', default=None,
                        help='dataset root for both stages (default: the '
                        'configs\' own)')
    parser.add_argument('--seed', type=int, default=None,
                        help='seed of both stages (default: the configs\')')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={},
                        help='overrides of the video stage, key=value with '
                        'dotted keys (e.g. train_cfg.max_epochs=1 '
                        'optim_wrapper.optimizer.lr=5e-4)')
    args = parser.parse_args(argv)
    for name in ('config', 'per_frame_config', 'per_frame_checkpoint',
                 'flow_checkpoint'):
        path = getattr(args, name)
        if path is not None and not osp.isfile(path):
            what = 'config' if name == 'config' else '--' + name.replace(
                '_', '-')
            raise ConfigError(f'{what}: {path} does not exist')
    return args


def common_overrides(args) -> dict:
    """Data root and seed shared by both stages."""
    over = {}
    if args.data_root is not None:
        over.update(data_overrides(args.data_root, 'val'))
    if args.seed is not None:
        over['randomness'] = dict(seed=args.seed)
    return over


def video_overrides(per_frame_checkpoint: str,
                    flow_checkpoint: Optional[str] = None) -> dict:
    """Config overrides of stage 2: the detector (and FlowNet-S) start
    from the given checkpoints.

    Args:
        per_frame_checkpoint (str): A per-frame Parsing R-CNN checkpoint
            (keys ``backbone.*``, ``neck.*``, ``rpn_head.*`` ... as the
            video model's ``detector.*``).
        flow_checkpoint (str, optional): A FlowNet-S checkpoint.

    Returns:
        dict: ``{'model': {...}}`` to merge into the video config.
    """
    model = dict(detector=dict(init_cfg=dict(
        type='Pretrained', checkpoint=osp.abspath(per_frame_checkpoint))))
    if flow_checkpoint is not None:
        model['motion'] = dict(init_cfg=dict(
            type='Pretrained', checkpoint=osp.abspath(flow_checkpoint)))
    return dict(model=model)


def nested(options: dict) -> dict:
    """``{'a.b': 1}`` -> ``{'a': {'b': 1}}`` (dotted ``--cfg-options``)."""
    out = {}
    for key, value in options.items():
        node = out
        *parents, leaf = key.split('.')
        for name in parents:
            node = node.setdefault(name, {})
            if not isinstance(node, dict):
                raise ConfigError(f'--cfg-options: {key} conflicts with '
                                  'another option')
        node[leaf] = value
    return out


def run_stage(name: str, config: str, work_dir: str,
              overrides: dict) -> dict:
    """Write ``<work_dir>/<name>_config.py`` and train it."""
    path = write_run_config(
        config, osp.join(work_dir, f'{name}_config.py'), overrides)
    print(f'[{name}] training {path}', flush=True)
    out = train_run(path, osp.join(work_dir, name))
    print(f'[{name}] done: {out["iters"]} iterations in '
          f'{out["train_s"] / 60:.1f} min; checkpoint {out["checkpoint"]}',
          flush=True)
    out['config'] = path
    return out


def main(argv=None) -> dict:
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    start = time.perf_counter()
    common = common_overrides(args)
    results = {}
    if args.per_frame_checkpoint is None:
        results['per_frame'] = run_stage(
            'per_frame', args.per_frame_config, args.work_dir, common)
        per_frame_ckpt = results['per_frame']['checkpoint']
    else:
        per_frame_ckpt = args.per_frame_checkpoint
        print(f'[per_frame] skipped; detector from {per_frame_ckpt}')
    results['video'] = run_stage(
        'video', args.config, args.work_dir, merge_dicts(
            merge_dicts(common, nested(args.cfg_options)),
            video_overrides(per_frame_ckpt, args.flow_checkpoint)))
    print(f'[two-stage] done in {(time.perf_counter() - start) / 60:.1f} '
          f'min; video checkpoint {results["video"]["checkpoint"]}')
    return results


if __name__ == '__main__':
    run_tool(main)
