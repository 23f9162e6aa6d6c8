# ATEN (paper §4, Fig. 3-4, Algorithm 1) on the paper's Parsing R-CNN
# (ResNet-50 d8 + DeepLabV3+, 256-ch stride-4 feature): l = 3 (median key),
# p = 2 reference keys aligned by FlowNet-S + FlowWarp ⊙ scale field (Eq. 3),
# encoded by a 3x3 ConvGRU (Eq. 4), propagated to non-key frames (Eq. 2).
# The dataset's clip_cfg must use the same key_interval / num_refs.
_base_ = './parsing-rcnn_r50-d8-deeplabv3plus.py'

feat_channels = 256
detector = {{_base_.model}}  # its data_preprocessor serves the video model
# FlowNet-S on full-resolution frames (§4.5); pre-trained on FlyingChairs in
# the paper: convert a public checkpoint with
# tools/model_converters/flownets_to_aten.py and set
# motion.init_cfg=dict(type='Pretrained', checkpoint=...).
motion = dict(type='FlowNetS', scale_channels=feat_channels)
encoder = dict(
    type='ConvGRUEncoder',
    in_channels=feat_channels,
    kernel_size=3)

model = dict(
    _delete_=True,
    type='ATEN',
    detector=detector,
    motion=motion,
    encoder=encoder,
    key_interval=3,
    num_refs=2,
    propagate='flow',
    freeze_modules=[])
