"""Parse a video frame by frame and write or show the overlay.

``python demo/video_demo.py VIDEO CONFIG CHECKPOINT --out OUT.mp4``

VIDEO is any OpenCV-readable video file, a folder of frames (sorted by the
numbers in their names) or a live source: a webcam index, a stream URL or
a named pipe. The model runs in stream mode (one frame per step,
docs/interfaces.md); the output has the input's frame count and fps, the
parts in the dataset palette, each person outlined with its id,
optionally side by side with the input (``--side-by-side``) and with a
legend of the classes present (``--legend``).

``--out`` with a video extension (``.mp4`` ...) writes a video (codec
``--fourcc``); any other path (or an existing folder) gets numbered frames
``000000.jpg`` ... ``--show`` shows each frame in a window (``--out`` is
then optional; ``q`` ends the run). The output may not be the input, and
an existing output is only replaced with ``--overwrite``; both are checked
before any frame is processed.

Ending a run early: a live source is ended with Ctrl-C (or ``q``), and the
output written so far is finalised and kept. A video file or frame folder
interrupted with Ctrl-C leaves nothing under OUT (the video is written
under a temporary name and renamed at the end; frames written are
removed). ``--out-dir`` also writes every frame's official VIP prediction
files (docs/vip_protocol.md §3). See docs/demo.md.
"""
import argparse
import itertools
import os
import os.path as osp
import signal
import sys
import time

import cv2
import numpy as np
from mmengine.config import DictAction
from mmengine.utils import ProgressBar

from aten_mm.apis import (
    AtomicVideoWriter,
    ConfigError,
    display_path,
    inference_frames,
    init_model,
    open_frame_source,
    open_video_output,
)
from aten_mm.apis.cli import run_tool
from aten_mm.visualization import draw_data_sample, palette_from_meta

WINDOW = 'aten_mm video demo'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='aten_mm video demo',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument(
        'video', help='video file, folder of frames, webcam index, stream '
        'URL or named pipe')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out', default=None,
        help='output: a video file (.mp4 ...), or a folder (any other path '
        'or an existing folder) for numbered frames 000000.jpg ...')
    parser.add_argument('--show', action='store_true',
                        help='show each frame in a window (q ends the run)')
    parser.add_argument('--wait-time', type=float, default=0.001,
                        help='seconds each shown frame stays (0: until a '
                        'key is pressed)')
    parser.add_argument('--fourcc', default='mp4v',
                        help='four-character codec of an output video')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing --out')
    parser.add_argument('--device', default=None,
                        help='device, e.g. cpu or cuda:0 (default: cuda:0 '
                        'when CUDA is available, else cpu)')
    parser.add_argument('--side-by-side', action='store_true',
                        help='put the input frame left of the overlay')
    parser.add_argument('--legend', action='store_true',
                        help='draw a colour legend of the classes present')
    parser.add_argument('--out-dir', default=None,
                        help='also write the official VIP prediction files '
                        'of every frame under this folder')
    parser.add_argument('--score-thr', type=float, default=None,
                        help='only draw persons scoring at least this')
    parser.add_argument('--alpha', type=float, default=0.6,
                        help='opacity of the part colours')
    parser.add_argument('--max-frames', type=int, default=None,
                        help='stop after this many frames')
    parser.add_argument('--fps', type=float, default=25.0,
                        help='fps of the output for a folder of frames')
    parser.add_argument('--backend', default='pytorch',
                        choices=['pytorch', 'onnxruntime'],
                        help='onnxruntime runs N_feat, FlowNet-S and the '
                        'temporal encoder as ONNX graphs on the CPU '
                        '(docs/deployment.md); default pytorch')
    parser.add_argument('--onnx-dir', default=None,
                        help='graphs written by tools/deployment/'
                        'export_onnx.py (default with --backend '
                        'onnxruntime: exported at the first frame)')
    parser.add_argument('--cfg-options', nargs='+', default=None,
                        action=DictAction,
                        help='override config keys')
    return parser.parse_args(argv)


def video_name(source) -> str:
    """The video id of a source: the file or folder name, or webcamN /
    stream."""
    if source.kind == 'webcam':
        return f'webcam{source.name}'
    if '://' in source.name:
        return 'stream'
    return osp.splitext(osp.basename(osp.normpath(source.name)))[0]


def compose_frame(frame: np.ndarray, overlay: np.ndarray,
                  side_by_side: bool) -> np.ndarray:
    """The output frame: the overlay, or input | overlay."""
    if side_by_side:
        return np.concatenate([frame, overlay], axis=1)
    return overlay


def open_window() -> None:
    """Open the ``--show`` window; a clear error where none can open."""
    if sys.platform.startswith('linux') and not (
            os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')):
        raise ConfigError(
            '--show needs a display, and DISPLAY is not set; write the '
            'result with --out instead.')
    try:
        cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL)
    except cv2.error as e:
        raise ConfigError(
            f'--show: OpenCV cannot open a window ({e.msg.strip()}); an '
            'OpenCV without GUI support (opencv-python-headless) cannot '
            'show, write the result with --out instead.') from None


