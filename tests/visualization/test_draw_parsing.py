import numpy as np
import pytest
import torch

from aten_mm.visualization import (
    VIP_PALETTE,
    colorize_part_map,
    draw_data_sample,
    draw_legend,
    draw_parsing,
    person_colors,
)


def _image(h=20, w=30):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


def _part_map(h=20, w=30):
    part = np.zeros((h, w), np.int64)
    part[2:8, 3:10] = 2      # hair
    part[10:18, 5:25] = 13   # face
    part[0, 29] = 19         # right-shoe, one pixel
    return part


def test_alpha_one_gives_palette_colours_in_bgr():
    img, part = _image(), _part_map()
    out = draw_parsing(img, part, alpha=1.0)
    # palette is RGB, the image BGR: hair (255, 0, 0) RGB -> (0, 0, 255)
    assert out[4, 5].tolist() == [0, 0, 255]
    assert out[12, 10].tolist() == VIP_PALETTE[13][::-1].tolist()
    assert out[0, 29].tolist() == [0, 170, 255]
    fg = part > 0
    assert np.array_equal(out[fg], VIP_PALETTE[part[fg]][:, ::-1])
    # background keeps the image exactly; the input is not modified
    assert np.array_equal(out[~fg], img[~fg])
    assert not np.array_equal(img[fg], out[fg])


def test_alpha_blend_value_and_alpha_zero():
    img = np.full((4, 4, 3), 100, np.uint8)
    part = np.zeros((4, 4), np.int64)
    part[1, 1] = 2  # RGB (255, 0, 0) -> BGR (0, 0, 255)
    out = draw_parsing(img, part, alpha=0.5)
    assert out[1, 1].tolist() == [50, 50, 178]  # round(0.5*100 + 0.5*255)
    assert np.array_equal(draw_parsing(img, part, alpha=0.0), img)


def test_person_outline_and_interior():
    img = np.zeros((40, 40, 3), np.uint8)
    masks = np.zeros((1, 40, 40), bool)
    masks[0, 10:30, 10:30] = True
    out = draw_parsing(img, None, masks, person_ids=[3], thickness=1,
                       draw_ids=False)
    color = person_colors(3)[::-1].tolist()  # BGR of the shared scheme
    assert color == [25, 225, 255]  # RGB (255, 225, 25)
    assert out[10, 20].tolist() == color   # top edge
    assert out[20, 29].tolist() == color   # right edge
    assert out[20, 20].tolist() == [0, 0, 0]  # interior untouched
    assert out[5, 5].tolist() == [0, 0, 0]    # outside untouched
    # the id label is drawn above the box when asked
    with_id = draw_parsing(img, None, torch.from_numpy(masks), [3],
                           thickness=1)
    assert (with_id[:10] != 0).any() and not (out[:9] != 0).any()


def test_errors_name_the_problem():
    img = _image()
    bad = _part_map()
    bad[0, 0] = 20
    with pytest.raises(ValueError, match=r'\[0, 19\]'):
        draw_parsing(img, bad)
    with pytest.raises(ValueError, match='differs from the image'):
        draw_parsing(img, np.zeros((5, 5), np.int64))
    with pytest.raises(ValueError, match='alpha'):
        draw_parsing(img, _part_map(), alpha=1.5)
    with pytest.raises(ValueError, match='person ids'):
        draw_parsing(img, None, np.ones((2, 20, 30), bool), [1])


def test_colorize_part_map_is_bgr_palette():
    part = np.arange(20).reshape(4, 5)
    assert np.array_equal(colorize_part_map(part).reshape(20, 3),
                          VIP_PALETTE[:, ::-1])


def test_draw_data_sample_legend_lists_the_classes_present():
    from mmdet.structures import DetDataSample
    from mmengine.structures import PixelData

    from aten_mm.datasets.vip_classes import VIP_CLASSES
    img, part = _image(60, 200), np.zeros((60, 200), np.int64)
    part[40:50, 150:160] = 2
    part[50:55, 150:190] = 13
    sample = DetDataSample()
    sample.pred_sem_seg = PixelData(sem_seg=torch.from_numpy(part)[None])
    plain = draw_data_sample(img, sample, alpha=1.0)
    with_legend = draw_data_sample(img, sample, alpha=1.0,
                                   class_names=VIP_CLASSES)
    assert np.array_equal(plain, draw_parsing(img, part, alpha=1.0))
    # the legend is draw_legend of exactly the classes 2 and 13
    assert np.array_equal(
        with_legend, draw_legend(plain, [2, 13], VIP_CLASSES, VIP_PALETTE))
    assert not np.array_equal(with_legend, plain)
    # outside the legend's corner the overlay is unchanged
    assert np.array_equal(with_legend[:, 120:], plain[:, 120:])
