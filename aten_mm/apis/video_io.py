"""Frame sources, image files and safe video / frame-folder writers.

The video demo and the VIP frame extractor read videos through
:func:`open_frame_source`, so a missing, corrupt or empty input gives the
same single error naming the file. A source is a video file, a folder of
frames, or a *live* source (a webcam index, a stream URL, a named pipe)
that has no end of its own.

:class:`AtomicVideoWriter` writes to a temporary name and renames at the
end, so an interrupted run never leaves a truncated file under the final
name; :class:`FrameFolderWriter` writes numbered frames and removes them
again when aborted. :func:`open_video_output` picks one of the two from the
output path and refuses, before any work, an output that would replace the
input or an existing file (unless asked to overwrite).

OpenCV's file functions crash on paths that are not valid UTF-8 (bytes
that Python keeps as surrogate escapes): images are read and written
through ``np.fromfile`` / ``cv2.imdecode`` and ``cv2.imencode`` /
``tofile``, and videos are opened through a UTF-8 symbolic link to the
file or its folder.
"""
import os
import os.path as osp
import re
import shutil
import stat
import tempfile
import warnings
from typing import Iterator, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.mpg', '.mpeg',
                    '.m4v', '.wmv', '.flv')
#: kinds of :class:`FrameSource` without an end of their own
LIVE_KINDS = ('webcam', 'stream')


def natural_key(name: str) -> list:
    """Sort key ordering ``2.jpg`` before ``10.jpg``."""
    return [int(t) if t.isdigit() else t for t in re.split(r'(\d+)', name)]


def is_utf8(path: str) -> bool:
    """Whether OpenCV can take ``path`` (no undecodable bytes in it)."""
    try:
        path.encode('utf-8')
    except UnicodeEncodeError:
        return False
    return True


def display_path(path: str) -> str:
    """``path`` printable on any console (undecodable bytes as ``\\udcXX``).
    """
    return str(path).encode('utf-8', 'backslashreplace').decode('utf-8')


def _is_stream_file(path: str) -> bool:
    """Whether ``path`` is a named pipe or a character device (a capture
    device such as ``/dev/video0``)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


class _Utf8Alias:
    """A UTF-8 path to a file or folder whose own path is not UTF-8: a
    symbolic link in a fresh temporary folder (removed by :meth:`remove`).
    """

    def __init__(self, target: str, name: str) -> None:
        self.dir = tempfile.mkdtemp(prefix='aten_mm_')
        self.path = osp.join(self.dir, name)
        if not is_utf8(self.path):
            self.remove()
            raise ValueError(
                'The temporary folder path is not UTF-8 either; set TMPDIR '
                'to a plain folder.')
        try:
            os.symlink(osp.abspath(target), self.path)
        except OSError as e:
            self.remove()
            raise ValueError(
                f'"{display_path(target)}" is not a UTF-8 path, which OpenCV '
                f'cannot open, and linking it failed ({e}); rename it.'
            ) from None

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def read_image(path: str) -> np.ndarray:
    """Read a colour image (any path, UTF-8 or not).

    Args:
        path (str): Image file.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 BGR.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: if it is empty or cannot be decoded.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Image file "{display_path(path)}" does not exist.')
    buf = np.fromfile(path, dtype=np.uint8)
    img = cv2.imdecode(buf, cv2.IMREAD_COLOR) if buf.size else None
    if img is None:
        raise ValueError(f'Cannot decode image file "{display_path(path)}" '
                         '(empty, corrupt or not an image).')
    return img


