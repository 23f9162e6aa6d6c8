# ATEN (paper §4, Fig. 3-4, Algorithm 1) on the paper's Parsing R-CNN
# (ResNet-50 + DeepLabV3+ at output stride 16 as the original release,
# 256-ch stride-4 feature): l = 3 (median key), p = 2 reference keys aligned
# by FlowNet-S + FlowWarp ⊙ scale field (Eq. 3), encoded by a 3x3 ConvGRU
# (Eq. 4), propagated to non-key frames by the same aligner (Eq. 2).
# l and p are written here only: the datasets' clip_cfg is derived from the
# model when the config is loaded (docs/interfaces.md, "One owner").
_base_ = './parsing-rcnn_r50-d16-deeplabv3plus.py'

model = dict(
    _delete_=True,
    type='ATEN',
    # its data_preprocessor serves the video model
    detector={{_base_.model}},
    # FlowNet-S on full-resolution frames (§4.5); pre-trained on FlyingChairs
    # in the paper: convert a public checkpoint with
    # tools/model_converters/flownets_to_aten.py and set
    # motion.init_cfg=dict(type='Pretrained', checkpoint=...).
    motion=dict(type='FlowNetS', scale_channels={{_base_.feat_channels}}),
    aligner=dict(type='FlowAligner'),
    encoder=dict(
        type='ConvGRUEncoder',
        in_channels={{_base_.feat_channels}},
        kernel_size=3,
        # The paper does not say how h_0 is set; the original release starts
        # the convGRU from the mean of its inputs (its ConvLSTM from zeros).
        init_state='mean'),
    key_interval=3,
    num_refs=2,
    key_position='median',
    align_refs=True,
    propagate='flow',
    freeze_modules=[])
