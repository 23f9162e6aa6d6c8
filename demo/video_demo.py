"""Parse a video frame by frame and write an overlay video.

``python demo/video_demo.py VIDEO CONFIG CHECKPOINT --out OUT.mp4``

VIDEO is any OpenCV-readable video file, a folder of frames (sorted by the
numbers in their names) or a webcam index (end it with ``--max-frames``).
The model runs in stream mode (one frame per step, docs/interfaces.md);
the output has the input's frame count and fps, the parts in the VIP
palette, each person outlined with its id, optionally side by side with
the input (``--side-by-side``). A video file is read once to count its
frames (container headers can be off). The video
is written under a temporary name and renamed at the end, so an interrupted
run leaves no file under OUT. ``--out-dir`` also writes every frame's
official VIP prediction files (vip_protocol.md §3).
"""
import argparse
import itertools
import os.path as osp
import sys
import time

import numpy as np
from mmengine.config import DictAction
from mmengine.utils import ProgressBar

from aten_mm.apis import (
    AtomicVideoWriter,
    ConfigError,
    inference_frames,
    init_model,
    open_frame_source,
)
from aten_mm.utils.config_check import ConfigKeyError
from aten_mm.visualization import draw_data_sample


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='aten_mm video demo')
    parser.add_argument(
        'video', help='video file, folder of frames or webcam index')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', required=True,
                        help='output video file (.mp4, mp4v codec)')
    parser.add_argument('--device', default='cpu',
                        help='device, e.g. cpu or cuda:0')
    parser.add_argument('--side-by-side', action='store_true',
                        help='put the input frame left of the overlay')
    parser.add_argument('--out-dir', default=None,
                        help='also write the official VIP prediction files '
                        'of every frame under this folder')
    parser.add_argument('--score-thr', type=float, default=None,
                        help='only draw persons scoring at least this')
    parser.add_argument('--alpha', type=float, default=0.6,
                        help='opacity of the part colours')
    parser.add_argument('--max-frames', type=int, default=None,
                        help='stop after this many frames (e.g. to end a '
                        'webcam stream; Ctrl-C discards the output)')
    parser.add_argument('--fps', type=float, default=25.0,
                        help='fps of the output for a folder of frames')
    parser.add_argument('--cfg-options', nargs='+', default=None,
                        action=DictAction,
                        help='override config keys')
    return parser.parse_args(argv)


def video_name(source) -> str:
    """The video id of a source: the file or folder name, or webcamN."""
    if source.kind == 'webcam':
        return f'webcam{source.name}'
    return osp.splitext(osp.basename(osp.normpath(source.name)))[0]


def compose_frame(frame: np.ndarray, overlay: np.ndarray,
                  side_by_side: bool) -> np.ndarray:
    """The output frame: the overlay, or input | overlay."""
    if side_by_side:
        return np.concatenate([frame, overlay], axis=1)
    return overlay


def main(argv=None):
    """Run the demo; returns the output path."""
    args = parse_args(argv)
    if not args.out.lower().endswith(('.mp4', '.avi', '.mov', '.mkv')):
        raise ConfigError(
            f'--out must be a video file (.mp4), got "{args.out}".')
    if args.max_frames is not None and args.max_frames < 1:
        raise ConfigError(f'--max-frames must be >= 1, got {args.max_frames}')
    source = open_frame_source(args.video, fps=args.fps, count_frames=True)
    num_frames = source.num_frames
    if args.max_frames is not None:
        num_frames = min(num_frames or args.max_frames, args.max_frames)
    model = init_model(args.config, args.checkpoint, device=args.device,
                       cfg_options=args.cfg_options)
    vid = video_name(source)
    writer_ext = None
    if args.out_dir is not None:
        from aten_mm.evaluation.functional import (
            vip_prediction_from_sample,
            write_vip_prediction,
        )
        writer_ext = (write_vip_prediction, vip_prediction_from_sample)
    progress = ProgressBar(num_frames or 0)
    start = time.perf_counter()
    count = 0
    with source, AtomicVideoWriter(args.out, fps=source.fps) as writer:
        frames = itertools.islice((frame for _, frame in source),
                                  num_frames)
        for frame, sample in inference_frames(model, frames, vid,
                                              num_frames):
            overlay = draw_data_sample(frame, sample, 'pred', args.alpha,
                                       score_thr=args.score_thr)
            writer.write(compose_frame(frame, overlay, args.side_by_side))
            if writer_ext is not None:
                write, to_pred = writer_ext
                index = int(sample.metainfo['frame_index'])
                write(args.out_dir, vid, f'{index + 1:012d}',
                      to_pred(sample))
            count += 1
            progress.update()
    elapsed = time.perf_counter() - start
    print(f'\n{count} frames ({count / max(elapsed, 1e-9):.2f} fps) written '
          f'to {args.out}' +
          (f'; official files under {args.out_dir}' if args.out_dir else ''))
    return args.out


if __name__ == '__main__':
    try:
        main()
    except (ConfigError, ConfigKeyError, FileNotFoundError,
            ValueError) as e:
        sys.exit(f'error: {e}')
