# Parsing R-CNN at output stride 16, the faithful network: the paper (§5.1)
# uses "the basic structure and network settings provided by DeepLabV3+"
# without stating the encoder's stride; DeepLabV3+'s default and the
# original release (a ResNet whose stage 5 is dilated by 2, ASPP rates
# 6/12/18, the decoder upsampling "from 1/16 to 1/4") use output stride 16.
# Everything else as parsing-rcnn_r50-d8-deeplabv3plus.py (the d8 variant:
# stages 4-5 dilated, ~2x the cost of N_feat).
_base_ = './parsing-rcnn_r50-d8-deeplabv3plus.py'

model = dict(
    backbone=dict(strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2)),
    neck=dict(output_stride=16))
