# FGFA (K = 1) on the narrow Parsing R-CNN and the synthetic VIP set.
_base_ = [
    '../_base_/models/fgfa_tiny.py',
    '../_base_/datasets/synthetic_vip_clip.py',
    '../_base_/schedules/schedule_synthetic.py',
    '../_base_/default_runtime.py'
]
