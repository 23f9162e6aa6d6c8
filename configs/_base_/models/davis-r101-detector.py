# The DAVIS-2016 network (paper §5.1, Table 2): ResNet-101 backbone, the
# Parsing R-CNN degraded to 2-class segmentation (background / object) by
# removing the instance branch. A variable only (no model): the DAVIS model
# configs merge it into their detector.
davis_detector = dict(
    backbone=dict(
        depth=101,
        init_cfg=dict(
            type='Pretrained', checkpoint='torchvision://resnet101')),
    parsing_head=dict(num_classes=2),
    rpn_head=None,
    roi_head=None)
