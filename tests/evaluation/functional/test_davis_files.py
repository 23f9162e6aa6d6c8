"""DAVIS result PNGs: indexed, foreground = index 1, VOC colours."""
import numpy as np
import pytest
from PIL import Image

from aten_mm.evaluation.functional import (
    davis_prediction_path,
    voc_palette,
    write_davis_prediction,
)


def test_voc_palette_known_entries():
    pal = np.array(voc_palette()).reshape(256, 3)
    # bits of i spread over R, G, B from the top bit down
    assert pal[:5].tolist() == [[0, 0, 0], [128, 0, 0], [0, 128, 0],
                                [128, 128, 0], [0, 0, 128]]
    assert pal[8].tolist() == [64, 0, 0]
    assert len({tuple(c) for c in pal}) == 256


def test_write_reads_back_as_indices(tmp_path):
    mask = np.zeros((3, 5), bool)
    mask[1, 2:] = True
    path = write_davis_prediction(str(tmp_path), 'cows', '00007', mask)
    assert path == davis_prediction_path(str(tmp_path), 'cows', '00007')
    assert path.endswith('cows/00007.png')
    with Image.open(path) as img:
        assert img.mode == 'P'
        assert img.getpalette()[:6] == [0, 0, 0, 128, 0, 0]
        arr = np.array(img)
    np.testing.assert_array_equal(arr, mask.astype(np.uint8))


def test_bad_shape(tmp_path):
    with pytest.raises(ValueError, match='cows/00000'):
        write_davis_prediction(str(tmp_path), 'cows', '00000',
                               np.zeros((1, 2, 2)))
