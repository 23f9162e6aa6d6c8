# Table 1 "FGFA": features of every frame, the ±2 neighbours aggregated.
_base_ = [
    '../_base_/models/fgfa_r50-d8-deeplabv3plus.py',
    '../_base_/datasets/vip_clip.py', '../_base_/schedules/schedule_40e.py',
    '../_base_/default_runtime.py'
]

clip_cfg = dict(_delete_=True, mode='neighbors', num_neighbors=2)
train_dataloader = dict(dataset=dict(clip_cfg=clip_cfg))
val_dataloader = dict(dataset=dict(clip_cfg=clip_cfg))
test_dataloader = val_dataloader
