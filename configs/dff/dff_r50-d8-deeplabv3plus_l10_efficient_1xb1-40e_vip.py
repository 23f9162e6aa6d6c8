# Efficient DFF (issue 10): DFF (l = 10) with test-time cost options only
# (see configs/aten/aten_r50-d8-deeplabv3plus_l3-p2_efficient_1xb1-40e_vip.py
# and docs/benchmarks.md): FlowNet-S on half-resolution frames, 300 RPN
# candidates before NMS and 100 proposals at test time (1000 / 1000 in the
# paper), and masks only for the
# detections that can survive the person/part fusion (box score threshold
# = fusion threshold 0.7, which leaves the fused output unchanged). All
# options apply to a checkpoint of the faithful DFF config.
_base_ = './dff_r50-d8-deeplabv3plus_l10_1xb1-40e_vip.py'

model = dict(
    motion=dict(input_scale=0.5),
    detector=dict(
        test_cfg=dict(
            rpn=dict(nms_pre=300, max_per_img=100),
            rcnn=dict(score_thr=0.7))))
