# ATEN (l = 3, p = 2) as 2-class video segmentation (the DAVIS variant of
# Table 2: parsing branch only, no instance branch) on the narrow network and
# a synthetic DAVIS-2016-style set (make_synthetic_vip.py --format davis):
# quick-start and tests of the stream-mode evaluation through the TestLoop.
_base_ = [
    '../_base_/models/aten_tiny.py', '../_base_/datasets/davis.py',
    '../_base_/schedules/schedule_synthetic.py',
    '../_base_/default_runtime.py'
]

data_root = 'data/synthetic_davis/'
model = dict(
    detector=dict(
        parsing_head=dict(num_classes=2), rpn_head=None, roi_head=None))
train_pipeline = [
    dict(type='LoadClipFrames'),
    dict(type='LoadDAVISAnnotations'),
    dict(type='ClipResize', scale=(128, 128), keep_ratio=True),
    dict(type='ClipRandomFlip', prob=0.5, swap_seg_labels=None),
    dict(type='PackClipInputs'),
]
test_pipeline = [
    dict(type='LoadClipFrames'),
    dict(type='ClipResize', scale=(128, 128), keep_ratio=True),
    dict(type='PackClipInputs'),
]
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
