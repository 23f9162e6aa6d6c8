# The `make demo` run (tools/misc/run_demo.py): tiny ATEN (l = 3, p = 2) on
# the demo's synthetic VIP set (48 videos: 32 train / 8 val / 8 test), a
# few minutes on 2 CPU cores. Over aten_tiny_synthetic.py: AdamW lr 1e-3
# (docs/synthetic_study.md) and an iteration budget.
_base_ = './aten_tiny_synthetic.py'

max_iters = 600
train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=max_iters,
    val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=20),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[500], gamma=0.1)
]
optim_wrapper = dict(
    optimizer=dict(
        _delete_=True, type='AdamW', lr=1e-3, weight_decay=1e-4))
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=max_iters))
log_processor = dict(by_epoch=False)

# The demo as measured in docs/synthetic_study.md ("The make demo run"):
# 128-px inputs (the quick start's 256 px cost about twice the time per
# iteration) and the plain parsing loss (the class-weighted loss of the
# quick-start recipe is not measured on the demo yet)
model = dict(detector=dict(parsing_head=dict(class_weight=None)))
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
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
