# Stage 2 of the tiny FlowNet-S (FlowNet's fine-tuning step in miniature):
# the 30k-iteration checkpoint of flownet-s_tiny_synthetic-240v-30k.py
# fine-tuned on larger crops at about full size (128 x 192 of frames
# resized by 0.75-1.0; stage 1 saw 64 x 128 crops at 0.5-1.0, never a
# whole person at full size, while the val pairs are whole 256 x 144
# frames) for 6000 iterations, lr 3e-4 with a cosine decay (docs/flow.md,
# run 3).
#   python tools/train.py configs/flownet/flownet-s_tiny_synthetic-240v-30k.py \
#       --work-dir work_dirs/flow240v
#   python tools/train.py configs/flownet/flownet-s_tiny_synthetic-240v-ft.py \
#       --work-dir work_dirs/flow240v_ft
_base_ = ['./flownet-s_tiny_synthetic-240v-30k.py']

max_iters = 6000
train_pipeline = [
    dict(type='LoadFlowPair'),
    dict(type='FlowRandomResize', ratio_range=(0.75, 1.0)),
    dict(type='FlowRandomCrop', crop_size=(128, 192), max_shift=6),
    dict(type='FlowRandomFlip', prob=0.5),
    dict(type='ClipPhotoMetricDistortion'),
    dict(type='PackFlowInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
train_cfg = dict(max_iters=max_iters, val_interval=2000)
optim_wrapper = dict(optimizer=dict(lr=3e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100,
         end=max_iters, T_max=max_iters - 100, eta_min=1e-5)
]
default_hooks = dict(checkpoint=dict(interval=2000, max_keep_ckpts=3))
# the weights of stage 1
load_from = 'work_dirs/flow240v/iter_30000.pth'
