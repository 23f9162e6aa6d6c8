# Table 2 "FGFA" on DAVIS-2016: "only aggregates the nearest 10 frames"
# (§5.3): the ±5 neighbours, ATEN's DAVIS network (ResNet-101 at output
# stride 16, 2 classes, no instances), no scale field.
_base_ = [
    '../_base_/models/fgfa_r50-d16-deeplabv3plus.py',
    '../_base_/models/davis-r101-detector.py',
    '../_base_/datasets/davis.py', '../_base_/schedules/schedule_50e.py',
    '../_base_/default_runtime.py'
]

model = dict(num_neighbors=5, detector={{_base_.davis_detector}})
