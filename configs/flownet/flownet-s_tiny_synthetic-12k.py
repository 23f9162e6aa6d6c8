# The tiny FlowNet-S of flownet-s_tiny_synthetic.py with a longer schedule:
# 12k iterations on the 48-video set of the synthetic study
# (make_synthetic_vip.py --videos 48), FlowNet's relative translation on
# (frame t-1 cropped up to 6 px away) and a cosine decay of the lr to 1e-5
# so the last checkpoints do not swing (docs/flow.md, "Results").
#   python tools/train.py configs/flownet/flownet-s_tiny_synthetic-12k.py
_base_ = ['./flownet-s_tiny_synthetic.py']

max_iters = 12000
train_pipeline = [
    dict(type='LoadFlowPair'),
    dict(type='FlowRandomResize', ratio_range=(0.5, 1.0)),
    dict(type='FlowRandomCrop', crop_size=(64, 128), max_shift=6),
    dict(type='FlowRandomFlip', prob=0.5),
    dict(type='ClipPhotoMetricDistortion'),
    dict(type='PackFlowInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
train_cfg = dict(max_iters=max_iters, val_interval=2000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=200),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=200,
         end=max_iters, T_max=max_iters - 200, eta_min=1e-5)
]
default_hooks = dict(checkpoint=dict(interval=2000, max_keep_ckpts=6))
