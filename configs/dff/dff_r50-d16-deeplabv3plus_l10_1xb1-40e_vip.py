# Table 1 "DFF" with DFF's own settings (§5.2): segments of 10 frames whose
# FIRST frame is the key, every other frame propagated by flow from the
# preceding key (causal), no encoding; the release's output stride 16.
_base_ = [
    '../_base_/models/dff_r50-d16-deeplabv3plus.py',
    '../_base_/datasets/vip_clip.py', '../_base_/schedules/schedule_40e.py',
    '../_base_/default_runtime.py'
]
