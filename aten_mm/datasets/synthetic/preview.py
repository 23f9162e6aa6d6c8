"""Contact sheet of synthetic frames beside their part and person maps.

One row per sample: the frame, its part map in the VIP palette and its
person map (one colour per person id, the colours of the demos and the
visualizer), plus a class legend at the bottom,
for checking a generated set by eye.
"""
import os
import os.path as osp

import cv2
import numpy as np

from aten_mm.datasets.vip_classes import VIP_CLASSES

from .fileio import encode_png, write_bytes

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def make_contact_sheet(samples: list, min_panel_width: int = 200
                       ) -> np.ndarray:
    """Compose the preview sheet.

    Args:
        samples (list): ``(title, img, category, human)`` tuples with img
            (H, W, 3) uint8 BGR, category/human (H, W) uint8 maps.
        min_panel_width (int): Small frames are enlarged (nearest) to at
            least this width.

    Returns:
        np.ndarray: (Hs, Ws, 3) uint8 BGR sheet.
    """
    # imported here: aten_mm.visualization imports aten_mm.datasets
    from aten_mm.visualization import (
        VIP_PALETTE,
        colorize_part_map,
        person_colors,
    )
    if not samples:
        raise ValueError('make_contact_sheet needs at least one sample')
    h, w = samples[0][1].shape[:2]
    f = max(1, int(np.ceil(min_panel_width / w)))
    pw, ph, gap, bar = w * f, h * f, 4, 16
    sheet_w = 3 * pw + 4 * gap
    rows = []
    for title, img, cat, hum in samples:
        panels = [img, colorize_part_map(cat),
                  person_colors(hum)[..., ::-1]]
        row = np.full((bar + ph + gap, sheet_w, 3), 255, np.uint8)
        for i, p in enumerate(panels):
            p = cv2.resize(np.ascontiguousarray(p), (pw, ph),
                           interpolation=cv2.INTER_NEAREST)
            x = gap + i * (pw + gap)
            row[bar:bar + ph, x:x + pw] = p
        cv2.putText(row, f'{title}   frame | parts | persons', (gap, 12),
                    _FONT, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
        rows.append(row)
    ncol, cell_h = 4, 16
    nrow = int(np.ceil(len(VIP_CLASSES) / ncol))
    legend = np.full((nrow * cell_h + gap, sheet_w, 3), 255, np.uint8)
    cell_w = (sheet_w - gap) // ncol
    for c, name in enumerate(VIP_CLASSES):
        x, y = gap + (c // nrow) * cell_w, (c % nrow) * cell_h
        bgr = tuple(int(v) for v in VIP_PALETTE[c][::-1])
        cv2.rectangle(legend, (x, y + 2), (x + 12, y + 13), bgr, -1)
        cv2.putText(legend, f'{c} {name}', (x + 16, y + 12), _FONT, 0.38,
                    (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate(rows + [legend], 0)


def write_preview(path: str, samples: list) -> str:
    """Write the contact sheet of ``samples`` as a PNG; returns ``path``."""
    write_bytes(path, encode_png(make_contact_sheet(samples)))
    return path


def load_vip_samples(root: str, max_rows: int = 6) -> list:
    """Read preview samples back from a VIP-layout set on disk.

    Takes the middle annotated frame of each of the first ``max_rows``
    videos of ``VIP_Fine/Images``.

    Args:
        root (str): Data root holding ``VIP_Fine``.
        max_rows (int): Most samples.

    Returns:
        list: ``(title, img, category, human)`` tuples.
    """
    from .writer_vip import SPLITS
    lists = osp.join(root, 'VIP_Fine', 'lists')
    videos = []
    for split in SPLITS:
        path = osp.join(lists, f'{split}_videos.txt')
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path} not found: {root} is not a '
                                    'VIP-layout set')
        with open(path) as f:
            videos += [x.strip() for x in f if x.strip()]
    samples = []
    ann = osp.join(root, 'VIP_Fine', 'Annotations')
    for video in sorted(videos, key=lambda v: (len(v), v))[:max_rows]:
        names = sorted(x[:-4] for x in os.listdir(
            osp.join(root, 'VIP_Fine', 'Images', video)))
        name = names[len(names) // 2]
        img = cv2.imread(osp.join(root, 'VIP_Fine', 'Images', video,
                                  name + '.jpg'))
        cat = cv2.imread(osp.join(ann, 'Category_ids', video, name + '.png'),
                         cv2.IMREAD_UNCHANGED)
        hum = cv2.imread(osp.join(ann, 'Human_ids', video, name + '.png'),
                         cv2.IMREAD_UNCHANGED)
        samples.append((f'{video}/{name}', img, cat, hum))
    return samples
