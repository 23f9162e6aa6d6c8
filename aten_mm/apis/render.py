"""Video rendering entry point: :func:`render_video` (what
``demo/video_demo.py`` runs).

The model parses a video frame by frame in stream mode (one frame per
step, docs/interfaces.md) and every frame's overlay is written to a video
or a folder of frames, shown in a window, and/or written as official VIP
prediction files. See docs/demo.md for the user's view.
"""
import itertools
import os
import os.path as osp
import sys
import time
from types import SimpleNamespace
from typing import Optional

import cv2
import numpy as np
from mmengine.utils import ProgressBar

from aten_mm.utils.config_check import ConfigError
from aten_mm.visualization import draw_data_sample, palette_from_meta

from .inference import inference_frames, init_model
from .video_io import (
    AtomicVideoWriter,
    display_path,
    open_frame_source,
    open_video_output,
)

WINDOW = 'aten_mm video demo'


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
    """The output frame: the overlay ``(H, W, 3)``, or input | overlay
    ``(H, 2W, 3)``."""
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


def check_render_args(opts) -> None:
    """Refuse inconsistent options before anything is opened.

    Args:
        opts: The options of :func:`render_video` as attributes.

    Raises:
        ConfigError: nothing to do, or an option out of range.
    """
    if opts.out is None and not opts.show and opts.out_dir is None:
        raise ConfigError('nothing to do: give --out, --show or --out-dir.')
    if opts.max_frames is not None and opts.max_frames < 1:
        raise ConfigError(f'--max-frames must be >= 1, got {opts.max_frames}')
    if opts.wait_time < 0:
        raise ConfigError(f'--wait-time must be >= 0, got {opts.wait_time}')
    if opts.backend not in ('pytorch', 'onnxruntime'):
        raise ConfigError(f'backend must be "pytorch" or "onnxruntime", '
                          f'got "{opts.backend}".')
    if opts.onnx_dir is not None and opts.backend != 'onnxruntime':
        raise ConfigError('--onnx-dir needs --backend onnxruntime')
    if len(opts.fourcc) != 4:
        raise ConfigError(
            f'--fourcc must be a four-character codec code such as mp4v, '
            f'got "{opts.fourcc}".')


