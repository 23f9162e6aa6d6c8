# DFF (l = 10, DFF's first-frame keys) on the output-stride-8 ("d8")
# variant of the network; the Table 1 row is
# dff_r50-d16-deeplabv3plus_l10_1xb1-40e_vip.py.
_base_ = './dff_r50-d16-deeplabv3plus_l10_1xb1-40e_vip.py'

model = dict(
    detector=dict(
        backbone=dict(strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4)),
        neck=dict(output_stride=8)))
