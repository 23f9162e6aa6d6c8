"""Where parsing goes wrong: the part confusion matrix and the worst frames.

Reads the official VIP prediction files (``tools/test.py --out-dir``) of
every annotated frame of a split and the ground-truth ``Category_ids``,
and writes under ``--out-dir``:

* ``confusion_matrix.csv``: the 20 x 20 pixel counts summed over all
  frames (rows = ground truth, columns = prediction; pixels whose ground
  truth is 255 are ignored), exactly the matrix of the mean IoU
  (docs/vip_protocol.md §4);
* ``confusion_matrix.png``: the same, each row normalised to 100 %, the
  left/right pairs (arms, legs, shoes) framed, as their mix-ups are the
  typical error of a model that was trained with a plain flip;
* ``worst_frames.csv``: the ``--topk`` frames with the lowest frame mean
  IoU (nanmean over the classes present in the frame's ground truth or
  prediction), lowest first.

``--show-dir DIR`` also writes, for those frames, the image, the ground
truth and the prediction side by side (``<rank>_<video>_<frame>.png``).

Example::

    python tools/analysis_tools/confusion_matrix.py work_dirs/aten/vip_val \\
        data/VIP --out-dir work_dirs/aten/analysis --show-dir worst
"""
import argparse
import csv
import os
import os.path as osp
import sys

import cv2
import numpy as np
from mmengine.utils import ProgressBar

from aten_mm.apis.cli import run_tool
from aten_mm.apis.config import ConfigError
from aten_mm.datasets.vip_classes import VIP_CLASSES, VIP_FLIP_PAIRS
from aten_mm.evaluation.functional import (
    confusion_matrix,
    read_frame_list,
    read_label_png,
    segmentation_scores,
    vip_prediction_paths,
)
from aten_mm.visualization.draw_parsing import colorize_part_map


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='20x20 VIP part confusion matrix (PNG + CSV) and the '
        'frames with the lowest IoU, from official prediction files')
    parser.add_argument('pred_dir', help='results root of tools/test.py '
                        '--out-dir (<video>/gray/global_<frame>.png)')
    parser.add_argument('vip_root', help='dataset root holding VIP_Fine')
    parser.add_argument('--out-dir', required=True,
                        help='where the CSV/PNG files are written')
    parser.add_argument('--split', default='val')
    parser.add_argument('--list-dir', default='VIP_Fine/lists',
                        help='split lists, relative to VIP_ROOT')
    parser.add_argument('--id-list', default='{split}_id.txt',
                        help='annotated-frame list in --list-dir')
    parser.add_argument('--ann-dir', default='VIP_Fine/Annotations/'
                        'Category_ids', help='class maps, relative to '
                        'VIP_ROOT')
    parser.add_argument('--img-dir', default='VIP_Fine/Images',
                        help='frames, relative to VIP_ROOT (--show-dir)')
    parser.add_argument('--topk', type=int, default=20,
                        help='how many worst frames to list (default 20)')
    parser.add_argument('--show-dir', default=None,
                        help='write image | GT | prediction of the worst '
                        'frames here')
    args = parser.parse_args(argv)
    if args.topk < 1:
        raise ConfigError(f'--topk must be >= 1, got {args.topk}')
    return args


def frame_confusions(pred_dir: str, ann_root: str, frames: list,
                     num_classes: int = 20) -> list:
    """The confusion matrix of each frame.

    Args:
        pred_dir (str): Results root.
        ann_root (str): ``Category_ids`` folder.
        frames (list): ``(video, frame)`` pairs.
        num_classes (int): Defaults to 20.

    Returns:
        list[np.ndarray]: ``(C, C)`` int64 counts per frame, rows = GT.
    """
    missing = [vip_prediction_paths(pred_dir, v, f)['global_']
               for v, f in frames]
    missing = [p for p in missing if not osp.isfile(p)]
    if missing:
        raise FileNotFoundError(
            f'{len(missing)} prediction files missing, e.g. '
            + ', '.join(missing[:3]))
    out = []
    progress = ProgressBar(len(frames))
    for video, frame in frames:
        gt_path = osp.join(ann_root, video, frame + '.png')
        pred_path = vip_prediction_paths(pred_dir, video, frame)['global_']
        gt, pred = read_label_png(gt_path), read_label_png(pred_path)
        if gt.shape != pred.shape:
            raise ConfigError(f'{pred_path}: size {pred.shape} differs '
                              f'from the ground truth {gt_path} '
                              f'{gt.shape}')
        if pred.size and pred.max() >= num_classes:
            raise ConfigError(f'{pred_path}: class ids up to '
                              f'{int(pred.max())}, expected 0..'
                              f'{num_classes - 1}')
        out.append(confusion_matrix(gt, pred, num_classes))
        progress.update()
    sys.stdout.write('\n')
    return out


def worst_frames(frames: list, confusions: list, topk: int) -> list:
    """``(frame mean IoU, video, frame)`` of the ``topk`` lowest frames.

    The frame mean IoU is :func:`segmentation_scores`' ``mIoU`` of the
    frame's own matrix (classes absent from both maps are skipped).
    Frames with no evaluated pixel are left out. Ties keep list order.
    """
    scored = []
    for (video, frame), conf in zip(frames, confusions):
        miou = segmentation_scores(conf)['mIoU']
        if not np.isnan(miou):
            scored.append((miou, video, frame))
    scored.sort(key=lambda s: s[0])  # stable: ties keep the list order
    return scored[:topk]


