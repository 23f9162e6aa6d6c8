# Round 5 of the tiny per-frame Parsing R-CNN: fresh data. After four rounds
# on the 160 training videos of data/synthetic_vip_train240 (run F4, val
# mIoU 38.0) the model scores mIoU 49.7 on 128 of its own training frames:
# it fits those videos, not the task. This round trains on the 400 training
# videos (3200 annotated frames) of a third set (seed 2, no video shared
# with data/synthetic_vip's val split, where it is evaluated), from run F4's
# weights: 3 epochs of 1600 iterations (4800), lr / 10 for the last one.
#   python tools/dataset_converters/make_synthetic_vip.py \
#       --out data/synthetic_vip_train600 --videos 600 --seed 2 --no-flow
#   python tools/train.py configs/parsing_rcnn/parsing-rcnn_tiny_synthetic-600v.py \
#       --cfg-options load_from=work_dirs/pf160v_4/epoch_8.pth
_base_ = './parsing-rcnn_tiny_synthetic-160v.py'

train_dataloader = dict(
    dataset=dict(data_root='data/synthetic_vip_train600/'))
max_epochs = 3
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=20),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[2], gamma=0.1)
]
default_hooks = dict(checkpoint=dict(interval=1))
