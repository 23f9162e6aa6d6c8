#!/usr/bin/env python
"""Generate a synthetic video human-parsing set in the VIP or DAVIS layout.

Example::

    python tools/dataset_converters/make_synthetic_vip.py \\
        --out data/synthetic_vip --preview
    python tools/dataset_converters/make_synthetic_vip.py \\
        --out data/synthetic_davis --format davis

The layout (frames, labels, ground-truth flow, hard-frame flags) is
described in docs/synthetic_data.md.
"""
import argparse
import json
import sys

from aten_mm.apis.cli import positive_int as positive_int_of
from aten_mm.apis.cli import run_tool
from aten_mm.datasets.synthetic import generate_dataset
from aten_mm.datasets.synthetic.scene import (
    MAX_PEOPLE,
    OCCLUSION_RATIO,
    PERSON_HEIGHT,
)


def parse_size(text: str) -> tuple:
    """Parse ``'WxH'`` (e.g. ``'256x144'``) into ``(W, H)``."""
    parts = text.lower().split('x')
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise argparse.ArgumentTypeError(
            f'expected WxH with two positive integers (e.g. 256x144), '
            f'got {text!r}')
    return int(parts[0]), int(parts[1])


#: an integer >= 1 (``--videos``, ``--frames`` ...)
positive_int = positive_int_of('an integer')


def ratio(text: str) -> float:
    """A float in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(
            f'expected a number in [0, 1], got {text!r}')
    return value


def height_range(text: str) -> tuple:
    """``'MIN,MAX'`` fractions of the frame height, 0.05 <= MIN <= MAX <=
    1.5."""
    parts = text.split(',')
    try:
        lo, hi = (float(p) for p in parts)
    except ValueError:
        lo = hi = -1.0
    if not 0.05 <= lo <= hi <= 1.5:
        raise argparse.ArgumentTypeError(
            'expected MIN,MAX with 0.05 <= MIN <= MAX <= 1.5 (fractions of '
            f'the frame height, e.g. 0.5,0.95), got {text!r}')
    return lo, hi


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Render a synthetic multi-person video parsing set '
        '(19 VIP part classes, walking people, occlusions, camera pan, '
        'hard frames, exact optical flow) in the public VIP layout or as a '
        'DAVIS-2016-style binary set. Same arguments -> byte-identical '
        'files.')
    parser.add_argument('--out', required=True,
                        help='output folder: absent, empty, or a previous '
                        'synthetic set (its own folders and files are '
                        'replaced, anything else in OUT is kept)')
    parser.add_argument('--videos', type=positive_int, default=12,
                        help='number of videos (default: 12; split about '
                        '4/6 train, 1/6 val, 1/6 test)')
    parser.add_argument('--frames', type=positive_int, default=40,
                        help='frames per video (default: 40)')
    parser.add_argument('--size', type=parse_size, default=(256, 144),
                        help='frame size WxH, each >= 32 (default: 256x144)')
    parser.add_argument('--annotate-every', type=positive_int, default=5,
                        help='VIP: annotate frames 1, 1+K, 1+2K, ... '
                        '(default: 5; real VIP uses 25)')
    parser.add_argument('--seed', type=int, default=0,
                        help='random seed >= 0 (default: 0)')
    parser.add_argument('--format', choices=('vip', 'davis'), default='vip',
                        help='output layout (default: vip)')
    parser.add_argument('--degrade-ratio', type=ratio, default=0.2,
                        help='fraction of frames per video degraded by '
                        'heavy motion blur, defocus, noise or low light, in '
                        'bursts (default: 0.2)')
    parser.add_argument('--occlusion-ratio', type=ratio,
                        default=OCCLUSION_RATIO,
                        help='about this fraction of frames get an occluder '
                        'passing in front of a person (default: '
                        f'{OCCLUSION_RATIO})')
    parser.add_argument('--person-height', type=height_range,
                        default=PERSON_HEIGHT, metavar='MIN,MAX',
                        help='person height range as fractions of the frame '
                        'height (default: %s, like VIP; people may be cut '
                        'by the frame border)' % ','.join(
                            map(str, PERSON_HEIGHT)))
    parser.add_argument('--max-people', type=positive_int,
                        default=MAX_PEOPLE,
                        help='each video has 1..N people (default: '
                        f'{MAX_PEOPLE}, at most 12)')
    parser.add_argument('--flow', action=argparse.BooleanOptionalAction,
                        default=True,
                        help='write the ground-truth backward flow and its '
                        'validity masks to OUT/flow (default: on)')
    parser.add_argument('--preview', action='store_true',
                        help='also write OUT/preview.png: frames beside '
                        'their part and person maps, flow and hard-frame '
                        'flags')
    parser.add_argument('--overwrite', action='store_true',
                        help='write into OUT even if it is a non-empty '
                        'folder that is not a synthetic set (only the '
                        'entries a set consists of are replaced)')
    parser.add_argument('--no-progress', action='store_true',
                        help='hide the progress bar')
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f'argument --seed: expected an integer >= 0, '
                     f'got {args.seed}')
    if min(args.size) < 32:
        parser.error(f'argument --size: each side must be >= 32, got '
                     f'{args.size[0]}x{args.size[1]}')
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    try:
        summary = generate_dataset(
            args.out, num_videos=args.videos, num_frames=args.frames,
            size=args.size, annotate_every=args.annotate_every,
            seed=args.seed, fmt=args.format,
            degrade_ratio=args.degrade_ratio, preview=args.preview,
            progress=not args.no_progress, overwrite=args.overwrite,
            flow=args.flow, occlusion_ratio=args.occlusion_ratio,
            person_height=args.person_height, max_people=args.max_people)
    except (ValueError, FileExistsError) as e:
        sys.exit(f'error: {e}')
    print(json.dumps({k: summary[k] for k in (
        'format', 'generator_version', 'num_videos', 'num_frames',
        'annotated_frames', 'hard_frames', 'flow', 'preview_path')}, indent=1))
    print(f'wrote {args.format} set to {args.out}')
    return summary


if __name__ == '__main__':
    run_tool(main)