def write_image(path: str, img: np.ndarray) -> None:
    """Write an image by its extension (any path, UTF-8 or not).

    Args:
        path (str): Output file; its folder must exist.
        img (np.ndarray): ``(H, W, 3)`` uint8 BGR or ``(H, W)`` image.

    Raises:
        ValueError: if the extension is not an image format OpenCV writes.
        OSError: if the file cannot be written.
    """
    ext = osp.splitext(path)[1].lower()
    try:
        ok, buf = cv2.imencode(ext, np.ascontiguousarray(img))
    except cv2.error:
        ok = False
    if not ok:
        raise ValueError(f'Cannot encode "{display_path(path)}" as an image '
                         f'(extension "{ext}"; use one of '
                         f'{", ".join(IMAGE_EXTENSIONS)}).')
    buf.tofile(path)


class FrameSource:
    """Frames of a video file, a folder of images or a live source, in order.

    Iterating yields ``(index, frame)`` with ``frame`` a ``(H, W, 3)`` uint8
    BGR array and ``index`` 0-based.

    Args:
        source (str | int): Video file path, folder of frames (sorted by
            the numbers in their names), webcam index, stream URL
            (``rtsp://``, ``http://`` ...) or a named pipe / device file
            delivering a video stream.
        fps (float): Frame rate to report for a folder (and for a stream
            whose container gives none). Defaults to 25.
        count_frames (bool): Count a video file's frames by reading it once
            (container headers can be off) instead of trusting its header.

    Attributes:
        name (str): The source as given, for messages.
        kind (str): ``'video'``, ``'folder'``, ``'webcam'`` or ``'stream'``.
        is_live (bool): Whether the source has no end of its own (webcam,
            stream): it is ended by the user.
        fps (float): Frames per second.
        num_frames (int | None): Frame count (None for a live source).
        width, height (int): Frame size.

    Raises:
        FileNotFoundError: if the file or folder does not exist.
        ValueError: if it cannot be decoded or holds no frame; while
            iterating a folder, for a frame that cannot be read or whose
            size differs from the first frame's.
    """

    def __init__(self, source: Union[str, int], fps: float = 25.0,
                 count_frames: bool = False) -> None:
        self.name = display_path(source)
        self._cap = None
        self._files = None
        self._first = None
        self._alias = None
        self.num_frames = None
        if isinstance(source, int) or (isinstance(source, str)
                                       and source.isdigit()
                                       and not osp.exists(source)):
            self.kind = 'webcam'
            self._cap = cv2.VideoCapture(int(source))
            if not self._cap.isOpened():
                raise ValueError(f'Cannot open webcam index {source}.')
        elif '://' in source:
            self.kind = 'stream'
            self._open_capture(source, 'stream URL')
        elif osp.isdir(source):
            self.kind = 'folder'
            self._files = sorted(
                (f for f in os.listdir(source)
                 if f.lower().endswith(IMAGE_EXTENSIONS)),
                key=natural_key)
            if not self._files:
                raise ValueError(
                    f'Frame folder "{self.name}" holds no image '
                    f'({", ".join(IMAGE_EXTENSIONS)}).')
            self._files = [osp.join(source, f) for f in self._files]
            self.num_frames = len(self._files)
        elif osp.isfile(source):
            self.kind = 'video'
            self._open_capture(source, 'video file')
            count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
            if count_frames:
                count = self._count(self._cv2_path)
            self.num_frames = count if count > 0 else None
        elif _is_stream_file(source):
            self.kind = 'stream'  # a named pipe or a capture device
            self._open_capture(source, 'stream')
        else:
            raise FileNotFoundError(
                f'Input "{self.name}" does not exist (expected a video file, '
                'a folder of frames, a webcam index, a stream URL or a named '
                'pipe).')
        if self._cap is not None:
            self.fps = self._cap.get(cv2.CAP_PROP_FPS) or fps
        else:
            self.fps = fps
        self._first = self._read_first()
        self.height, self.width = self._first.shape[:2]

    @property
    def is_live(self) -> bool:
        return self.kind in LIVE_KINDS

    def _open_capture(self, source: str, what: str) -> None:
        self._cv2_path = source
        if not is_utf8(source):
            self._alias = _Utf8Alias(
                source, 'input' + (osp.splitext(source)[1]
                                   if is_utf8(osp.splitext(source)[1])
                                   else ''))
            self._cv2_path = self._alias.path
        self._cap = cv2.VideoCapture(self._cv2_path)
        if not self._cap.isOpened():
            self.close()
            raise ValueError(
                f'Cannot decode {what} "{self.name}" (corrupt file or '
                'unsupported format).')

    @staticmethod
    def _count(path: str) -> int:
        cap = cv2.VideoCapture(path)
        count = 0
        while cap.grab():
            count += 1
        cap.release()
        return count

    def _read_first(self) -> np.ndarray:
        if self._files is not None:
            return read_image(self._files[0])
        ok, frame = self._cap.read()
        if not ok or frame is None:
            self.close()
            raise ValueError(
                f'{self.kind.capitalize()} "{self.name}" has no readable '
                'frame (zero-length or corrupt).')
        return frame

    def __len__(self) -> int:
        return self.num_frames or 0

    def __iter__(self) -> Iterator[Tuple[int, np.ndarray]]:
        if self._first is None:
            raise RuntimeError(f'Frame source "{self.name}" was consumed.')
        first, self._first = self._first, None
        yield 0, first
        if self._files is not None:
            for i, path in enumerate(self._files[1:], start=1):
                frame = read_image(path)
                if frame.shape[:2] != first.shape[:2]:
                    raise ValueError(
                        f'Frame "{display_path(path)}" has size '
                        f'{frame.shape[1]}x{frame.shape[0]} but the first '
                        f'frame "{display_path(self._files[0])}" has '
                        f'{first.shape[1]}x{first.shape[0]} (W x H); all '
                        'frames of a video must have one size.')
                yield i, frame
            return
        i = 1
        while True:
            ok, frame = self._cap.read()
            if not ok or frame is None:
                break
            yield i, frame
            i += 1
        self.close()
        if self.kind == 'video' and self.num_frames and i < self.num_frames:
            warnings.warn(
                f'Video "{self.name}" ended after {i} of the '
                f'{self.num_frames} frames its header reports (truncated '
                'or corrupt file?).')
            self.num_frames = i

    def close(self) -> None:
        """Release the capture device or file."""
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        if self._alias is not None:
            self._alias.remove()
            self._alias = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_frame_source(source: Union[str, int], fps: float = 25.0,
                      count_frames: bool = False) -> FrameSource:
    """Open a video file, a frame folder or a live source (see
    :class:`FrameSource`)."""
    return FrameSource(source, fps=fps, count_frames=count_frames)


