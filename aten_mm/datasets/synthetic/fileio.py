"""Deterministic image encoding and file writing for the synthetic writers.

Images are encoded once in memory with fixed parameters, so the same array
always gives the same bytes, and a frame stored twice (VIP_Sequence and
VIP_Fine/Images) is byte-identical.
"""
import os
import os.path as osp

import cv2
import numpy as np

JPEG_QUALITY = 95
PNG_COMPRESSION = 3


def encode_jpg(img: np.ndarray) -> bytes:
    """Encode an (H, W, 3) uint8 BGR image as JPEG (quality 95)."""
    ok, buf = cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY,
                                         JPEG_QUALITY])
    if not ok:
        raise RuntimeError('OpenCV failed to encode a JPEG')
    return buf.tobytes()


def encode_png(arr: np.ndarray) -> bytes:
    """Encode a uint8/uint16 single-channel (or BGR) array as PNG."""
    ok, buf = cv2.imencode('.png', arr, [cv2.IMWRITE_PNG_COMPRESSION,
                                         PNG_COMPRESSION])
    if not ok:
        raise RuntimeError('OpenCV failed to encode a PNG')
    return buf.tobytes()


def write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path``, creating its folder."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def write_flow(root: str, video: str, stem: str, flow: np.ndarray,
               valid: np.ndarray) -> None:
    """Write a ground-truth flow and its validity mask.

    ``<root>/flow/<video>/<stem>.flo`` (Middlebury, written by
    :func:`mmcv.flowwrite`, read back by :func:`mmcv.flowread`) and
    ``<root>/flow/<video>/<stem>_valid.png`` (uint8, 255 = valid).

    Args:
        root (str): Set root.
        video (str): Video name.
        stem (str): File stem of frame t (the frame the flow starts from).
        flow (np.ndarray): (H, W, 2) float32 backward flow t → t-1, pixels.
        valid (np.ndarray): (H, W) bool validity.
    """
    import mmcv
    folder = osp.join(root, 'flow', video)
    os.makedirs(folder, exist_ok=True)
    mmcv.flowwrite(np.ascontiguousarray(flow, np.float32),
                   osp.join(folder, stem + '.flo'))
    write_bytes(osp.join(folder, stem + '_valid.png'),
                encode_png(np.where(valid, 255, 0).astype(np.uint8)))


def write_lines(path: str, lines: list) -> None:
    """Write one item per line (``\\n`` endings, trailing newline)."""
    write_bytes(path, ''.join(f'{x}\n' for x in lines).encode())
