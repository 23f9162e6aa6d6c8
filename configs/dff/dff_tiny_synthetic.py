# DFF (l = 5) on the narrow Parsing R-CNN and the synthetic VIP set.
_base_ = [
    '../_base_/models/dff_tiny.py',
    '../_base_/datasets/synthetic_vip_clip.py',
    '../_base_/schedules/schedule_synthetic.py',
    '../_base_/default_runtime.py'
]

clip_cfg = dict(mode='key', key_interval=5, num_refs=0)
train_dataloader = dict(dataset=dict(clip_cfg=clip_cfg))
val_dataloader = dict(dataset=dict(clip_cfg=clip_cfg))
test_dataloader = val_dataloader
