# FlowNet-S (paper width, conv1 = 64 channels) pretrained on the synthetic
# set's ground-truth flow (our FlyingChairs: the generator knows how every
# pixel moves). FlowNet's recipe: multi-scale EPE (weights 0.32 ... 0.005
# for levels 6 ... 2, flow / 20), Adam (0.9, 0.999), weight decay 4e-4.
# Produces the `motion` init of the video configs, see docs/flow.md:
#   python tools/train.py configs/flownet/flownet-s_synthetic.py
# The checkpoint's keys are motion.*; a video config points at it with
#   motion=dict(..., init_cfg=dict(type='Pretrained', checkpoint=PATH))
_base_ = ['../_base_/default_runtime.py']

data_root = 'data/synthetic_vip/'
# (h, w), multiples of 64 (no internal padding); small crops for the 2-core
# CPU budget (more Adam steps for the same CPU time)
crop_size = (64, 128)

model = dict(
    type='FlowEstimator',
    data_preprocessor=dict(
        type='VideoDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=1,
        pad_mask=False,
        pad_seg=False,
        boxtype2tensor=False),
    motion=dict(
        type='FlowNetS',
        base_channels=64,
        scale_channels=0,
        warn_untrained=False),
    loss_flow=dict(
        type='MultiLevelEPELoss',
        weights=(0.32, 0.08, 0.02, 0.01, 0.005),
        flow_div=20.0))

train_pipeline = [
    dict(type='LoadFlowPair'),
    # the tiny video configs see the frames at about half this size
    dict(type='FlowRandomResize', ratio_range=(0.5, 1.0)),
    # FlowNet's relative translation: frame t-1 cropped up to 6 px away,
    # so every pixel has motion to learn from (static background included)
    dict(type='FlowRandomCrop', crop_size=crop_size, max_shift=6),
    dict(type='FlowRandomFlip', prob=0.5),
    dict(type='ClipPhotoMetricDistortion'),
    dict(type='PackFlowInputs'),
]
test_pipeline = [
    dict(type='LoadFlowPair'),
    dict(type='PackFlowInputs'),
]

train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type='FlowPairDataset', data_root=data_root,
                 split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='FlowPairDataset', data_root=data_root, split='val',
                 test_mode=True, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='FlowEPEMetric')
test_evaluator = val_evaluator

# a short CPU schedule (docs/flow.md: what the tiny width reaches in it on 2
# shared cores); longer runs keep improving
max_iters = 5000
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=1000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.999),
                   weight_decay=4e-4))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[int(max_iters * 0.75)], gamma=0.5)
]
auto_scale_lr = dict(enable=False, base_batch_size=4)

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000,
                    max_keep_ckpts=2, save_last=True))
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=False)
randomness = dict(seed=0)
