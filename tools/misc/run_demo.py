#!/usr/bin/env python
"""The ``make demo`` main job, as a sequence of steps.

Current steps:

1. :func:`step_data` — generate the synthetic VIP set (with its preview)
   under ``--data-root`` unless it is already there, and print its summary.

Later issues add training, evaluation and rendering steps to :func:`main`.
"""
import argparse
import json
import os
import os.path as osp
import sys

from aten_mm.datasets.synthetic import generate_dataset, is_synthetic_set
from aten_mm.datasets.synthetic.preview import load_vip_samples, write_preview


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='aten_mm demo: synthetic data (then, in later versions, '
        'train -> evaluate -> render).')
    parser.add_argument('--work-dir', required=True,
                        help='folder for the demo outputs')
    parser.add_argument('--data-root', default='data/synthetic_vip',
                        help='synthetic VIP set; generated when absent '
                        '(default: data/synthetic_vip)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the synthetic set when generated')
    return parser.parse_args(argv)


def _load_summary(root: str) -> dict:
    with open(osp.join(root, 'summary.json')) as f:
        return json.load(f)


def print_summary(summary: dict, root: str) -> None:
    """Print videos, frames, annotated frames per split and class pixels."""
    print(f'synthetic {summary["format"].upper()} set at {root} '
          f'(seed {summary["seed"]}, {summary["width"]}x'
          f'{summary["height"]}, annotated every '
          f'{summary["annotate_every"]} frames)')
    print(f'{"split":<6} {"videos":>6} {"frames":>7} {"annotated":>9}')
    for split, videos in summary['splits'].items():
        print(f'{split:<6} {len(videos):>6} {summary["frames"][split]:>7} '
              f'{summary["annotated_frames"][split]:>9}')
    counts = summary['class_pixel_counts']
    total = max(1, sum(counts.values()))
    print('class pixel counts over the annotated frames:')
    for i, (name, n) in enumerate(counts.items()):
        print(f'  {i:>2} {name:<14} {n:>10} {100 * n / total:6.2f}%')
    missing = [c for c, n in list(counts.items())[1:] if n == 0]
    if missing:
        print(f'  classes absent: {", ".join(missing)}')


def step_data(args) -> dict:
    """Step 1: make sure the synthetic VIP set exists; print its summary.

    Args:
        args (argparse.Namespace): ``data_root``, ``seed``, ``work_dir``.

    Returns:
        dict: The set's summary (``summary.json``) with ``preview_path``.
    """
    root = args.data_root
    if osp.isdir(root) and os.listdir(root) and not is_synthetic_set(root):
        sys.exit(f'error: {root} exists but is not a synthetic set (no '
                 'summary.json from aten_mm.datasets.synthetic); pass '
                 'another --data-root')
    if is_synthetic_set(root):
        summary = _load_summary(root)
        if summary['format'] != 'vip':
            sys.exit(f'error: {root} holds a {summary["format"]} set; the '
                     'demo needs the VIP layout')
        print(f'[data] reusing the synthetic set at {root}')
        preview = osp.join(root, 'preview.png')
        if not osp.isfile(preview):
            write_preview(preview, load_vip_samples(root))
    else:
        print(f'[data] generating the synthetic VIP set at {root}')
        summary = generate_dataset(root, seed=args.seed, preview=True)
        preview = summary['preview_path']
    summary['preview_path'] = osp.abspath(preview)
    print_summary(summary, root)
    print(f'[data] preview: {summary["preview_path"]}')
    with open(osp.join(args.work_dir, 'data_summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    return summary


def main(argv=None) -> dict:
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    results = dict(data=step_data(args))
    # next steps (later issues): step_train -> step_evaluate -> step_render
    return results


if __name__ == '__main__':
    main()
