"""Colour legend of the part classes shown in an overlay."""
from typing import Optional, Sequence

import cv2
import numpy as np

from .palette import VIP_PALETTE

_FONT = cv2.FONT_HERSHEY_SIMPLEX


def legend_rows(image_hw: Sequence[int], labels: Sequence[str],
                font_scale: float) -> list:
    """Where each legend entry goes.

    Entries fill a column top-down from the top-left corner, then the next
    column to the right, each cell a white box with a square swatch and
    its label.

    Args:
        image_hw (Sequence[int]): ``(H, W)`` of the image.
        labels (Sequence[str]): One text per entry.
        font_scale (float): OpenCV font scale.

    Returns:
        list[tuple]: Per entry ``(cell, swatch, text_org)``: ``cell`` and
        ``swatch`` are inclusive ``(x1, y1, x2, y2)`` pixel boxes and
        ``text_org`` the ``(x, y)`` baseline origin of the label.
    """
    (_, th), base = cv2.getTextSize('Ag', _FONT, font_scale, 1)
    row = th + base + 4
    side = row - 4
    width = side + 8 + max(
        cv2.getTextSize(t, _FONT, font_scale, 1)[0][0] for t in labels)
    per_col = max(1, (int(image_hw[0]) - 2) // row)
    out = []
    for i in range(len(labels)):
        col, r = divmod(i, per_col)
        x0, y0 = 1 + col * width, 1 + r * row
        out.append(((x0, y0, x0 + width - 1, y0 + row - 1),
                    (x0 + 2, y0 + 2, x0 + 1 + side, y0 + 1 + side),
                    (x0 + side + 5, y0 + row - base - 2)))
    return out


def draw_legend(image_bgr: np.ndarray,
                class_ids: Sequence[int],
                class_names: Sequence[str],
                palette: np.ndarray = VIP_PALETTE,
                font_scale: Optional[float] = None) -> np.ndarray:
    """Draw a colour legend of ``class_ids`` in the top-left corner.

    Args:
        image_bgr (np.ndarray): ``(H, W, 3)`` uint8 BGR image.
        class_ids (Sequence[int]): Classes to list (e.g. those present in
            the part map), drawn in increasing order, duplicates once.
        class_names (Sequence[str]): Name of each class (index = id); an id
            beyond it is shown by its number only.
        palette (np.ndarray): ``(C, 3)`` uint8 RGB palette.
        font_scale (float, optional): Defaults to a scale growing with the
            image (0.3 up to 480 px on the short side).

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 BGR image with the legend (a new
        array; the input is not modified).
    """
    out = np.array(image_bgr, dtype=np.uint8, copy=True)
    ids = sorted({int(c) for c in class_ids})
    if not ids:
        return out
    palette = np.asarray(palette, dtype=np.uint8)
    bad = [c for c in ids if not 0 <= c < len(palette)]
    if bad:
        raise ValueError(f'legend classes {bad} have no palette colour '
                         f'(palette of {len(palette)}).')
    if font_scale is None:
        font_scale = max(0.3, min(out.shape[:2]) / 1600)
    labels = [f'{c} {class_names[c]}' if c < len(class_names) else str(c)
              for c in ids]
    for c, label, (cell, swatch, org) in zip(
            ids, labels, legend_rows(out.shape[:2], labels, font_scale)):
        cv2.rectangle(out, cell[:2], cell[2:], (255, 255, 255), -1)
        color = tuple(int(v) for v in palette[c][::-1])
        cv2.rectangle(out, swatch[:2], swatch[2:], color, -1)
        cv2.putText(out, label, org, _FONT, font_scale, (0, 0, 0), 1,
                    cv2.LINE_AA)
    return out
