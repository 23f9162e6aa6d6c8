"""Write augmented clips with colour-coded labels as images.

Usage::

    python tools/misc/browse_dataset.py CONFIG --output-dir DIR \
        [--phase train] [--num 10] [--cfg-options key=value ...]

One image per item: the clip's frames side by side in frame order
(``T`` target, ``K`` key, ``R`` reference); the target also appears with
its part map blended in (VIP palette) and its person boxes and outlines.
"""
import argparse
import os

import cv2
import numpy as np
from mmengine.config import DictAction
from mmengine.utils import ProgressBar

from aten_mm.apis.cli import run_tool
from aten_mm.apis.config import load_config
from aten_mm.registry import DATASETS
from aten_mm.utils import register_all_modules
from aten_mm.utils.config_check import ConfigError, build_with_context
from aten_mm.utils.path_check import join_inside
from aten_mm.visualization.palette import VIP_PALETTE


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Browse a video dataset')
    parser.add_argument('config', help='config file')
    parser.add_argument('--output-dir', required=True,
                        help='folder for the images')
    parser.add_argument('--phase', default='train',
                        choices=['train', 'val', 'test'])
    parser.add_argument('--num', type=int, default=10,
                        help='number of items to write')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args(argv)


def draw_target(img: np.ndarray, sample, alpha: float = 0.5) -> np.ndarray:
    """Blend the part map and draw persons on a BGR frame.

    Args:
        img (np.ndarray): (H, W, 3) uint8 BGR.
        sample (DetDataSample): With ``gt_sem_seg`` / ``gt_instances``.
        alpha (float): Weight of the label colours.

    Returns:
        np.ndarray: (H, W, 3) uint8 BGR.
    """
    out = img.copy()
    palette = VIP_PALETTE[:, ::-1]  # RGB -> BGR
    if 'gt_sem_seg' in sample:
        seg = sample.gt_sem_seg.sem_seg[0].numpy()
        colour = np.zeros_like(img)
        valid = seg < len(palette)
        colour[valid] = palette[seg[valid]]
        colour[seg == 255] = 255
        labelled = seg > 0
        out[labelled] = (img[labelled] * (1 - alpha) +
                         colour[labelled] * alpha).astype(np.uint8)
    if 'gt_instances' in sample and 'masks' in sample.gt_instances:
        inst = sample.gt_instances
        boxes = inst.bboxes
        boxes = boxes.tensor if hasattr(boxes, 'tensor') else boxes
        for k, mask in enumerate(inst.masks.to_ndarray()):
            c = tuple(int(v) for v in VIP_PALETTE[(k * 7 + 3) % 20][::-1])
            contours, _ = cv2.findContours(mask.astype(np.uint8),
                                           cv2.RETR_EXTERNAL,
                                           cv2.CHAIN_APPROX_NONE)
            cv2.drawContours(out, contours, -1, c, 1)
            x1, y1, x2, y2 = boxes[k].round().int().tolist()
            cv2.rectangle(out, (x1, y1), (x2 - 1, y2 - 1), c, 1)
    return out


def clip_image(item: dict) -> np.ndarray:
    """Frames of one packed clip side by side, plus the labelled target."""
    sample = item['data_samples']
    frames = item['inputs'].permute(0, 2, 3, 1).numpy()
    meta = sample.metainfo
    tiles = []
    for img, idx in zip(frames, meta['clip_frame_indices']):
        tile = np.ascontiguousarray(img)
        tags = []
        if idx == meta['frame_index']:
            tags.append('T')
        if idx == meta.get('key_frame_index'):
            tags.append('K')
        if idx in meta.get('ref_frame_indices', []):
            tags.append('R')
        cv2.putText(tile, f'{idx} {"".join(tags)}', (3, 14),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1)
        tiles.append(tile)
    pos = list(meta['clip_frame_indices']).index(meta['frame_index'])
    tiles.append(draw_target(np.ascontiguousarray(frames[pos]), sample))
    return np.concatenate(tiles, axis=1)


def main(argv=None) -> int:
    """Write the images; returns their number.

    Raises:
        OSError: some images could not be written (each one named).
    """
    args = parse_args(argv)
    if args.num < 1:
        raise ValueError(f'--num must be >= 1, got {args.num}')
    cfg = load_config(args.config, args.cfg_options)
    register_all_modules()
    loader = cfg.get(f'{args.phase}_dataloader')
    if not isinstance(loader, dict) or 'dataset' not in loader:
        raise ConfigError(f'Config {args.config} has no '
                          f'{args.phase}_dataloader.dataset')
    dataset = build_with_context(DATASETS, loader['dataset'],
                                 where=f'{args.phase}_dataloader.dataset')
    os.makedirs(args.output_dir, exist_ok=True)
    num = min(args.num, len(dataset))
    bar = ProgressBar(num)
    failed = []
    for i in range(num):
        item = dataset[i]
        meta = item['data_samples'].metainfo
        name = f'{i:04d}_{meta["video_id"]}_{meta["frame_id"]}.jpg'
        path = join_inside(args.output_dir, name.replace('/', '_'))
        if not cv2.imwrite(path, clip_image(item)):
            failed.append(path)
        bar.update()
    if failed:
        raise OSError(f'{len(failed)} of {num} images could not be written '
                      f'(OpenCV gave no reason; check the folder and free '
                      f'space): {", ".join(failed[:5])}')
    print(f'\nwrote {num} images to {args.output_dir}')
    return num

if __name__ == '__main__':
    run_tool(main)
