# Table 1 "DFF": key frame every 10 frames, flow propagation, no encoding.
_base_ = [
    '../_base_/models/dff_r50-d8-deeplabv3plus.py',
    '../_base_/datasets/vip_clip.py', '../_base_/schedules/schedule_40e.py',
    '../_base_/default_runtime.py'
]

clip_cfg = dict(mode='key', key_interval=10, num_refs=0)
train_dataloader = dict(dataset=dict(clip_cfg=clip_cfg))
val_dataloader = dict(dataset=dict(clip_cfg=clip_cfg))
test_dataloader = val_dataloader
