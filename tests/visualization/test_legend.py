import numpy as np
import pytest

from aten_mm.datasets.vip_classes import VIP_CLASSES
from aten_mm.visualization import VIP_PALETTE, draw_legend
from aten_mm.visualization.legend import legend_rows


def _solid(img, box, bgr):
    x1, y1, x2, y2 = box
    return (img[y1:y2 + 1, x1:x2 + 1] == bgr).all()


def test_one_swatch_per_class_in_increasing_order():
    img = np.zeros((120, 160, 3), np.uint8)
    out = draw_legend(img, [13, 2, 2], VIP_CLASSES, font_scale=0.3)
    assert not out[60:].any() and not img.any()  # input untouched
    rows = legend_rows(img.shape[:2], ['2 hair', '13 face'], 0.3)
    for (cell, swatch, _), c in zip(rows, (2, 13)):
        assert _solid(out, swatch, VIP_PALETTE[c][::-1])
        # the cell is white around the swatch, below the previous cell
        assert out[cell[1], cell[0]].tolist() == [255, 255, 255]
    assert rows[1][0][1] == rows[0][0][3] + 1
    # no other class colour anywhere (hat 128,0,0 RGB is not present)
    assert not (out == VIP_PALETTE[1][::-1]).all(-1).any()


def test_empty_and_bad_ids():
    img = np.full((20, 20, 3), 7, np.uint8)
    assert np.array_equal(draw_legend(img, [], VIP_CLASSES), img)
    with pytest.raises(ValueError, match=r'\[20\]'):
        draw_legend(img, [20], VIP_CLASSES)
    # an id without a name is shown by its number
    out = draw_legend(img, [1], ('background', ), np.array(
        [[0, 0, 0], [1, 2, 3]], np.uint8), font_scale=0.3)
    swatch = legend_rows(img.shape[:2], ['1'], 0.3)[0][1]
    assert _solid(out, swatch, [3, 2, 1])


def test_entries_wrap_into_a_second_column_on_a_short_image():
    labels = [f'{c} {VIP_CLASSES[c]}' for c in range(1, 20)]
    rows = legend_rows((40, 400), labels, 0.3)
    xs = sorted({cell[0] for cell, _, _ in rows})
    assert len(xs) > 1  # more than one column
    assert all(cell[3] < 40 for cell, _, _ in rows)  # all inside the image
