# ATEN, paper default (Table 1 "ATEN"): l = 3, p = 2, ConvGRU, flow-warping
# alignment; ResNet-50 DeepLabV3+ at output stride 16 (the release's);
# VIP (304 training videos, see vip_clip_trainval.py for the paper's 354),
# 1 clip per GPU, 40 epochs.
_base_ = [
    '../_base_/models/aten_r50-d16-deeplabv3plus.py',
    '../_base_/datasets/vip_clip.py', '../_base_/schedules/schedule_40e.py',
    '../_base_/default_runtime.py'
]
