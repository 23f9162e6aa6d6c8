# ATEN on the narrow Parsing R-CNN (tiny-detector.py, 64-ch feature) for
# the tests and the CPU quick-start (~128 px inputs, no pretrained weights):
# the video model of aten_r50-d16-deeplabv3plus.py at the tiny sizes.
_base_ = ['./aten_r50-d16-deeplabv3plus.py', './tiny-detector.py']

feat_channels = {{_base_.tiny_feat_channels}}
model = dict(
    detector={{_base_.tiny_detector}},
    # FlowNet-S at a quarter of its width (16 -> 256 channels)
    motion=dict(scale_channels=feat_channels, base_channels=16),
    encoder=dict(in_channels=feat_channels))
