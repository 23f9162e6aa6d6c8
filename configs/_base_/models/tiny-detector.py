# The sizes of the narrow Parsing R-CNN (tests and CPU quick-start, ~128 px
# inputs, no pretrained weights) over the paper's network
# (parsing-rcnn_r50-d8-deeplabv3plus.py), whose structure it keeps:
# ResNet-18 at a quarter width, output stride 8, DeepLabV3+ neck -> 64-channel
# stride-4 feature, 15 anchors on the single stride-4 level, 128 RoIs, box +
# mask heads, global parsing branch. Variables only (no model), as
# davis-r101-detector.py: parsing-rcnn_tiny.py merges tiny_detector into its
# model, the tiny video models (aten_tiny.py, fgfa_tiny.py) into their
# detector.
tiny_feat_channels = 64
tiny_detector = dict(
    backbone=dict(
        depth=18,
        base_channels=16,
        # output stride 8 ("d8") over the d16 video models too
        strides=(1, 2, 1, 1),
        dilations=(1, 1, 2, 4),
        frozen_stages=-1,
        norm_eval=False,
        init_cfg=None),
    neck=dict(
        in_channels=128,
        low_level_in_channels=16,
        channels=32,
        low_level_channels=16,
        out_channels=tiny_feat_channels,
        output_stride=8),
    parsing_head=dict(in_channels=tiny_feat_channels),
    rpn_head=dict(
        in_channels=tiny_feat_channels,
        feat_channels=tiny_feat_channels,
        # sizes 8..128 px for ~128 px inputs
        anchor_generator=dict(scales=[2, 4, 8, 16, 32])),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=tiny_feat_channels),
        bbox_head=dict(in_channels=tiny_feat_channels, fc_out_channels=128),
        mask_roi_extractor=dict(out_channels=tiny_feat_channels),
        mask_head=dict(
            num_convs=2,
            in_channels=tiny_feat_channels,
            conv_out_channels=32)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=500, max_per_img=200)),
    test_cfg=dict(
        rpn=dict(nms_pre=300, max_per_img=100),
        rcnn=dict(max_per_img=20)))
