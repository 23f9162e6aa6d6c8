"""Show or write augmented clips with their ground truth drawn.

Usage (like MMDetection's ``tools/analysis_tools/browse_dataset.py``)::

    python tools/misc/browse_dataset.py CONFIG [--output-dir DIR] \
        [--not-show] [--show-interval 2] [--phase train] [--num 10] \
        [--cfg-options key=value ...]

One image per item: the clip's frames side by side in frame order
(``T`` target, ``K`` key, ``R`` reference), then the target drawn by the
config's registered visualizer (``visualizer`` of the config, a
``ParsingVisualizer``): its part map in the dataset palette
(``metainfo['palette']``) and its persons outlined with their ids. Each
image is shown in a window for ``--show-interval`` seconds (unless
``--not-show``) and written to ``--output-dir`` when given; images that
cannot be written are listed and the tool exits with an error.
"""
import argparse
import os
import sys

import cv2
import numpy as np
from mmengine.config import DictAction
from mmengine.utils import ProgressBar

from aten_mm.apis import ConfigError, display_path, load_config, write_image
from aten_mm.apis.cli import run_tool
from aten_mm.registry import DATASETS, VISUALIZERS
from aten_mm.utils import register_all_modules
from aten_mm.utils.config_check import build_with_context
from aten_mm.utils.path_check import join_inside
from aten_mm.utils.user_error import problem_list


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Browse a video dataset')
    parser.add_argument('config', help='config file')
    parser.add_argument('--output-dir', default=None,
                        help='folder for the images (needed without a '
                        'display)')
    parser.add_argument('--not-show', action='store_true',
                        help='do not show the images in a window')
    parser.add_argument('--show-interval', type=float, default=2,
                        help='seconds each shown image stays')
    parser.add_argument('--phase', default='train',
                        choices=['train', 'val', 'test'])
    parser.add_argument('--num', type=int, default=10,
                        help='number of items to browse')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args(argv)


def clip_image(item: dict, visualizer) -> np.ndarray:
    """Frames of one packed clip side by side, plus the drawn target.

    Args:
        item (dict): A dataset item: ``inputs`` ``(F, 3, H, W)`` BGR and
            ``data_samples`` (the target's ``DetDataSample``).
        visualizer (ParsingVisualizer): Draws the target's ground truth.

    Returns:
        np.ndarray: ``(H, (F + 1) W, 3)`` uint8 BGR.
    """
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
    target_rgb = np.ascontiguousarray(frames[pos][..., ::-1])
    drawn = visualizer.draw_datasample(target_rgb, sample, draw_pred=False)
    tiles.append(drawn[..., ::-1])
    return np.ascontiguousarray(np.concatenate(tiles, axis=1))


def main(argv=None):
    """Browse; returns the paths written."""
    args = parse_args(argv)
    if args.not_show and args.output_dir is None:
        raise ConfigError('nothing to do: --not-show without --output-dir.')
    if args.num < 1:
        raise ConfigError(f'--num must be >= 1, got {args.num}')
    if not args.not_show and sys.platform.startswith('linux') and not (
            os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')):
        raise ConfigError(
            'showing the images needs a display, and DISPLAY is not set; '
            'pass --not-show --output-dir DIR to write them instead.')
    cfg = load_config(args.config, args.cfg_options)
    register_all_modules()
    loader = cfg.get(f'{args.phase}_dataloader')
    if not isinstance(loader, dict) or 'dataset' not in loader:
        raise ConfigError(f'Config {args.config} has no '
                          f'{args.phase}_dataloader.dataset')
    dataset = build_with_context(DATASETS, loader['dataset'],
                                 where=f'{args.phase}_dataloader.dataset')
    visualizer = VISUALIZERS.build(cfg.visualizer)
    visualizer.dataset_meta = dataset.metainfo
    if args.output_dir is not None:
        os.makedirs(args.output_dir, exist_ok=True)
    num = min(args.num, len(dataset))
    bar = ProgressBar(num)
    written, failed = [], []
    for i in range(num):
        item = dataset[i]
        meta = item['data_samples'].metainfo
        name = f'{i:04d}_{meta["video_id"]}_{meta["frame_id"]}.jpg'
        image = clip_image(item, visualizer)
        if not args.not_show:
            visualizer.show(image[..., ::-1], win_name=name,
                            wait_time=args.show_interval)
        if args.output_dir is not None:
            path = join_inside(args.output_dir, name.replace('/', '_'))
            try:
                write_image(path, image)
                written.append(path)
            except (OSError, ValueError) as e:
                failed.append(f'{display_path(path)}: {e}')
        bar.update()
    if args.output_dir is not None:
        print(f'\nwrote {len(written)} of {num} images to '
              f'{display_path(args.output_dir)}')
    if failed:
        raise ConfigError(problem_list(
            f'could not write {len(failed)} of {num} images:', failed))
    return written


if __name__ == '__main__':
    run_tool(main)
