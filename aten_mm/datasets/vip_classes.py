"""The 20 VIP part classes (vip_protocol.md §2; index = pixel value).

VIP uses the CIHP class set: 19 human parts plus background. Left/right are
the *person's* sides, which is why a horizontal flip must swap the pairs in
:data:`VIP_FLIP_PAIRS`.
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
