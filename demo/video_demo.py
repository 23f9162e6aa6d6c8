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
import signal
import sys

from mmengine.config import DictAction

from aten_mm.apis.cli import run_tool
from aten_mm.apis.render import render_video


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


def main(argv=None):
    """Run the demo (:func:`aten_mm.apis.render.render_video`); returns
    the output path (None without ``--out``)."""
    args = parse_args(argv)
    return render_video(
        args.video, args.config, args.checkpoint, out=args.out,
        show=args.show, wait_time=args.wait_time, fourcc=args.fourcc,
        overwrite=args.overwrite, device=args.device,
        side_by_side=args.side_by_side, legend=args.legend,
        out_dir=args.out_dir, score_thr=args.score_thr, alpha=args.alpha,
        max_frames=args.max_frames, fps=args.fps, backend=args.backend,
        onnx_dir=args.onnx_dir, cfg_options=args.cfg_options)


if __name__ == '__main__':
    # Ctrl-C must reach the demo even when it was started with SIGINT
    # ignored (a background job of a non-interactive shell)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        run_tool(main)
    except KeyboardInterrupt:
        sys.exit('interrupted: nothing written under the output name')
