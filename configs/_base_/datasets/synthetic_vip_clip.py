# The synthetic VIP-layout set (aten_mm.datasets.synthetic), tiny frames for
# the CPU quick-start: same pipeline as vip_clip.py, longer side 256 (the
# generated frames' own size, 256 x 144: at 128 px an arm is 1-2 pixels
# wide, under one cell of the stride-4 feature; docs/synthetic_study.md).
_base_ = ['./vip_clip.py']

data_root = 'data/synthetic_vip/'
img_scale = (256, 256)
# Per-class weights of the parsing loss for this data (a model config sets
# them with parsing_head=dict(class_weight={{_base_.part_class_weight}})):
# sqrt(median part frequency / class frequency), clipped to [0.25, 4], from
# the pixel counts of the default v2 set (`make_synthetic_vip.py --videos
# 48`, summary.json): background 90.5 % of the pixels -> 0.25, sunglasses
# 0.02 % -> 4 (docs/synthetic_study.md "Training recipe").
part_class_weight = [
    0.25, 1.59, 0.74, 1.94, 4.0, 0.39, 0.81, 0.44, 1.0, 0.53, 2.0, 1.55,
    0.96, 1.1, 0.83, 0.86, 1.02, 0.91, 1.33, 1.23]

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
