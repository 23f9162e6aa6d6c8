# Per-frame Parsing R-CNN on VIP (paper Table 1, row "frame") at the
# release's output stride 16 (see
# _base_/models/parsing-rcnn_r50-d16-deeplabv3plus.py); the d8 variant is
# parsing-rcnn_r50-d8-deeplabv3plus_1xb1-40e_vip.py.
_base_ = './parsing-rcnn_r50-d8-deeplabv3plus_1xb1-40e_vip.py'

model = dict(
    backbone=dict(strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2)),
    neck=dict(output_stride=16))