def write_csv(path: str, conf: np.ndarray, names) -> None:
    """Counts with a header row and a GT-name column."""
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['gt \\ pred'] + list(names))
        for name, row in zip(names, conf):
            writer.writerow([name] + [int(v) for v in row])


def plot_confusion(path: str, conf: np.ndarray, names,
                   pairs=VIP_FLIP_PAIRS) -> None:
    """Row-normalised matrix (percent of each GT class) as a PNG; the
    left/right pairs' 2x2 blocks are framed and their names coloured."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    rows = conf.sum(axis=1, keepdims=True)
    with np.errstate(divide='ignore', invalid='ignore'):
        pct = np.where(rows > 0, conf / np.maximum(rows, 1) * 100, np.nan)
    n = len(names)
    fig, ax = plt.subplots(figsize=(0.5 * n + 3, 0.5 * n + 2), dpi=100)
    im = ax.imshow(pct, cmap='Blues', vmin=0, vmax=100)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04,
                 label='% of the ground-truth class')
    for i in range(n):
        for j in range(n):
            if not np.isnan(pct[i, j]) and pct[i, j] >= 0.5:
                ax.text(j, i, f'{pct[i, j]:.0f}', ha='center', va='center',
                        fontsize=6,
                        color='white' if pct[i, j] > 50 else 'black')
    paired = {c for pair in pairs for c in pair}
    for a, b in pairs:
        lo = min(a, b)
        ax.add_patch(Rectangle((lo - 0.5, lo - 0.5), 2, 2, fill=False,
                               edgecolor='red', linewidth=2))
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xticklabels(names, rotation=90, fontsize=8)
    ax.set_yticklabels(names, fontsize=8)
    for axis in (ax.get_xticklabels(), ax.get_yticklabels()):
        for c, label in enumerate(axis):
            if c in paired:
                label.set_color('red')
    ax.set_xlabel('prediction')
    ax.set_ylabel('ground truth')
    ax.set_title('VIP part confusion (row-normalised, %); red: '
                 'left/right pairs')
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_worst(path: str, worst: list) -> None:
    """``rank,video,frame,frame_mIoU`` (percent)."""
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['rank', 'video', 'frame', 'frame_mIoU'])
        for rank, (miou, video, frame) in enumerate(worst, start=1):
            writer.writerow([rank, video, frame, f'{miou * 100:.2f}'])


def show_worst(show_dir: str, worst: list, img_root: str, ann_root: str,
               pred_dir: str) -> list:
    """Image | GT | prediction, side by side, per worst frame."""
    os.makedirs(show_dir, exist_ok=True)
    paths = []
    for rank, (miou, video, frame) in enumerate(worst, start=1):
        img_path = osp.join(img_root, video, frame + '.jpg')
        img = cv2.imread(img_path)
        if img is None:
            raise FileNotFoundError(f'frame image not readable: {img_path}')
        gt = read_label_png(osp.join(ann_root, video, frame + '.png'))
        pred = read_label_png(
            vip_prediction_paths(pred_dir, video, frame)['global_'])
        gt = np.where(gt < 20, gt, 0)  # 255 (ignore) drawn as background
        panel = np.concatenate(
            [img, colorize_part_map(gt), colorize_part_map(pred)], axis=1)
        path = osp.join(show_dir, f'{rank:03d}_{video}_{frame}.png')
        cv2.imwrite(path, panel)
        paths.append(path)
    return paths


def main(argv=None) -> dict:
    args = parse_args(argv)
    frames = read_frame_list(osp.join(
        args.vip_root, args.list_dir, args.id_list.format(split=args.split)))
    ann_root = osp.join(args.vip_root, args.ann_dir)
    confs = frame_confusions(args.pred_dir, ann_root, frames)
    total = np.sum(confs, axis=0)
    worst = worst_frames(frames, confs, args.topk)
    os.makedirs(args.out_dir, exist_ok=True)
    write_csv(osp.join(args.out_dir, 'confusion_matrix.csv'), total,
              VIP_CLASSES)
    plot_confusion(osp.join(args.out_dir, 'confusion_matrix.png'), total,
                   VIP_CLASSES)
    write_worst(osp.join(args.out_dir, 'worst_frames.csv'), worst)
    miou = segmentation_scores(total)['mIoU'] * 100
    print(f'{len(frames)} frames; mean IoU {miou:.2f} %; confusion matrix '
          f'and worst frames in {args.out_dir}')
    for rank, (miou, video, frame) in enumerate(worst, start=1):
        print(f'{rank:4d}  {video}/{frame}  frame mIoU {miou * 100:.1f}')
    shown = []
    if args.show_dir:
        shown = show_worst(args.show_dir, worst,
                           osp.join(args.vip_root, args.img_dir), ann_root,
                           args.pred_dir)
    return dict(confusion=total, worst=worst, shown=shown)


if __name__ == '__main__':
    run_tool(main)
