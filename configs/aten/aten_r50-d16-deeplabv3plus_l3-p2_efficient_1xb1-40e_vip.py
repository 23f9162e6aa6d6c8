# Efficient ATEN on the paper's output-stride-16 network (the faithful row
# aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py) with the cost options of
# the d8 efficient config (aten_r50-d8-..._efficient_1xb1-40e_vip.py, see its
# comments): a narrow depthwise ConvGRU at stride 8, FlowNet-S on
# half-resolution frames, 300/100 RPN candidates and the box threshold at
# the fusion threshold. Deployed with the ONNX Runtime backend in
# docs/deployment.md (issue 18 speed rows).
_base_ = './aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py'

model = dict(
    motion=dict(input_scale=0.5),
    encoder=dict(downsample=2, bottleneck_channels=64, depthwise=True),
    detector=dict(
        test_cfg=dict(
            rpn=dict(nms_pre=300, max_per_img=100),
            rcnn=dict(score_thr=0.7))))