def show_frame(frame: np.ndarray, wait_time: float) -> bool:
    """Show one frame; returns True when ``q`` (or Esc) was pressed."""
    cv2.imshow(WINDOW, frame)
    delay = 0 if wait_time <= 0 else max(1, int(round(wait_time * 1000)))
    return cv2.waitKey(delay) & 0xFF in (ord('q'), 27)


def check_args(args) -> None:
    """Refuse inconsistent flags before anything is opened."""
    if args.out is None and not args.show and args.out_dir is None:
        raise ConfigError('nothing to do: give --out, --show or --out-dir.')
    if args.max_frames is not None and args.max_frames < 1:
        raise ConfigError(f'--max-frames must be >= 1, got {args.max_frames}')
    if args.wait_time < 0:
        raise ConfigError(f'--wait-time must be >= 0, got {args.wait_time}')
    if args.onnx_dir is not None and args.backend != 'onnxruntime':
        raise ConfigError('--onnx-dir needs --backend onnxruntime')
    if len(args.fourcc) != 4:
        raise ConfigError(
            f'--fourcc must be a four-character codec code such as mp4v, '
            f'got "{args.fourcc}".')


def main(argv=None):
    """Run the demo; returns the output path (None without ``--out``)."""
    args = parse_args(argv)
    check_args(args)
    writer = None
    if args.out is not None:
        # before any work: refuse replacing the input or an existing output
        writer = open_video_output(args.out, fps=args.fps,
                                   inputs=[args.video],
                                   overwrite=args.overwrite,
                                   fourcc=args.fourcc)
    try:
        source = open_frame_source(args.video, fps=args.fps,
                                   count_frames=True)
        if isinstance(writer, AtomicVideoWriter):
            writer.fps = float(source.fps)  # used from the first frame on
        model = init_model(args.config, args.checkpoint, device=args.device,
                           cfg_options=args.cfg_options)
        if args.backend == 'onnxruntime':
            from aten_mm.deployment import use_onnxruntime
            use_onnxruntime(model, args.onnx_dir)
        if args.show:
            open_window()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    with source:
        return _run(args, source, model, writer)


def _run(args, source, model, writer):
    num_frames = source.num_frames
    if args.max_frames is not None:
        num_frames = min(num_frames or args.max_frames, args.max_frames)
    meta = model.dataset_meta or {}
    palette = palette_from_meta(meta)
    class_names = None
    if args.legend:
        from aten_mm.datasets.vip_classes import VIP_CLASSES
        class_names = meta.get('classes', VIP_CLASSES)
    vid = video_name(source)
    writer_ext = None
    if args.out_dir is not None:
        from aten_mm.evaluation.functional import (
            vip_prediction_from_sample,
            write_vip_prediction,
        )
        writer_ext = (write_vip_prediction, vip_prediction_from_sample)
    quit_pressed = []

    def frames():
        for _, frame in source:
            if quit_pressed:  # `q`: end the input, flush pending frames
                return
            yield frame

    progress = ProgressBar(num_frames or 0)
    start = time.perf_counter()
    count = 0
    stopped = None
    try:
        for frame, sample in inference_frames(
                model, itertools.islice(frames(), num_frames), vid,
                num_frames):
            overlay = draw_data_sample(frame, sample, 'pred', args.alpha,
                                       score_thr=args.score_thr,
                                       palette=palette,
                                       class_names=class_names)
            out_frame = compose_frame(frame, overlay, args.side_by_side)
            if writer is not None:
                writer.write(out_frame)
            if writer_ext is not None:
                write, to_pred = writer_ext
                index = int(sample.metainfo['frame_index'])
                write(args.out_dir, vid, f'{index + 1:012d}',
                      to_pred(sample))
            count += 1
            progress.update()
            if args.show and show_frame(out_frame, args.wait_time):
                quit_pressed.append(True)
                stopped = 'q pressed'
    except KeyboardInterrupt:
        # a live source has no end: Ctrl-C is how it ends, so what was
        # written is kept; any other input interrupted leaves no output
        if not source.is_live or count == 0:
            if writer is not None:
                writer.abort()
            raise
        stopped = 'Ctrl-C'
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        if args.show:
            cv2.destroyAllWindows()
    if writer is not None:
        writer.close()
    elapsed = time.perf_counter() - start
    where = [display_path(args.out)] if args.out else []
    if args.out_dir:
        where.append(f'official files under {display_path(args.out_dir)}')
    print(f'\n{count} frames ({count / max(elapsed, 1e-9):.2f} fps)' +
          (f', stopped by {stopped}' if stopped else '') +
          (f'; written to {"; ".join(where)}' if where else ''))
    return args.out


if __name__ == '__main__':
    # Ctrl-C must reach the demo even when it was started with SIGINT
    # ignored (a background job of a non-interactive shell)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        run_tool(main)
    except KeyboardInterrupt:
        sys.exit('interrupted: nothing written under the output name')
