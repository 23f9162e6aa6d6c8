# Table 2 "ATEN(l = 3)": DAVIS-2016, ResNet-101 at output stride 16,
# 2 classes, no instance branch, p = 2, 50 epochs; stream-mode inference
# over whole videos.
_base_ = [
    '../_base_/models/aten_r101-d16-deeplabv3plus_davis.py',
    '../_base_/datasets/davis.py', '../_base_/schedules/schedule_50e.py',
    '../_base_/default_runtime.py'
]
