# FlowNet-S at the paper's width (conv1 = 64 channels) on the pairs of the
# 240-video synthetic set (160 training videos; validation on
# data/synthetic_vip's val pairs), with the 6-px relative translation and
# a cosine lr, for the budget a 2-core CPU affords (docs/flow.md, "paper
# width"): FlowNet's Adam lr 1e-4, batch 4 of 64 x 128 crops.
#   python tools/dataset_converters/make_synthetic_vip.py \
#       --out data/synthetic_vip_train240 --videos 240 --seed 1
#   python tools/train.py configs/flownet/flownet-s_synthetic-240v.py
_base_ = ['./flownet-s_synthetic.py']

max_iters = 3000
train_pipeline = [
    dict(type='LoadFlowPair'),
    dict(type='FlowRandomResize', ratio_range=(0.5, 1.0)),
    dict(type='FlowRandomCrop', crop_size=(64, 128), max_shift=6),
    dict(type='FlowRandomFlip', prob=0.5),
    dict(type='ClipPhotoMetricDistortion'),
    dict(type='PackFlowInputs'),
]
train_dataloader = dict(
    dataset=dict(data_root='data/synthetic_vip_train240/',
                 pipeline=train_pipeline))
train_cfg = dict(max_iters=max_iters, val_interval=1000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100,
         end=max_iters, T_max=max_iters - 100, eta_min=1e-6)
]
default_hooks = dict(checkpoint=dict(interval=1000, max_keep_ckpts=3))
