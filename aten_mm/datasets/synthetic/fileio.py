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


def write_lines(path: str, lines: list) -> None:
    """Write one item per line (``\\n`` endings, trailing newline)."""
    write_bytes(path, ''.join(f'{x}\n' for x in lines).encode())
