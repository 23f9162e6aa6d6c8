"""Extract VIP frames from the source videos into ``VIP_Sequence``.

``python tools/dataset_converters/vip_videos_to_frames.py VIP_ROOT``

VIP ships the raw frames around each annotated frame as ``VIP_Sequence``
and the 404 source videos as ``VIP_Videos`` (docs/vip_protocol.md §1). When the
sequence part is missing or incomplete, this tool rebuilds it from the
videos in the layout ``VIPDataset`` reads::

    VIP_ROOT/VIP_Sequence/<video>/000000000001.jpg   (1-based, 12 digits)

``<video>`` is the video file's name without extension. With
``--ann-only-window W`` only the frames within W of an annotated frame
(frames 1, 26, 51, ...: one in ``--ann-interval`` 25) are written, the
window the original release kept; without it every frame is written.
"""
import argparse
import os
import os.path as osp

import cv2
from mmengine.utils import ProgressBar

from aten_mm.apis.cli import run_tool
from aten_mm.apis.video_io import VIDEO_EXTENSIONS, open_frame_source
from aten_mm.utils.user_error import problem_list


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Extract VIP frames from VIP_Videos into VIP_Sequence')
    parser.add_argument('vip_root', help='VIP root folder')
    parser.add_argument(
        '--videos-dir', default='VIP_Videos',
        help='folder of the source videos (relative to VIP_ROOT unless '
        'absolute)')
    parser.add_argument(
        '--out', default='VIP_Sequence',
        help='output folder (relative to VIP_ROOT unless absolute)')
    parser.add_argument(
        '--ann-only-window', type=int, default=None, metavar='W',
        help='only write frames within W frames of an annotated frame '
        '(e.g. 10); default: all frames')
    parser.add_argument(
        '--ann-interval', type=int, default=25,
        help='one frame in this many is annotated, from frame 1')
    parser.add_argument(
        '--videos', nargs='+', default=None,
        help='only these videos (names without extension)')
    parser.add_argument(
        '--quality', type=int, default=95, help='JPEG quality')
    parser.add_argument(
        '--overwrite', action='store_true',
        help='rewrite frames that already exist')
    return parser.parse_args(argv)


def keep_frame(frame_id: int, window, interval: int = 25) -> bool:
    """Whether 1-based ``frame_id`` lies within ``window`` of an annotated
    frame (``1, 1 + interval, ...``); ``window=None`` keeps every frame."""
    if window is None:
        return True
    offset = (frame_id - 1) % interval
    return offset <= window or interval - offset <= window


def list_videos(videos_dir: str, names=None):
    """``[(name, path)]`` of the video files in ``videos_dir``, sorted."""
    if not osp.isdir(videos_dir):
        raise FileNotFoundError(
            f'Video folder "{videos_dir}" does not exist (expected '
            'VIP_ROOT/VIP_Videos or --videos-dir).')
    videos = sorted(
        (osp.splitext(f)[0], osp.join(videos_dir, f))
        for f in os.listdir(videos_dir)
        if f.lower().endswith(VIDEO_EXTENSIONS))
    if names is not None:
        found = {n for n, _ in videos}
        missing = [n for n in names if n not in found]
        if missing:
            raise FileNotFoundError(
                f'No video file for {missing} in "{videos_dir}".')
        videos = [v for v in videos if v[0] in set(names)]
    if not videos:
        raise FileNotFoundError(
            f'No video file ({", ".join(VIDEO_EXTENSIONS)}) in '
            f'"{videos_dir}".')
    return videos


def extract_video(path: str, out_dir: str, window=None, interval=25,
                  quality=95, overwrite=False) -> int:
    """Write the kept frames of one video; returns how many were written.

    Raises:
        ValueError: naming the file, if it cannot be decoded or is empty.
    """
    os.makedirs(out_dir, exist_ok=True)
    written = 0
    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)]
    with open_frame_source(path) as source:
        for index, frame in source:
            frame_id = index + 1
            if not keep_frame(frame_id, window, interval):
                continue
            out_file = osp.join(out_dir, f'{frame_id:012d}.jpg')
            if not overwrite and osp.isfile(out_file):
                continue
            if not cv2.imwrite(out_file, frame, params):
                raise OSError(f'Cannot write frame "{out_file}".')
            written += 1
    return written


def main(argv=None):
    """Run the extraction; returns ``{video: frames written}``."""
    args = parse_args(argv)
    if not osp.isdir(args.vip_root):
        raise FileNotFoundError(
            f'VIP root "{args.vip_root}" does not exist.')
    if args.ann_only_window is not None and args.ann_only_window < 0:
        raise ValueError('--ann-only-window must be >= 0, got '
                         f'{args.ann_only_window}.')
    videos_dir = osp.join(args.vip_root, args.videos_dir)
    out_root = osp.join(args.vip_root, args.out)
    videos = list_videos(videos_dir, args.videos)
    counts, failures = {}, []
    progress = ProgressBar(len(videos))
    for name, path in videos:
        try:
            counts[name] = extract_video(
                path, osp.join(out_root, name), args.ann_only_window,
                args.ann_interval, args.quality, args.overwrite)
        except ValueError as e:
            failures.append(str(e))
        progress.update()
    print(f'\n{sum(counts.values())} frames of {len(counts)} videos written '
          f'to {out_root}')
    if failures:
        raise ValueError(problem_list(
            f'{len(failures)} video(s) could not be extracted:', failures))
    return counts


if __name__ == '__main__':
    run_tool(main)
