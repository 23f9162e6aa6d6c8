"""Colour palette of the 20 VIP classes.

The LIP/CIHP-style palette used by the human-parsing releases of the
LIP/CIHP/VIP family (index = class id of
:data:`aten_mm.datasets.vip_classes.VIP_CLASSES`), RGB order.
"""
import numpy as np

VIP_PALETTE = np.array(
    [
        [0, 0, 0],        # 0 background
        [128, 0, 0],      # 1 hat
        [255, 0, 0],      # 2 hair
        [0, 85, 0],       # 3 gloves
        [170, 0, 51],     # 4 sunglasses
        [255, 85, 0],     # 5 upper-clothes
        [0, 0, 85],       # 6 dress
        [0, 119, 221],    # 7 coat
        [85, 85, 0],      # 8 socks
        [0, 85, 85],      # 9 pants
        [85, 51, 0],      # 10 torso-skin
        [52, 86, 128],    # 11 scarf
        [0, 128, 0],      # 12 skirt
        [0, 0, 255],      # 13 face
        [51, 170, 221],   # 14 left-arm
        [0, 255, 255],    # 15 right-arm
        [85, 255, 170],   # 16 left-leg
        [170, 255, 85],   # 17 right-leg
        [255, 255, 0],    # 18 left-shoe
        [255, 170, 0],    # 19 right-shoe
    ],
    dtype=np.uint8)
VIP_PALETTE.setflags(write=False)
