# Ablation "ATEN (w/o flow-warping alignment)" (Table 3, here on VIP): the
# reference keys enter the ConvGRU and the non-key frames use F̄_k unwarped.
_base_ = './aten_r50-d8-deeplabv3plus_l3-p2_1xb1-40e_vip.py'

model = dict(propagate='none', motion=None)
