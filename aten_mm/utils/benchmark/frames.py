"""Frames to time a model on: a video file, the synthetic generator, a
frames folder."""
import os
import os.path as osp
from typing import List, Optional, Tuple

import numpy as np


def resize_longer(frame: np.ndarray, size: int) -> np.ndarray:
    """Resize so that the longer side is ``size`` (aspect kept).

    Args:
        frame (np.ndarray): ``(H, W, 3)`` image.
        size (int): Longer side of the result.

    Returns:
        np.ndarray: The resized image (``frame`` itself when it fits).
    """
    import cv2
    h, w = frame.shape[:2]
    scale = size / max(h, w)
    if scale == 1:
        return frame
    new = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(frame, new, interpolation=cv2.INTER_LINEAR)


def read_video(path: str, num: int, size: int) -> List[np.ndarray]:
    """First ``num`` frames of a video file (BGR, longer side ``size``).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: OpenCV cannot open it, or it has fewer frames.
    """
    import cv2
    if not osp.isfile(path):
        raise FileNotFoundError(f'--video: file "{path}" does not exist')
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise ValueError(f'--video: OpenCV cannot open "{path}" (expected a '
                         'readable video file, e.g. .mp4/.avi)')
    frames = []
    while len(frames) < num:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(resize_longer(frame, size))
    cap.release()
    if len(frames) < num:
        raise ValueError(f'--video: "{path}" gave {len(frames)} decodable '
                         f'frames, the benchmark needs {num} (warm-up + '
                         '--frames); the file is short or corrupt')
    return frames


def render_synthetic(num: int, size: int, seed: int = 0) -> List[np.ndarray]:
    """``num`` frames of one synthetic video (16:9, longer side ``size``),
    rendered in memory with :mod:`aten_mm.datasets.synthetic`."""
    from aten_mm.datasets.synthetic.generator import make_video
    from aten_mm.datasets.synthetic.scene import render_image, render_labels
    width, height = size, max(32, round(size * 9 / 16))
    video = make_video(seed, 0, (width, height), num)
    frames = []
    for t in range(num):
        cat, hum, poses = render_labels(video, t)
        frames.append(render_image(video, t, cat, hum, poses,
                                   np.random.default_rng([seed, 0, 2, t])))
    return frames


def read_frames(folder: str, limit: int) -> List[np.ndarray]:
    """The first ``limit`` frames (BGR) of a folder of ``.jpg`` frames, in
    file-name order.

    Raises:
        FileNotFoundError: The folder holds no ``.jpg`` frame.
    """
    import cv2
    names = sorted(n for n in os.listdir(folder) if n.endswith('.jpg'))
    if not names:
        raise FileNotFoundError(f'no .jpg frames in {folder}')
    return [cv2.imread(osp.join(folder, n)) for n in names[:limit]]


def write_video(path: str, files: List[str], fps: float = 25.0) -> None:
    """Write image files, in order, to an mp4v video at ``path``."""
    import cv2
    first = cv2.imread(files[0])
    h, w = first.shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (w, h))
    for name in files:
        writer.write(cv2.imread(name))
    writer.release()


def count_frames(path: str) -> Tuple[int, Optional[Tuple[int, int]]]:
    """``(frames, (h, w))`` of a video decoded to its end with OpenCV
    (``(0, None)`` when nothing decodes)."""
    import cv2
    cap = cv2.VideoCapture(path)
    count, shape = 0, None
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        shape = frame.shape[:2]
        count += 1
    cap.release()
    return count, shape
