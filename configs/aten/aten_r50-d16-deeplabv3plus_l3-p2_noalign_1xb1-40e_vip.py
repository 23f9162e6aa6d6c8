# Ablation "ATEN (w/o flow-warping align)" (Table 3, here on VIP), §5.4:
# the former key frames enter the ConvGRU unwarped; the non-key frames are
# still propagated from F̄_k by flow (Eq. 2), so the row removes only the
# alignment of the reference keys.
_base_ = './aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py'

model = dict(align_refs=False)
