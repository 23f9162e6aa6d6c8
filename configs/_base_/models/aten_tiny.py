# ATEN on the narrow Parsing R-CNN (parsing-rcnn_tiny.py, 64-ch feature) for
# the tests and the CPU quick-start (~128 px inputs, no pretrained weights):
# the video settings of aten_r50-d16-deeplabv3plus.py at the tiny widths.
_base_ = './parsing-rcnn_tiny.py'

feat_channels = 64
detector = {{_base_.model}}
# FlowNet-S at a quarter of its width (16 -> 256 channels)
motion = dict(type='FlowNetS', scale_channels=feat_channels, base_channels=16)
encoder = dict(
    type='ConvGRUEncoder',
    in_channels=feat_channels,
    kernel_size=3,
    init_state='mean')  # as the release (aten_r50-d16-deeplabv3plus.py)

model = dict(
    _delete_=True,
    type='ATEN',
    detector=detector,
    motion=motion,
    aligner=dict(type='FlowAligner'),
    encoder=encoder,
    key_interval=3,
    num_refs=2,
    key_position='median',
    align_refs=True,
    propagate='flow',
    freeze_modules=[])
