# FlowNet-S at the paper's width (conv1 = 64 channels) with the data and
# augmentation of flownet-s_tiny_synthetic-240v-30k.py (the 160 training
# videos of the 240-video set, 64 x 128 crops, 6-px relative translation;
# validation on data/synthetic_vip's val pairs), FlowNet's Adam lr 1e-4
# with a cosine decay, for the budget a 2-core CPU affords (docs/flow.md,
# "paper width").
#   python tools/dataset_converters/make_synthetic_vip.py \
#       --out data/synthetic_vip_train240 --videos 240 --seed 1
#   python tools/train.py configs/flownet/flownet-s_synthetic-240v.py
_base_ = ['./flownet-s_tiny_synthetic-240v-30k.py']

model = dict(motion=dict(base_channels=64))
optim_wrapper = dict(optimizer=dict(lr=1e-4))
max_iters = 3000
train_cfg = dict(max_iters=max_iters, val_interval=1000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100,
         end=max_iters, T_max=max_iters - 100, eta_min=1e-6)
]
default_hooks = dict(checkpoint=dict(interval=1000, max_keep_ckpts=3))
