"""Measure the training data pipeline's speed in clips per second.

Usage::

    python tools/analysis_tools/benchmark_dataloader.py CONFIG \
        [--num-iters 50] [--num-warmup 5] [--cfg-options key=value ...]

Builds ``train_dataloader`` with mmengine's ``Runner.build_dataloader``
(workers, sampler and collate as in training) and times ``--num-iters``
batches after ``--num-warmup`` (the dataloader restarts when exhausted).
"""
import argparse
import time

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from aten_mm.apis.cli import run_tool
from aten_mm.utils import register_all_modules


def parse_args():
    parser = argparse.ArgumentParser(
        description='Benchmark the training dataloader')
    parser.add_argument('config', help='config file')
    parser.add_argument('--num-iters', type=int, default=50)
    parser.add_argument('--num-warmup', type=int, default=5)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args()


def batches(loader):
    """Endless iteration over a dataloader."""
    while True:
        yield from loader


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    register_all_modules()
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=0)
    it = batches(loader)
    for _ in range(args.num_warmup):
        next(it)
    clips = 0
    start = time.perf_counter()
    for _ in range(args.num_iters):
        clips += len(next(it)['inputs'])
    elapsed = time.perf_counter() - start
    print(f'{clips} clips in {elapsed:.2f} s: {clips / elapsed:.1f} clips/s '
          f'(batch size {loader.batch_size}, '
          f'{loader.num_workers} workers)')


if __name__ == '__main__':
    run_tool(main)
