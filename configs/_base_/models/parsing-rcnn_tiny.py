# A narrow Parsing R-CNN with the structure of the paper's model
# (parsing-rcnn_r50-d8-deeplabv3plus.py) at the sizes of tiny-detector.py
# (ResNet-18 at a quarter width, 64-channel feature). No pretrained weights:
# for the tests and the CPU quick-start (~128 px inputs).
_base_ = [
    './parsing-rcnn_r50-d8-deeplabv3plus.py', './tiny-detector.py'
]

feat_channels = {{_base_.tiny_feat_channels}}
model = {{_base_.tiny_detector}}
