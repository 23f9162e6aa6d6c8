# Efficient DFF on the paper's output-stride-16 network (the faithful row
# dff_r50-d16-deeplabv3plus_l10_1xb1-40e_vip.py) with the cost options of
# the d8 efficient config: FlowNet-S on half-resolution frames, 300/100
# RPN candidates and the box threshold at the fusion threshold.
_base_ = './dff_r50-d16-deeplabv3plus_l10_1xb1-40e_vip.py'

model = dict(
    motion=dict(input_scale=0.5),
    detector=dict(
        test_cfg=dict(
            rpn=dict(nms_pre=300, max_per_img=100),
            rcnn=dict(score_thr=0.7))))
