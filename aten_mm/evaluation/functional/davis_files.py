"""DAVIS-format prediction files (docs/davis_protocol.md, "Result files").

The DAVIS toolkits read one PNG per frame under ``<root>/<sequence>/``,
named like the annotation (``00000.png``, 5 digits, frames from 0). The
2016 toolkit takes any non-zero value as foreground; the davis2017 toolkit
reads the palette indices as object ids. Writing an indexed (mode ``'P'``)
PNG whose index 1 is the foreground, with the PASCAL-VOC colour map the
DAVIS annotations use, satisfies both and opens as a coloured mask.
"""
import os
import os.path as osp

import numpy as np
from PIL import Image

from aten_mm.utils.path_check import join_inside


def voc_palette(num: int = 256) -> list:
    """The PASCAL-VOC colour map (DAVIS annotations use it).

    Entry ``i`` spreads the bits of ``i`` over R, G and B from the top
    bit down: 0 = black, 1 = (128, 0, 0), 2 = (0, 128, 0) ...

    Args:
        num (int): Number of entries. Defaults to 256.

    Returns:
        list[int]: ``3 * num`` values, as ``Image.putpalette`` takes them.
    """
    palette = []
    for i in range(num):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        palette += [r, g, b]
    return palette


def davis_prediction_path(root: str, video_id: str, frame_name: str) -> str:
    """``<root>/<video_id>/<frame_name>.png``.

    Raises:
        ValueError: the path would lead outside ``root`` (a video id such
            as ``../x``).
    """
    return join_inside(root, video_id, f'{frame_name}.png')


def write_davis_prediction(root: str, video_id: str, frame_name: str,
                           mask: np.ndarray) -> str:
    """Write one frame's foreground mask as a DAVIS result PNG.

    Args:
        root (str): Results root.
        video_id (str): Sequence name, e.g. ``'blackswan'``.
        frame_name (str): Annotation stem, e.g. ``'00000'``.
        mask (np.ndarray): ``(H, W)`` bool (or 0/1) foreground mask at the
            annotation's size.

    Returns:
        str: The written path.
    """
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f'{video_id}/{frame_name}: a DAVIS mask must be '
                         f'(H, W), got shape {mask.shape}')
    path = davis_prediction_path(root, video_id, frame_name)
    os.makedirs(osp.dirname(path), exist_ok=True)
    img = Image.fromarray((mask != 0).astype(np.uint8))
    img.putpalette(voc_palette())  # mode 'L' -> 'P', indices kept
    img.save(path)
    return path
