# VIP clips (paper §5.1), longer side 512.
# clip_cfg below is the default for this file alone (ATEN's l = 3, p = 2).
# In a full config the model owns l and p: when the config is loaded
# (aten_mm.apis.load_config / build_runner) the clip_cfg of every dataset
# that is not in stream mode is replaced by the model's frame plan
# (aten_mm.apis.clip_plan.derive_clip_cfgs), so an ablation changes the
# model only. Training split: the 304 videos of train_id.txt; the paper's
# 354 training videos (§5.1) are train + val, see vip_clip_trainval.py.
dataset_type = 'VIPDataset'
data_root = 'data/VIP/'
key_interval = 3
num_refs = 2
img_scale = (512, 512)  # (w, h) box: the longer side becomes 512
backend_args = None

clip_cfg = dict(mode='key', key_interval=key_interval, num_refs=num_refs)

train_pipeline = [
    dict(type='LoadClipFrames', backend_args=backend_args),
    dict(type='LoadVIPAnnotations', backend_args=backend_args),
    dict(type='ClipResize', scale=img_scale, keep_ratio=True),
    dict(type='ClipRandomFlip', prob=0.5),
    dict(type='ClipPhotoMetricDistortion'),
    dict(type='PackClipInputs'),
]
test_pipeline = [
    dict(type='LoadClipFrames', backend_args=backend_args),
    dict(type='ClipResize', scale=img_scale, keep_ratio=True),
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
    # whole videos per rank, in frame order, nothing padded or duplicated
    sampler=dict(type='VideoSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='val',
        clip_cfg=clip_cfg,
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='VIPMetric')
test_evaluator = val_evaluator
