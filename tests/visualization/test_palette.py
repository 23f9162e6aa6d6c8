import numpy as np
import pytest

from aten_mm.visualization import (
    PERSON_PALETTE,
    VIP_PALETTE,
    palette_from_meta,
    person_colors,
)


def test_person_colors_cycle_and_background():
    ids = np.array([[0, 1, 8], [9, 16, 2]])
    out = person_colors(ids)
    assert out.shape == (2, 3, 3) and out.dtype == np.uint8
    assert out[0, 0].tolist() == [0, 0, 0]
    assert out[0, 1].tolist() == PERSON_PALETTE[0].tolist() == [230, 25, 75]
    assert out[0, 2].tolist() == PERSON_PALETTE[7].tolist()
    assert out[1, 0].tolist() == out[0, 1].tolist()   # 9 cycles to 1
    assert out[1, 1].tolist() == out[0, 2].tolist()   # 16 to 8
    assert person_colors(2).tolist() == [60, 180, 75]
    with pytest.raises(ValueError, match='>= 0'):
        person_colors([-1])


def test_preview_uses_the_same_person_colours():
    from aten_mm.datasets.synthetic.preview import make_contact_sheet
    human = np.zeros((10, 10), np.uint8)
    human[2:8, 2:8] = 3
    sheet = make_contact_sheet(
        [dict(title='x', img=np.zeros((10, 10, 3), np.uint8),
              category=np.zeros_like(human), human=human)],
        min_panel_width=10)
    bgr = person_colors(3)[::-1]
    # the person panel (third) shows id 3 in the shared colour
    assert (sheet == bgr).all(-1).sum() == 36


def test_palette_from_meta():
    assert palette_from_meta(None) is VIP_PALETTE
    assert palette_from_meta(dict(classes=('a', ))) is VIP_PALETTE
    meta = dict(classes=('a', 'b'), palette=[[1, 2, 3], [4, 5, 6]])
    assert palette_from_meta(meta).tolist() == [[1, 2, 3], [4, 5, 6]]
    with pytest.raises(ValueError, match='2 colours for 3 classes'):
        palette_from_meta(dict(classes='abc', palette=[[0, 0, 0]] * 2))
    with pytest.raises(ValueError, match='RGB triples'):
        palette_from_meta(dict(palette=[[0, 0, 300]]))
