# DFF with ATEN's key schedule instead of DFF's own: the median frame of
# each 10-frame segment is the key and frames take the nearest key on
# either side (not causal; mean propagation distance 2.5 instead of 4.5
# frames), i.e. a stronger baseline than the paper's Table 1 row.
_base_ = './dff_r50-d16-deeplabv3plus_l10_1xb1-40e_vip.py'

model = dict(key_position='median')
