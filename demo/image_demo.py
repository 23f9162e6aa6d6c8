"""Parse one image with a per-frame model and write the overlay.

``python demo/image_demo.py IMG CONFIG CHECKPOINT --out OUT.png``

The image goes through the config's test pipeline (stream item with
``F = 1``, docs/interfaces.md); the overlay shows the parts in the VIP
palette and each person outlined with its id.
"""
import argparse
import os
import os.path as osp
import sys

import mmcv
import numpy as np
from mmengine.config import DictAction

from aten_mm.apis import ConfigError, VideoInferencer, init_model
from aten_mm.utils.config_check import ConfigKeyError
from aten_mm.visualization import draw_data_sample


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='aten_mm image demo')
    parser.add_argument('img', help='image file')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', required=True, help='output image file')
    parser.add_argument('--device', default='cpu', help='device')
    parser.add_argument('--score-thr', type=float, default=None,
                        help='only draw persons scoring at least this')
    parser.add_argument('--alpha', type=float, default=0.6,
                        help='opacity of the part colours')
    parser.add_argument('--side-by-side', action='store_true',
                        help='put the input left of the overlay')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys')
    return parser.parse_args(argv)


def read_image(path: str) -> np.ndarray:
    """BGR image; errors name the file."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'Image file "{path}" does not exist.')
    img = mmcv.imread(path, flag='color')
    if img is None:
        raise ValueError(f'Cannot decode image file "{path}".')
    return img


def main(argv=None):
    """Run the demo; returns ``(overlay, data_sample)``."""
    args = parse_args(argv)
    img = read_image(args.img)
    model = init_model(args.config, args.checkpoint, device=args.device,
                       cfg_options=args.cfg_options)
    stem = osp.splitext(osp.basename(args.img))[0]
    inferencer = VideoInferencer(model, video_id=stem, video_length=1)
    samples = inferencer.feed(img, img_path=args.img) + inferencer.flush()
    sample = samples[0]
    overlay = draw_data_sample(img, sample, 'pred', args.alpha,
                               score_thr=args.score_thr)
    if args.side_by_side:
        overlay = np.concatenate([img, overlay], axis=1)
    folder = osp.dirname(osp.abspath(args.out))
    os.makedirs(folder, exist_ok=True)
    if not mmcv.imwrite(overlay, args.out):
        raise ValueError(f'Cannot write image "{args.out}".')
    n = len(sample.pred_instances) if 'pred_instances' in sample else 0
    print(f'{n} person(s); overlay written to {args.out}')
    return overlay, sample


if __name__ == '__main__':
    try:
        main()
    except (ConfigError, ConfigKeyError, FileNotFoundError,
            ValueError) as e:
        sys.exit(f'error: {e}')
