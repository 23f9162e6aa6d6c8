"""Evaluate DAVIS binary predictions: J, F (mean / recall / decay), J&F.

Predictions are PNGs ``PRED_DIR/<seq>/<00000>.png`` at annotation size, any
non-zero pixel = foreground; every annotated frame of every sequence of the
split needs one (a missing file is an error naming it). The frame rule is
printed with the numbers (docs/davis_protocol.md): DAVIS-2016 toolkit by
default (first and last frame of each sequence dropped),
``--keep-first-last`` for the davis2017 unsupervised toolkit.

Example::

    python tools/analysis_tools/eval_davis.py work_dirs/aten/davis_val \
        data/DAVIS --split val --json work_dirs/aten/davis_val.json
"""
import argparse
import os.path as osp
import sys

import numpy as np
from mmengine.logging import print_log
from mmengine.utils import ProgressBar
from PIL import Image

from aten_mm.apis.cli import run_tool
from aten_mm.datasets.video_files import list_frames, read_lines
from aten_mm.evaluation import DAVISMetric
from aten_mm.evaluation.functional import read_label_png
from aten_mm.utils.path_check import check_relative_name
from aten_mm.utils.text_io import dump_json


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='DAVIS J and F of binary prediction PNGs')
    parser.add_argument('pred_dir', help='<seq>/<00000>.png predictions')
    parser.add_argument('davis_root', help='DAVIS root (JPEGImages, '
                        'Annotations, ImageSets)')
    parser.add_argument('--split', default='val')
    parser.add_argument('--imageset', default='ImageSets/2016/{split}.txt',
                        help='sequence list relative to DAVIS_ROOT')
    parser.add_argument('--ann-dir', default='Annotations/480p')
    parser.add_argument('--keep-first-last', action='store_true',
                        help='davis2017 unsupervised toolkit: evaluate all '
                        'frames (default: DAVIS-2016, drop first and last)')
    parser.add_argument('--json', default=None,
                        help='write the scores (in %%) to this json file '
                        '(an undefined score, NaN, is written as null)')
    return parser.parse_args(argv)


def read_sequences(path: str) -> list:
    """Sequence names of an ImageSets list (first token of each line)."""
    names = [check_relative_name(line.split()[0], source)
             for source, line in read_lines(path, 'DAVIS sequence list')]
    return list(dict.fromkeys(names))


def read_binary_png(path: str) -> np.ndarray:
    """A mask PNG as a bool mask, by its values: any non-zero colour
    channel (or palette index) is foreground; an alpha channel is ignored
    (an opaque alpha is no foreground)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'prediction file not found: {path}')
    try:
        with Image.open(path) as img:
            mode = img.mode
            arr = np.array(img)
    except OSError as e:
        raise ValueError(f'cannot read PNG {path}: {e}') from None
    if mode in ('RGBA', 'LA', 'PA'):
        arr = arr[..., :-1]
    return arr.any(axis=2) if arr.ndim == 3 else arr != 0


def main(argv=None) -> dict:
    args = parse_args(argv)
    seq_list = osp.join(args.davis_root,
                        args.imageset.format(split=args.split))
    ann_root = osp.join(args.davis_root, args.ann_dir)
    jobs = []
    for seq in read_sequences(seq_list):
        anns = list_frames(osp.join(ann_root, seq), '.png')
        if not anns:
            raise FileNotFoundError(
                f'no annotation PNG in {osp.join(ann_root, seq)}')
        for frame, ann in sorted(anns.items()):
            pred = osp.join(args.pred_dir, seq, osp.basename(ann))
            if not osp.isfile(pred):
                raise FileNotFoundError(
                    f'prediction file not found: {pred}')
            jobs.append((seq, frame, ann, pred))
    metric = DAVISMetric(drop_first_last=not args.keep_first_last)
    records = []
    progress = ProgressBar(len(jobs))
    for seq, frame, ann, pred_path in jobs:
        gt = read_label_png(ann) != 0
        pred = read_binary_png(pred_path)
        if pred.shape != gt.shape:
            raise ValueError(f'{pred_path}: size {pred.shape} differs from '
                             f'the annotation {ann} {gt.shape}')
        records.append(metric.frame_record(seq, frame, pred, gt))
        progress.update()
    sys.stdout.write('\n')
    scores = metric.compute_metrics(records)
    print_log(f'J&F-mean {scores["JF_mean"]:.1f}', logger='current')
    if args.json:
        dump_json(dict(scores, mode='davis2017-unsupervised'
                       if args.keep_first_last else 'davis2016'), args.json)
    return scores


if __name__ == '__main__':
    run_tool(main)
