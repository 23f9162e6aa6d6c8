# Efficient ATEN (issue 10) on the narrow Parsing R-CNN and the synthetic
# VIP set: the options of aten_r50-d8-deeplabv3plus_l3-p2_efficient_*.py at
# the tiny model's width, for the synthetic accuracy study
# (tools/analysis_tools/synthetic_study.py, docs/synthetic_study.md).
# - encoder: ConvGRU on a stride-8 copy (downsample=2) of the 64-channel
#   stride-4 feature, bottleneck 64 -> 16 -> 64, depthwise-separable gates;
# - motion: FlowNet-S on half-resolution frames;
# - heads: box scores below the fusion threshold (0.7) dropped before the
#   masks are computed (the fused output does not change).
# - heads: the key's dense head outputs warped to the other frames of its
#   segment (propagate_heads) and RoIAlign with 2 x 2 samples per bin, at
#   inference (training is unchanged).
# - stream mode: reference-key flows composed from the previous key's
#   (compose_flows; clip mode, training and so the study are unchanged).
_base_ = './aten_tiny_synthetic.py'

model = dict(
    compose_flows=True,
    propagate_heads=True,
    motion=dict(input_scale=0.5),
    encoder=dict(downsample=2, bottleneck_channels=16, depthwise=True),
    detector=dict(
        roi_head=dict(
            bbox_roi_extractor=dict(roi_layer=dict(sampling_ratio=2)),
            mask_roi_extractor=dict(roi_layer=dict(sampling_ratio=2))),
        test_cfg=dict(rcnn=dict(score_thr=0.7))))
