"""The 20 VIP part classes (docs/vip_protocol.md §2; index = pixel value).

VIP uses the CIHP class set: 19 human parts plus background. Left/right are
the *person's* sides, which is why a horizontal flip must swap the pairs in
:data:`VIP_FLIP_PAIRS`. :data:`VIP_PALETTE` gives each class its RGB
colour; the datasets carry it as ``metainfo['palette']`` (as mmseg's
LIP/CIHP datasets do), which the visualizer reads.
"""

VIP_CLASSES = (
    'background',      # 0
    'hat',             # 1
    'hair',            # 2
    'gloves',          # 3
    'sunglasses',      # 4
    'upper-clothes',   # 5
    'dress',           # 6
    'coat',            # 7
    'socks',           # 8
    'pants',           # 9
    'torso-skin',      # 10
    'scarf',           # 11
    'skirt',           # 12
    'face',            # 13
    'left-arm',        # 14
    'right-arm',       # 15
    'left-leg',        # 16
    'right-leg',       # 17
    'left-shoe',       # 18
    'right-shoe',      # 19
)

#: Class pairs whose ids swap under a horizontal flip.
VIP_FLIP_PAIRS = ((14, 15), (16, 17), (18, 19))

NUM_VIP_CLASSES = len(VIP_CLASSES)

#: RGB colour of each class (index = class id): the LIP/CIHP palette of the
#: human-parsing releases of the LIP/CIHP/VIP family.
VIP_PALETTE = (
    (0, 0, 0),        # 0 background
    (128, 0, 0),      # 1 hat
    (255, 0, 0),      # 2 hair
    (0, 85, 0),       # 3 gloves
    (170, 0, 51),     # 4 sunglasses
    (255, 85, 0),     # 5 upper-clothes
    (0, 0, 85),       # 6 dress
    (0, 119, 221),    # 7 coat
    (85, 85, 0),      # 8 socks
    (0, 85, 85),      # 9 pants
    (85, 51, 0),      # 10 torso-skin
    (52, 86, 128),    # 11 scarf
    (0, 128, 0),      # 12 skirt
    (0, 0, 255),      # 13 face
    (51, 170, 221),   # 14 left-arm
    (0, 255, 255),    # 15 right-arm
    (85, 255, 170),   # 16 left-leg
    (170, 255, 85),   # 17 right-leg
    (255, 255, 0),    # 18 left-shoe
    (255, 170, 0),    # 19 right-shoe
)