class _Output:
    """``with`` support of the writers: :meth:`close` when the block ends
    normally, :meth:`abort` on an exception (Ctrl-C included)."""

    def close(self) -> str:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class AtomicVideoWriter(_Output):
    """``cv2.VideoWriter`` that appears under its name only at the end.

    Frames go to ``<dir>/.<name>.part.<ext>``; :meth:`close` renames it to
    the final path. :meth:`abort` (or leaving a ``with`` block with an
    exception, Ctrl-C included) deletes the temporary file, so an interrupted
    run leaves nothing under the final name. A path that is not UTF-8 is
    written through a UTF-8 link to its folder.

    Args:
        path (str): Final output path (``.mp4`` recommended).
        fps (float): Frames per second.
        size (tuple[int, int], optional): ``(width, height)``; taken from the
            first frame when None.
        fourcc (str): Four-character codec code. Defaults to ``'mp4v'``.
    """

    def __init__(self, path: str, fps: float,
                 size: Optional[Tuple[int, int]] = None,
                 fourcc: str = 'mp4v') -> None:
        if not isinstance(fourcc, str) or len(fourcc) != 4:
            raise ValueError(
                f'fourcc must be a four-character codec code such as '
                f'"mp4v", got {fourcc!r}.')
        self.path = path
        self.fps = float(fps)
        self.size = size
        self.fourcc = fourcc
        folder, base = osp.split(osp.abspath(path))
        stem, ext = osp.splitext(base)
        self._folder = folder
        part = f'.{stem}.part{ext or ".mp4"}'
        if not is_utf8(part):
            part = f'.aten_mm_video.part{ext if is_utf8(ext) else ".mp4"}'
        self.tmp_path = osp.join(folder, part)
        self._alias = None
        self._cv2_tmp = self.tmp_path
        if not is_utf8(self.tmp_path):
            self._alias = _Utf8Alias(folder, 'out')
            self._cv2_tmp = osp.join(self._alias.path, part)
        self._writer = None
        self.num_frames = 0

    def write(self, frame: np.ndarray) -> None:
        """Append one ``(H, W, 3)`` uint8 BGR frame."""
        h, w = frame.shape[:2]
        if self._writer is None:
            if self.size is None:
                self.size = (w, h)
            os.makedirs(self._folder, exist_ok=True)
            self._writer = cv2.VideoWriter(
                self._cv2_tmp, cv2.VideoWriter_fourcc(*self.fourcc),
                self.fps, self.size)
            if not self._writer.isOpened():
                self.abort()
                raise ValueError(
                    f'Cannot open a "{self.fourcc}" video writer for '
                    f'"{display_path(self.path)}" (codec not available in '
                    'this OpenCV build, or an extension it does not fit; '
                    'mp4v with .mp4 always works).')
        if (w, h) != tuple(self.size):
            frame = cv2.resize(frame, tuple(self.size))
        self._writer.write(np.ascontiguousarray(frame))
        self.num_frames += 1

    def close(self) -> str:
        """Finish the file and move it to its final name; returns the path."""
        if self._writer is None:
            self.abort()
            raise ValueError(
                f'No frame was written to "{display_path(self.path)}".')
        self._writer.release()
        self._writer = None
        os.replace(self.tmp_path, self.path)
        self._drop_alias()
        return self.path

    def abort(self) -> None:
        """Drop the partial file."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        if osp.exists(self.tmp_path):
            os.remove(self.tmp_path)
        self._drop_alias()

    def _drop_alias(self) -> None:
        if self._alias is not None:
            self._alias.remove()
            self._alias = None


class FrameFolderWriter(_Output):
    """Numbered frames ``000000.jpg``, ``000001.jpg`` ... in a folder.

    Same interface as :class:`AtomicVideoWriter`: :meth:`close` keeps the
    frames (and, when overwriting, removes numbered frames of an earlier,
    longer run beyond the last one written), :meth:`abort` removes the
    frames written (and the folder when this writer created it).

    Args:
        folder (str): Output folder (created at the first frame if
            missing).
        ext (str): Image extension. Defaults to ``'.jpg'``.
    """

    def __init__(self, folder: str, ext: str = '.jpg') -> None:
        self.path = folder
        self.ext = ext
        self._created = not osp.isdir(folder)
        self.num_frames = 0

    def frame_path(self, index: int) -> str:
        """The file of frame ``index`` (0-based)."""
        return osp.join(self.path, f'{index:06d}{self.ext}')

    def write(self, frame: np.ndarray) -> None:
        """Write the next ``(H, W, 3)`` uint8 BGR frame."""
        os.makedirs(self.path, exist_ok=True)
        write_image(self.frame_path(self.num_frames), frame)
        self.num_frames += 1

    def close(self) -> str:
        """Keep the frames; returns the folder."""
        if self.num_frames == 0:
            self.abort()
            raise ValueError(
                f'No frame was written to "{display_path(self.path)}".')
        for index in numbered_frames(self.path, self.ext):
            if index >= self.num_frames:
                os.remove(self.frame_path(index))
        return self.path

    def abort(self) -> None:
        """Remove the frames written (and the folder if it was new)."""
        for index in range(self.num_frames):
            if osp.exists(self.frame_path(index)):
                os.remove(self.frame_path(index))
        self.num_frames = 0
        if self._created and osp.isdir(self.path) and \
                not os.listdir(self.path):
            os.rmdir(self.path)


def numbered_frames(folder: str, ext: str = '.jpg') -> list:
    """Indices of the ``NNNNNN<ext>`` frames (:class:`FrameFolderWriter`'s
    names) in ``folder``, sorted."""
    pattern = re.compile(r'(\d{6})' + re.escape(ext) + '$')
    if not osp.isdir(folder):
        return []
    return sorted(int(m.group(1)) for m in map(pattern.match,
                                                os.listdir(folder)) if m)


def same_file(a: str, b: str) -> bool:
    """Whether two paths name the same existing file or folder."""
    try:
        return osp.samefile(a, b)
    except OSError:
        return False


def video_output_kind(path: str) -> str:
    """What ``--out`` names: ``'video'`` or ``'folder'`` (of frames).

    An existing folder, a path ending with a separator or a path without
    a video extension names a folder of numbered frames; a path with a
    video extension (:data:`VIDEO_EXTENSIONS`) a video file.

    Raises:
        ValueError: for an image extension (one image cannot hold a video)
            and for an existing folder with a video extension.
    """
    ext = osp.splitext(path.rstrip('/' + os.sep))[1].lower()
    if ext in VIDEO_EXTENSIONS:
        if osp.isdir(path):
            raise ValueError(
                f'--out "{display_path(path)}" is an existing folder, but '
                f'its "{ext}" extension asks for a video file; give a video '
                'file path, or a folder name without a video extension for '
                'numbered frames.')
        return 'video'
    if ext in IMAGE_EXTENSIONS and not osp.isdir(path):
        raise ValueError(
            f'--out "{display_path(path)}" is an image file name; give a '
            f'video file ({", ".join(VIDEO_EXTENSIONS[:3])} ...) or a '
            'folder for numbered frames.')
    return 'folder'


def open_video_output(path: str, fps: float,
                      inputs: Sequence[str] = (),
                      overwrite: bool = False,
                      fourcc: str = 'mp4v'):
    """Check ``path`` and make the writer of a video output.

    The checks happen before any frame is processed: ``path`` must not be
    (or, as a frame folder, hold) one of ``inputs`` (even with
    ``overwrite``), must not be an existing file or a folder with numbered
    frames unless ``overwrite``, and a frame folder must not be a file.

    Args:
        path (str): Video file or frame folder (:func:`video_output_kind`).
        fps (float): Frame rate of a video file.
        inputs (Sequence[str]): Paths the run reads (never replaced).
        overwrite (bool): Allow replacing an existing output.
        fourcc (str): Codec of a video file.

    Returns:
        AtomicVideoWriter | FrameFolderWriter: Nothing is created before the
        first frame.

    Raises:
        ValueError: with the reason, naming the path.
    """
    kind = video_output_kind(path)
    shown = display_path(path)
    for src in inputs:
        if isinstance(src, str) and same_file(path, src):
            raise ValueError(
                f'--out "{shown}" is the input "{display_path(src)}"; '
                'writing it would destroy the input. Choose another output.')
    if kind == 'video':
        if osp.lexists(path) and not overwrite:
            raise ValueError(
                f'--out "{shown}" exists; pass --overwrite to replace it.')
        return AtomicVideoWriter(path, fps=fps, fourcc=fourcc)
    if osp.lexists(path) and not osp.isdir(path):
        raise ValueError(
            f'--out "{shown}" is an existing file, not a folder for frames; '
            'give a folder or a video file name (.mp4).')
    existing = numbered_frames(path)
    if existing and not overwrite:
        raise ValueError(
            f'--out folder "{shown}" already holds {len(existing)} numbered '
            f'frame(s) (e.g. {existing[0]:06d}.jpg); pass --overwrite to '
            'replace them.')
    return FrameFolderWriter(path)
