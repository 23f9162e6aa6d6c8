# Component guide (docs/component_guide.md): aten_mm's DeepLabV3+ neck
# (VideoDeepLabV3Plus, the feature network N_feat of paper §4.3, §4.5)
# inside an unmodified mmseg EncoderDecoder with an mmseg FCNHead.
# Tiny (ResNet-18 at a quarter width, no pretrained weights): builds and
# runs on the CPU in a second. Every type carries its scope, so the model
# builds under the default scope 'aten_mm' or 'mmdet' (not 'mmseg': aten_mm's
# registries are children of mmdet's, which mmseg's scope cannot see);
# `custom_imports` registers aten_mm's modules for plain mmengine tools.
default_scope = 'aten_mm'
custom_imports = dict(imports=['aten_mm.models'], allow_failed_imports=False)

norm_cfg = dict(type='BN', requires_grad=True)
feat_channels = 32
num_classes = 20

model = dict(
    type='mmseg.EncoderDecoder',
    data_preprocessor=dict(
        type='mmseg.SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size_divisor=32),
    backbone=dict(
        type='mmseg.ResNetV1c',
        depth=18,
        stem_channels=16,
        base_channels=16,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        # output stride 8 ("d8"), as the paper's N_feat
        strides=(1, 2, 1, 1),
        dilations=(1, 1, 2, 4),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True,
        init_cfg=None),
    # VideoDeepLabV3Plus returns one (N, C, H/4, W/4) tensor; mmseg decode
    # heads pick their input with inputs[in_index], so TupleNeck hands them
    # the 1-tuple (F,).
    neck=dict(
        type='aten_mm.TupleNeck',
        neck=dict(
            type='aten_mm.VideoDeepLabV3Plus',
            in_channels=128,
            low_level_in_channels=16,
            in_index=(0, 3),
            channels=32,
            low_level_channels=16,
            out_channels=feat_channels,
            dilations=(1, 6, 12, 18),
            output_stride=8,
            norm_cfg=norm_cfg)),
    decode_head=dict(
        type='mmseg.FCNHead',
        in_channels=feat_channels,
        in_index=0,
        channels=32,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='mmseg.CrossEntropyLoss', use_sigmoid=False,
            loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
