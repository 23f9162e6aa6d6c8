# Stage 4 of the tiny FlowNet-S (run 5): run 4's person-weighted fine-tuning
# (flownet-s_tiny_synthetic-240v-person.py, val person EPE 1.64 px, still
# falling at its end) continued for 12 000 iterations, same weight and lr
# schedule, from run 4's last checkpoint.
#   python tools/train.py configs/flownet/flownet-s_tiny_synthetic-240v-person-12k.py \
#       --work-dir work_dirs/flow240v_person12k
_base_ = ['./flownet-s_tiny_synthetic-240v-person.py']

max_iters = 12000
train_cfg = dict(max_iters=max_iters, val_interval=2000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100,
         end=max_iters, T_max=max_iters - 100, eta_min=1e-6)
]
default_hooks = dict(checkpoint=dict(interval=2000, max_keep_ckpts=2))
# the weights of run 4
load_from = 'work_dirs/flow240v_person/iter_6000.pth'
