# FGFA on the narrow Parsing R-CNN (tests, CPU quick-start): the model of
# fgfa_r50-d16-deeplabv3plus.py (no scale field) at the sizes of
# tiny-detector.py, K = 1.
_base_ = ['./fgfa_r50-d16-deeplabv3plus.py', './tiny-detector.py']

feat_channels = {{_base_.tiny_feat_channels}}
model = dict(
    detector={{_base_.tiny_detector}},
    # FlowNet-S at a quarter of its width, as aten_tiny.py
    motion=dict(base_channels=16),
    aggregator=dict(in_channels=feat_channels, channels=(32, 32, 64)),
    num_neighbors=1)
