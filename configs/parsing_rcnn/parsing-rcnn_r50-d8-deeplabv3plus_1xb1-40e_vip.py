# Per-frame Parsing R-CNN on VIP (paper Table 1, row "frame"): ResNet-50
# DeepLabV3+, one image per GPU, SGD lr 1e-3 for 20 epochs then 1e-4 for 20.
_base_ = [
    '../_base_/models/parsing-rcnn_r50-d8-deeplabv3plus.py',
    '../_base_/datasets/vip_clip.py',
    '../_base_/schedules/schedule_40e.py',
    '../_base_/default_runtime.py',
]

# per-frame model: every clip is the target frame alone (F = 1)
clip_cfg = dict(_delete_=True, mode='single')
train_dataloader = dict(
    batch_size=1, dataset=dict(clip_cfg=clip_cfg, random_offset=False))
val_dataloader = dict(dataset=dict(clip_cfg=clip_cfg))
test_dataloader = val_dataloader
