"""Contact sheet of synthetic frames beside their maps and flow.

One row per sample: the frame, its part map in the VIP palette, its person
map (one colour per person id) and its ground-truth backward flow in the
Middlebury colour wheel (:func:`mmcv.flow2rgb`, normalised per panel,
invalid pixels darkened), with the frame's hard-frame flags in the row's
title, plus a class legend at the bottom, for checking a set by eye.
"""
import json
import os
import os.path as osp

import cv2
import numpy as np

from aten_mm.datasets.vip_classes import VIP_CLASSES

from .fileio import encode_png, write_bytes

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def flow_panel(flow, valid) -> np.ndarray:
    """(H, W, 2) flow and (H, W) bool validity → (H, W, 3) uint8 RGB
    colour-wheel image, invalid pixels at 30 % brightness."""
    import mmcv
    rgb = mmcv.flow2rgb(np.asarray(flow, np.float32))
    rgb = rgb * np.where(valid, 1.0, 0.3)[..., None]
    return np.clip(rgb * 255 + 0.5, 0, 255).astype(np.uint8)


def make_contact_sheet(samples: list, min_panel_width: int = 200
                       ) -> np.ndarray:
    """Compose the preview sheet.

    Args:
        samples (list): dicts with ``title`` (str), ``img`` (H, W, 3)
            uint8 BGR, ``category`` and ``human`` (H, W) uint8 maps, and
            optionally ``flow`` (``(flow (H, W, 2), valid (H, W))`` or
            None: grey panel) and ``kinds`` (list of hard-frame kinds;
            empty = clean).

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
    h, w = samples[0]['img'].shape[:2]
    f = max(1, int(np.ceil(min_panel_width / w)))
    pw, ph, gap, bar = w * f, h * f, 4, 16
    sheet_w = 4 * pw + 5 * gap
    rows = []
    for s in samples:
        fl = s.get('flow')
        flow_rgb = (np.full((h, w, 3), 128, np.uint8) if fl is None else
                    flow_panel(*fl))
        panels = [s['img'], colorize_part_map(s['category']),
                  person_colors(s['human'])[..., ::-1],
                  flow_rgb[..., ::-1]]
        row = np.full((bar + ph + gap, sheet_w, 3), 255, np.uint8)
        for i, p in enumerate(panels):
            p = cv2.resize(np.ascontiguousarray(p), (pw, ph),
                           interpolation=cv2.INTER_NEAREST)
            x = gap + i * (pw + gap)
            row[bar:bar + ph, x:x + pw] = p
        kinds = s.get('kinds') or []
        flags = 'HARD: ' + '+'.join(kinds) if kinds else 'clean'
        rng = ('no flow' if fl is None else
               f'flow max {np.abs(fl[0]).max():.1f}px')
        cv2.putText(row, f'{s["title"]} [{flags}]   frame | parts | '
                    f'persons | {rng}', (gap, 12), _FONT, 0.4,
                    (0, 0, 200) if kinds else (0, 0, 0), 1, cv2.LINE_AA)
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
    videos of ``VIP_Fine/Images``, with its flow and hard-frame flags when
    the set has them.

    Args:
        root (str): Data root holding ``VIP_Fine``.
        max_rows (int): Most samples.

    Returns:
        list: Sample dicts for :func:`make_contact_sheet`.
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
        flo = osp.join(root, 'flow', video, name + '.flo')
        flow = None
        if osp.isfile(flo):
            import mmcv
            valid = cv2.imread(osp.join(root, 'flow', video,
                                        name + '_valid.png'),
                               cv2.IMREAD_UNCHANGED)
            flow = (mmcv.flowread(flo),
                    np.ones(img.shape[:2], bool) if valid is None else
                    valid > 0)
        kinds = []
        meta = osp.join(root, 'meta', video + '.json')
        if osp.isfile(meta):
            with open(meta) as f:
                kinds = json.load(f).get('hard_kinds', {}).get(
                    str(int(name)), [])
        samples.append(dict(title=f'{video}/{name}', img=img, category=cat,
                            human=hum, flow=flow, kinds=kinds))
    return samples
