# Table 2 "FGFA" on DAVIS-2016: "only aggregates the nearest 10 frames"
# (§5.3): the ±5 neighbours, ATEN's DAVIS network (ResNet-101 at output
# stride 16, 2 classes, no instances), no scale field.
_base_ = [
    '../_base_/models/fgfa_r50-d16-deeplabv3plus.py',
    '../_base_/datasets/davis.py', '../_base_/schedules/schedule_50e.py',
    '../_base_/default_runtime.py'
]

model = dict(
    num_neighbors=5,
    detector=dict(
        backbone=dict(
            depth=101,
            init_cfg=dict(
                type='Pretrained', checkpoint='torchvision://resnet101')),
        parsing_head=dict(num_classes=2),
        rpn_head=None,
        roi_head=None))