def render_video(video: str,
                 config: str,
                 checkpoint: str,
                 out: Optional[str] = None,
                 show: bool = False,
                 wait_time: float = 0.001,
                 fourcc: str = 'mp4v',
                 overwrite: bool = False,
                 device: Optional[str] = None,
                 side_by_side: bool = False,
                 legend: bool = False,
                 out_dir: Optional[str] = None,
                 score_thr: Optional[float] = None,
                 alpha: float = 0.6,
                 max_frames: Optional[int] = None,
                 fps: float = 25.0,
                 backend: str = 'pytorch',
                 onnx_dir: Optional[str] = None,
                 cfg_options: Optional[dict] = None) -> Optional[str]:
    """Parse a video frame by frame and write or show the overlay.

    The output has the input's frame count and fps, the parts in the
    dataset palette and each person outlined with its id. The output may
    not be the input, and an existing output is only replaced with
    ``overwrite``; both are checked before any frame is processed.

    Ending a run early: a live source ended with ``KeyboardInterrupt``
    (Ctrl-C) or ``q`` keeps the output written so far, finalised. A video
    file or frame folder interrupted leaves nothing under ``out`` (the
    video is written under a temporary name and renamed at the end;
    frames written are removed) and the ``KeyboardInterrupt`` propagates.

    Args:
        video (str): A video file, a folder of frames (sorted by the
            numbers in their names), a webcam index, a stream URL or a
            named pipe.
        config (str): Config file.
        checkpoint (str): Checkpoint file.
        out (str, optional): A video file (``.mp4`` ...), or a folder (any
            other path, or an existing folder) for numbered frames
            ``000000.jpg`` ...
        show (bool): Show each frame in a window (``q`` ends the run).
        wait_time (float): Seconds each shown frame stays (0: until a key
            is pressed).
        fourcc (str): Four-character codec of an output video.
        overwrite (bool): Replace an existing ``out``.
        device (str, optional): e.g. ``cpu`` or ``cuda:0`` (default:
            ``cuda:0`` when CUDA is available, else ``cpu``).
        side_by_side (bool): Put the input frame left of the overlay.
        legend (bool): Draw a colour legend of the classes present.
        out_dir (str, optional): Also write every frame's official VIP
            prediction files (docs/vip_protocol.md §3) under this folder.
        score_thr (float, optional): Only draw persons scoring at least
            this.
        alpha (float): Opacity of the part colours.
        max_frames (int, optional): Stop after this many frames.
        fps (float): Output fps for a folder of frames.
        backend (str): ``pytorch``, or ``onnxruntime`` (N_feat, FlowNet-S
            and the temporal encoder as ONNX graphs, docs/deployment.md).
        onnx_dir (str, optional): Graphs of
            ``tools/deployment/export_onnx.py`` (default with onnxruntime:
            exported at the first frame).
        cfg_options (dict, optional): Config overrides.

    Returns:
        str | None: ``out``.

    Raises:
        ConfigError: inconsistent options (nothing to do, ``--onnx-dir``
            without onnxruntime, ``show`` without a display ...).
        FileExistsError: ``out`` exists and ``overwrite`` is False.
    """
    opts = SimpleNamespace(
        video=video, out=out, show=show, wait_time=wait_time, fourcc=fourcc,
        side_by_side=side_by_side, legend=legend, out_dir=out_dir,
        score_thr=score_thr, alpha=alpha, max_frames=max_frames,
        backend=backend, onnx_dir=onnx_dir)
    check_render_args(opts)
    writer = None
    if out is not None:
        # before any work: refuse replacing the input or an existing output
        writer = open_video_output(out, fps=fps, inputs=[video],
                                   overwrite=overwrite, fourcc=fourcc)
    try:
        source = open_frame_source(video, fps=fps, count_frames=True)
        if isinstance(writer, AtomicVideoWriter):
            writer.fps = float(source.fps)  # used from the first frame on
        model = init_model(config, checkpoint, device=device,
                           cfg_options=cfg_options)
        if backend == 'onnxruntime':
            from aten_mm.deployment import use_onnxruntime
            use_onnxruntime(model, onnx_dir)
        if show:
            open_window()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    with source:
        return _render(opts, source, model, writer)


def _render(opts, source, model, writer):
    """The frame loop of :func:`render_video`."""
    num_frames = source.num_frames
    if opts.max_frames is not None:
        num_frames = min(num_frames or opts.max_frames, opts.max_frames)
    meta = model.dataset_meta or {}
    palette = palette_from_meta(meta)
    class_names = None
    if opts.legend:
        from aten_mm.datasets.vip_classes import VIP_CLASSES
        class_names = meta.get('classes', VIP_CLASSES)
    vid = video_name(source)
    writer_ext = None
    if opts.out_dir is not None:
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
            overlay = draw_data_sample(frame, sample, 'pred', opts.alpha,
                                       score_thr=opts.score_thr,
                                       palette=palette,
                                       class_names=class_names)
            out_frame = compose_frame(frame, overlay, opts.side_by_side)
            if writer is not None:
                writer.write(out_frame)
            if writer_ext is not None:
                write, to_pred = writer_ext
                index = int(sample.metainfo['frame_index'])
                write(opts.out_dir, vid, f'{index + 1:012d}',
                      to_pred(sample))
            count += 1
            progress.update()
            if opts.show and show_frame(out_frame, opts.wait_time):
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
        if opts.show:
            cv2.destroyAllWindows()
    if writer is not None:
        writer.close()
    elapsed = time.perf_counter() - start
    where = [display_path(opts.out)] if opts.out else []
    if opts.out_dir:
        where.append(f'official files under {display_path(opts.out_dir)}')
    print(f'\n{count} frames ({count / max(elapsed, 1e-9):.2f} fps)' +
          (f', stopped by {stopped}' if stopped else '') +
          (f'; written to {"; ".join(where)}' if where else ''))
    return opts.out


__all__ = ['check_render_args', 'compose_frame', 'open_window',
           'render_video', 'show_frame', 'video_name']
