# Efficient DFF (issue 10): DFF (l = 10) with test-time cost options only
# (see configs/aten/aten_r50-d8-deeplabv3plus_l3-p2_efficient_1xb1-40e_vip.py
# and docs/benchmarks.md): FlowNet-S on half-resolution frames, 300 RPN
# candidates before NMS and 100 proposals at test time (1000 / 1000 in the
# paper), and masks only for the
# detections that can survive the person/part fusion (box score threshold
# = fusion threshold 0.7, which leaves the fused output unchanged); the
# key's dense head outputs warped to the other frames (propagate_heads:
# 0.1-0.3 mIoU on the synthetic study's DFF, docs/deployment.md) and
# RoIAlign with 2 x 2 samples per bin, as in the efficient ATEN config. All
# options apply to a checkpoint of the faithful DFF config.
_base_ = './dff_r50-d8-deeplabv3plus_l10_1xb1-40e_vip.py'

model = dict(
    propagate_heads=True,
    motion=dict(input_scale=0.5),
    detector=dict(
        roi_head=dict(
            bbox_roi_extractor=dict(roi_layer=dict(sampling_ratio=2)),
            mask_roi_extractor=dict(roi_layer=dict(sampling_ratio=2))),
        test_cfg=dict(
            rpn=dict(nms_pre=300, max_per_img=100),
            rcnn=dict(score_thr=0.7))))
