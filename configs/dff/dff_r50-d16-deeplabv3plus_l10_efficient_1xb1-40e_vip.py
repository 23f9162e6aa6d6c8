# Efficient DFF on the paper's output-stride-16 network: the cost options
# of dff_r50-d8-..._efficient_1xb1-40e_vip.py with the encoder strides of
# the faithful d16 row
# (configs/_base_/models/parsing-rcnn_r50-d16-deeplabv3plus.py).
_base_ = './dff_r50-d8-deeplabv3plus_l10_efficient_1xb1-40e_vip.py'

model = dict(
    detector=dict(
        backbone=dict(strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2)),
        neck=dict(output_stride=16)))
