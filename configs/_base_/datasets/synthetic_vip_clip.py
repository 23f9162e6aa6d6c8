# The synthetic VIP-layout set (aten_mm.datasets.synthetic), tiny frames for
# the CPU quick-start: same pipeline as vip_clip.py, longer side 128.
_base_ = ['./vip_clip.py']

data_root = 'data/synthetic_vip/'
img_scale = (128, 128)

train_pipeline = [
    dict(type='LoadClipFrames'),
    dict(type='LoadVIPAnnotations'),
    dict(type='ClipResize', scale=img_scale, keep_ratio=True),
    dict(type='ClipRandomFlip', prob=0.5),
    dict(type='ClipPhotoMetricDistortion'),
    dict(type='PackClipInputs'),
]
test_pipeline = [
    dict(type='LoadClipFrames'),
    dict(type='ClipResize', scale=img_scale, keep_ratio=True),
    dict(type='PackClipInputs'),
]

train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
