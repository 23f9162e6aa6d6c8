"""Evaluate official-format VIP predictions against the ground truth.

Same numbers as :class:`aten_mm.evaluation.VIPMetric` (same code), for a
folder written by ``tools/test.py --out-dir`` or by any method that writes
the official files (docs/vip_protocol.md §3). Unlike the official scripts,
every annotated frame of the split is evaluated: a missing prediction file
is an error naming it.

Example::

    python tools/analysis_tools/eval_vip.py work_dirs/aten/vip_val \
        data/VIP --split val --json work_dirs/aten/vip_val.json
"""
import argparse
import os.path as osp
import sys

from mmengine.utils import ProgressBar

from aten_mm.apis.cli import run_tool
from aten_mm.evaluation import VIPMetric
from aten_mm.evaluation.functional import (
    load_vip_gt,
    load_vip_prediction,
    read_frame_list,
    vip_prediction_paths,
)
from aten_mm.utils.text_io import dump_json


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='VIP mean IoU / APr / APr_vol of official-format '
        'prediction files (docs/vip_protocol.md §3-6)')
    parser.add_argument('pred_dir', help='results root: <video>/gray/..., '
                        '<video>/instance_part/...')
    parser.add_argument('vip_root', help='dataset root holding VIP_Fine')
    parser.add_argument('--split', default='val')
    parser.add_argument('--list-dir', default='VIP_Fine/lists',
                        help='split lists, relative to VIP_ROOT')
    parser.add_argument('--id-list', default='{split}_id.txt',
                        help='annotated-frame list in --list-dir; lines '
                        '"<video>/<frame>"')
    parser.add_argument('--ann-dir', default='VIP_Fine/Annotations',
                        help='annotations, relative to VIP_ROOT')
    parser.add_argument('--json', default=None,
                        help='write the scores (in %%) to this json file '
                        '(an undefined score, NaN, is written as null)')
    return parser.parse_args(argv)


def gt_paths(ann_root: str, video: str, frame: str) -> dict:
    """The ground-truth file paths of one annotated frame."""
    def p(kind, ext='.png'):
        return osp.join(ann_root, kind, video, frame + ext)

    return dict(seg_map_path=p('Category_ids'),
                human_map_path=p('Human_ids'),
                instance_map_path=p('Instance_ids'),
                instance_txt_path=p('Instance_ids', '.txt'))


def evaluate(pred_dir: str, frames: list, ann_root: str,
             metric: VIPMetric = None) -> dict:
    """Evaluate the prediction files of ``frames`` (percent scores)."""
    metric = metric or VIPMetric()
    missing = [
        path for video, frame in frames
        for path in vip_prediction_paths(pred_dir, video, frame).values()
        if not osp.isfile(path)
    ]
    if missing:
        raise FileNotFoundError(
            f'{len(missing)} prediction files missing, e.g. '
            + ', '.join(missing[:3]))
    records = []
    progress = ProgressBar(len(frames))
    for video, frame in frames:
        gt = load_vip_gt(num_classes=metric.num_classes,
                         **gt_paths(ann_root, video, frame))
        pred = load_vip_prediction(pred_dir, video, frame,
                                   metric.num_classes)
        records.append(metric.frame_record(gt, pred, f'{video}/{frame}'))
        progress.update()
    sys.stdout.write('\n')
    return metric.compute_metrics(records)


def main(argv=None) -> dict:
    args = parse_args(argv)
    list_path = osp.join(args.vip_root, args.list_dir,
                         args.id_list.format(split=args.split))
    frames = read_frame_list(list_path)
    scores = evaluate(args.pred_dir, frames,
                      osp.join(args.vip_root, args.ann_dir))
    if args.json:
        dump_json(scores, args.json)
    return scores


if __name__ == '__main__':
    run_tool(main)
