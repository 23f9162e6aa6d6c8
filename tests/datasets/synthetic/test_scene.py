"""Tests of the scene renderer's helpers."""
import numpy as np

from aten_mm.datasets.synthetic.scene import boundary_pixels


def test_boundary_pixels_hand_computed():
    # bg | person part 5 | part 5 | part 9 | bg | occluder | occluder | bg
    surface = np.array([[0, 300, 300, 301, 0, 1, 1, 0]], np.int32)
    category = np.array([[0, 5, 5, 9, 0, 0, 0, 0]], np.uint8)
    human = np.array([[0, 1, 1, 1, 0, 0, 0, 0]], np.uint8)
    edge = boundary_pixels(category, human, surface)
    # outlines on the foreground side; between two parts the left pixel
    assert edge.tolist() == [[False, True, True, True, False, True, True,
                              False]]
    # vertically the same rule (upper pixel between two foregrounds)
    edge_t = boundary_pixels(category.T, human.T, surface.T)
    np.testing.assert_array_equal(edge_t, edge.T)
    # two people with the same class touch: a boundary too
    human2 = human.copy()
    human2[0, 2:4] = 2
    category2 = category.copy()
    category2[0, 3] = 5
    surface2 = np.array([[0, 300, 364, 364, 0, 1, 1, 0]], np.int32)
    assert boundary_pixels(category2, human2, surface2)[0, :4].tolist() == [
        False, True, False, True]
