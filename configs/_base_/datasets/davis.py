# DAVIS-2016 as 2-class video segmentation (paper §5.1): training clips on
# random 384x640 crops, stream-mode inference at 512x896. The training
# clip_cfg (l = 3, p = 2 here) is derived from the model in a full config,
# as in vip_clip.py.
dataset_type = 'DAVISDataset'
data_root = 'data/DAVIS/'
key_interval = 3
num_refs = 2
crop_size = (384, 640)  # (h, w) of the training crops
test_scale = (896, 512)  # (w, h) inference size
backend_args = None

clip_cfg = dict(mode='key', key_interval=key_interval, num_refs=num_refs)

train_pipeline = [
    dict(type='LoadClipFrames', backend_args=backend_args),
    dict(type='LoadDAVISAnnotations', backend_args=backend_args),
    dict(type='ClipTransformWrapper',
         transform=dict(type='RandomCrop', crop_size=crop_size[::-1])),
    dict(type='ClipRandomFlip', prob=0.5, swap_seg_labels=None),
    dict(type='ClipPhotoMetricDistortion'),
    dict(type='PackClipInputs'),
]
test_pipeline = [
    dict(type='LoadClipFrames', backend_args=backend_args),
    dict(type='ClipResize', scale=test_scale, keep_ratio=False),
    dict(type='PackClipInputs'),
]

train_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        clip_cfg=clip_cfg,
        random_offset=True,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='VideoSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='val',
        clip_cfg=dict(mode='stream'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='DAVISMetric')
test_evaluator = val_evaluator
