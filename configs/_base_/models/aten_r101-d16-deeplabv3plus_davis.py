# ATEN for DAVIS-2016 (paper §5.3, Table 2): ResNet-101 backbone at output
# stride 16 (as the release), 2 classes (background / object), no instance
# branch (parsing only), l = 3, p = 2.
_base_ = './aten_r50-d16-deeplabv3plus.py'

model = dict(
    detector=dict(
        backbone=dict(
            depth=101,
            init_cfg=dict(
                type='Pretrained', checkpoint='torchvision://resnet101')),
        parsing_head=dict(num_classes=2),
        rpn_head=None,
        roi_head=None))
