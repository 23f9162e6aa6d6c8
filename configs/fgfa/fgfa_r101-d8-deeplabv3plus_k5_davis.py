# Table 2 "FGFA" on DAVIS-2016: the nearest 10 frames (±5) aggregated
# (paper §5.3), ATEN's DAVIS network (ResNet-101, 2 classes, no instances).
_base_ = [
    '../_base_/models/fgfa_r50-d8-deeplabv3plus.py',
    '../_base_/datasets/davis.py', '../_base_/schedules/schedule_50e.py',
    '../_base_/default_runtime.py'
]

clip_cfg = dict(_delete_=True, mode='neighbors', num_neighbors=5)
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
train_dataloader = dict(dataset=dict(clip_cfg=clip_cfg, random_offset=False))
