"""Frame sources (video file, frame folder, webcam) and a safe video writer.

The video demo and the VIP frame extractor read videos through
:func:`open_frame_source`, so a missing, corrupt or empty input gives the
same single error naming the file. :class:`AtomicVideoWriter` writes to a
temporary name and renames at the end, so an interrupted run never leaves a
truncated file under the final name.
"""
import os
import os.path as osp
import re
import warnings
from typing import Iterator, Optional, Tuple, Union

import cv2
import numpy as np

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.mpg', '.mpeg',
                    '.m4v', '.wmv', '.flv')


def _natural_key(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r'(\d+)', name)]


class FrameSource:
    """Frames of a video file, a folder of images or a webcam, in order.

    Iterating yields ``(index, frame)`` with ``frame`` a ``(H, W, 3)`` uint8
    BGR array and ``index`` 0-based.

    Args:
        source (str | int): Video file path, folder of frames (sorted by
            the numbers in their names) or webcam index.
        fps (float): Frame rate to report for a folder (and for a stream
            whose container gives none). Defaults to 25.
        count_frames (bool): Count a video file's frames by reading it once
            (container headers can be off) instead of trusting its header.

    Attributes:
        name (str): The source as given, for messages.
        kind (str): ``'video'``, ``'folder'`` or ``'webcam'``.
        fps (float): Frames per second.
        num_frames (int | None): Frame count (None for a webcam).
        width, height (int): Frame size.

    Raises:
        FileNotFoundError: if the file or folder does not exist.
        ValueError: if it cannot be decoded or holds no frame; while
            iterating a folder, for a frame whose size differs from the
            first frame's.
    """

    def __init__(self, source: Union[str, int], fps: float = 25.0,
                 count_frames: bool = False) -> None:
        self.name = str(source)
        self._cap = None
        self._files = None
        self._first = None
        if isinstance(source, int) or (isinstance(source, str)
                                       and source.isdigit()
                                       and not osp.exists(source)):
            self.kind = 'webcam'
            self._cap = cv2.VideoCapture(int(source))
            if not self._cap.isOpened():
                raise ValueError(f'Cannot open webcam index {source}.')
            self.num_frames = None
            self.fps = self._cap.get(cv2.CAP_PROP_FPS) or fps
        elif osp.isdir(source):
            self.kind = 'folder'
            self._files = sorted(
                (f for f in os.listdir(source)
                 if f.lower().endswith(IMAGE_EXTENSIONS)),
                key=_natural_key)
            if not self._files:
                raise ValueError(
                    f'Frame folder "{source}" holds no image '
                    f'({", ".join(IMAGE_EXTENSIONS)}).')
            self._files = [osp.join(source, f) for f in self._files]
            self.num_frames = len(self._files)
            self.fps = fps
        elif osp.isfile(source):
            self.kind = 'video'
            self._cap = cv2.VideoCapture(source)
            if not self._cap.isOpened():
                raise ValueError(
                    f'Cannot decode video file "{source}" (corrupt file or '
                    'unsupported format).')
            count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
            if count_frames:
                count = self._count(source)
            self.num_frames = count if count > 0 else None
            self.fps = self._cap.get(cv2.CAP_PROP_FPS) or fps
        else:
            raise FileNotFoundError(
                f'Input "{source}" does not exist (expected a video file, '
                'a folder of frames or a webcam index).')
        self._first = self._read_first()
        self.height, self.width = self._first.shape[:2]

    @staticmethod
    def _count(path: str) -> int:
        cap = cv2.VideoCapture(path)
        count = 0
        while cap.grab():
            count += 1
        cap.release()
        return count

    def _read_image(self, path: str) -> np.ndarray:
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError(f'Cannot read frame image "{path}".')
        return img

    def _read_first(self) -> np.ndarray:
        if self._files is not None:
            return self._read_image(self._files[0])
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
                frame = self._read_image(path)
                if frame.shape[:2] != first.shape[:2]:
                    raise ValueError(
                        f'Frame "{path}" has size {frame.shape[1]}x'
                        f'{frame.shape[0]} but the first frame '
                        f'"{self._files[0]}" has {first.shape[1]}x'
                        f'{first.shape[0]} (W x H); all frames of a video '
                        'must have one size.')
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

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_frame_source(source: Union[str, int], fps: float = 25.0,
                      count_frames: bool = False) -> FrameSource:
    """Open a video file, a frame folder or a webcam (see FrameSource)."""
    return FrameSource(source, fps=fps, count_frames=count_frames)


class AtomicVideoWriter:
    """``cv2.VideoWriter`` (mp4v) that appears under its name only at the end.

    Frames go to ``<dir>/.<name>.part.<ext>``; :meth:`close` renames it to
    the final path. :meth:`abort` (or leaving a ``with`` block with an
    exception, Ctrl-C included) deletes the temporary file, so an interrupted
    run leaves nothing under the final name.

    Args:
        path (str): Final output path (``.mp4`` recommended).
        fps (float): Frames per second.
        size (tuple[int, int], optional): ``(width, height)``; taken from the
            first frame when None.
        fourcc (str): Codec. Defaults to ``'mp4v'``.
    """

    def __init__(self, path: str, fps: float,
                 size: Optional[Tuple[int, int]] = None,
                 fourcc: str = 'mp4v') -> None:
        self.path = path
        self.fps = float(fps)
        self.size = size
        self.fourcc = fourcc
        folder, base = osp.split(osp.abspath(path))
        stem, ext = osp.splitext(base)
        os.makedirs(folder, exist_ok=True)
        self.tmp_path = osp.join(folder, f'.{stem}.part{ext or ".mp4"}')
        self._writer = None
        self.num_frames = 0

    def write(self, frame: np.ndarray) -> None:
        """Append one ``(H, W, 3)`` uint8 BGR frame."""
        h, w = frame.shape[:2]
        if self._writer is None:
            if self.size is None:
                self.size = (w, h)
            self._writer = cv2.VideoWriter(
                self.tmp_path, cv2.VideoWriter_fourcc(*self.fourcc),
                self.fps, self.size)
            if not self._writer.isOpened():
                raise ValueError(
                    f'Cannot open a {self.fourcc} video writer for '
                    f'"{self.path}".')
        if (w, h) != tuple(self.size):
            frame = cv2.resize(frame, tuple(self.size))
        self._writer.write(np.ascontiguousarray(frame))
        self.num_frames += 1

    def close(self) -> str:
        """Finish the file and move it to its final name; returns the path."""
        if self._writer is None:
            raise ValueError(f'No frame was written to "{self.path}".')
        self._writer.release()
        self._writer = None
        os.replace(self.tmp_path, self.path)
        return self.path

    def abort(self) -> None:
        """Drop the partial file."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        if osp.exists(self.tmp_path):
            os.remove(self.tmp_path)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
