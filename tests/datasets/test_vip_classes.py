import numpy as np

from aten_mm.datasets import DAVISDataset, VIPDataset
from aten_mm.datasets.vip_classes import VIP_CLASSES, VIP_PALETTE
from aten_mm.visualization import palette_from_meta


def test_datasets_carry_their_palette_in_metainfo():
    vip = VIPDataset.METAINFO
    assert vip['classes'] == VIP_CLASSES
    assert np.array_equal(palette_from_meta(vip), np.array(VIP_PALETTE))
    assert len(VIP_PALETTE) == len(VIP_CLASSES) == 20
    assert VIP_PALETTE[2] == (255, 0, 0) and VIP_PALETTE[13] == (0, 0, 255)
    assert len({tuple(c) for c in VIP_PALETTE}) == 20  # all distinct
    davis = DAVISDataset.METAINFO
    assert palette_from_meta(davis).tolist() == [[0, 0, 0], [128, 0, 0]]
