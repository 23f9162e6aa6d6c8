# Parsing R-CNN, the per-frame model of ATEN (paper §4.3, §4.5, Fig. 5):
# ResNet-50 with dilated stages 3-4 (output stride 8, "d8") + DeepLabV3+
# (ASPP + decoder) -> one 256-channel stride-4 feature F; on F an RPN with
# 15 anchors (5 scales x 3 ratios), 128 sampled RoIs, RoIAlign, a box head
# and a mask head for the person class, and the global parsing branch (three
# 3x3 atrous convs, rates 6/12/18, 20 VIP classes). Loss: Eq. (7).
num_part_classes = 20
feat_channels = 256

model = dict(
    type='ParsingRCNN',
    data_preprocessor=dict(
        type='VideoDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        strides=(1, 2, 1, 1),
        dilations=(1, 1, 2, 4),
        out_indices=(0, 1, 2, 3),
        frozen_stages=1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        style='pytorch',
        init_cfg=dict(type='Pretrained',
                      checkpoint='torchvision://resnet50')),
    neck=dict(
        type='VideoDeepLabV3Plus',
        in_channels=2048,
        low_level_in_channels=256,
        in_index=(0, 3),
        channels=256,
        low_level_channels=48,
        out_channels=feat_channels,
        # DeepLabV3+ rates 6/12/18 at output stride 16 -> 12/24/36 at 8
        dilations=(1, 6, 12, 18),
        output_stride=8,
        # batch size 1 (paper): BN statistics over one image's map work
        # except on the 1x1 pooled branch, which has no norm
        norm_cfg=dict(type='BN', requires_grad=True),
        pool_norm_cfg=None),
    parsing_head=dict(
        type='GlobalParsingHead',
        in_channels=feat_channels,
        num_classes=num_part_classes,
        dilations=(6, 12, 18),
        ignore_index=255,
        loss_weight=1.0),
    rpn_head=dict(
        type='RPNHead',
        in_channels=feat_channels,
        feat_channels=feat_channels,
        anchor_generator=dict(
            type='AnchorGenerator',
            # one stride-4 level; 5 scales x 3 ratios = 15 anchors,
            # sizes 32..512 px as Mask R-CNN's FPN levels
            scales=[8, 16, 32, 64, 128],
            ratios=[0.5, 1.0, 2.0],
            strides=[4]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[.0, .0, .0, .0],
            target_stds=[1.0, 1.0, 1.0, 1.0]),
        loss_cls=dict(
            type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
    roi_head=dict(
        type='StandardRoIHead',
        bbox_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0),
            out_channels=feat_channels,
            featmap_strides=[4]),
        bbox_head=dict(
            type='Shared2FCBBoxHead',
            in_channels=feat_channels,
            fc_out_channels=1024,
            roi_feat_size=7,
            num_classes=1,
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder',
                target_means=[0., 0., 0., 0.],
                target_stds=[0.1, 0.1, 0.2, 0.2]),
            reg_class_agnostic=False,
            loss_cls=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
            loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
        mask_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
            out_channels=feat_channels,
            featmap_strides=[4]),
        mask_head=dict(
            type='FCNMaskHead',
            num_convs=4,
            in_channels=feat_channels,
            conv_out_channels=256,
            num_classes=1,
            loss_mask=dict(
                type='CrossEntropyLoss', use_mask=True, loss_weight=1.0))),
    train_cfg=dict(
        rpn=dict(
            assigner=dict(
                type='MaxIoUAssigner',
                pos_iou_thr=0.7,
                neg_iou_thr=0.3,
                min_pos_iou=0.3,
                match_low_quality=True,
                ignore_iof_thr=-1),
            sampler=dict(
                type='RandomSampler',
                num=256,
                pos_fraction=0.5,
                neg_pos_ub=-1,
                add_gt_as_proposals=False),
            allowed_border=-1,
            pos_weight=-1,
            debug=False),
        rpn_proposal=dict(
            nms_pre=2000,
            max_per_img=1000,
            nms=dict(type='nms', iou_threshold=0.7),
            min_bbox_size=0),
        rcnn=dict(
            assigner=dict(
                type='MaxIoUAssigner',
                pos_iou_thr=0.5,
                neg_iou_thr=0.5,
                min_pos_iou=0.5,
                match_low_quality=True,
                ignore_iof_thr=-1),
            # 128 sampled RoIs per image (paper §4.5)
            sampler=dict(
                type='RandomSampler',
                num=128,
                pos_fraction=0.25,
                neg_pos_ub=-1,
                add_gt_as_proposals=True),
            mask_size=28,
            pos_weight=-1,
            debug=False)),
    test_cfg=dict(
        # proposal budget: nms_pre / max_per_img
        rpn=dict(
            nms_pre=1000,
            max_per_img=1000,
            nms=dict(type='nms', iou_threshold=0.7),
            min_bbox_size=0),
        # masks are computed only for the <= max_per_img kept detections;
        # NMS 0.3 as the original release (docs/vip_protocol.md §7)
        rcnn=dict(
            score_thr=0.05,
            nms=dict(type='nms', iou_threshold=0.3),
            max_per_img=100,
            mask_thr_binary=0.5),
        # person / part fusion (docs/vip_protocol.md §7)
        fusion=dict(score_thr=0.7, overlap_thr=0.7)))
