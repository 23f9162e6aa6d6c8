# Table 1 "ATEN" with the paper's training split (§5.1: 354 videos = the
# train + val lists, as the original release's "trainval").
_base_ = [
    '../_base_/models/aten_r50-d16-deeplabv3plus.py',
    '../_base_/datasets/vip_clip_trainval.py',
    '../_base_/schedules/schedule_40e.py', '../_base_/default_runtime.py'
]
