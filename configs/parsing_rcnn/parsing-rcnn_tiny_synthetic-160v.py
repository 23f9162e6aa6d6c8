# The tiny per-frame Parsing R-CNN trained on 5x more videos: the 160
# training videos of a second synthetic set (another seed; no video shared
# with the validation split of data/synthetic_vip, where it is evaluated)
# instead of the 32 of the 48-video set. Run E (parsing-rcnn_tiny_synthetic
# -40e.py) scored mIoU 54.7 on its 256 training frames but 23.8 on val: it
# memorised its 32 videos (docs/synthetic_study.md, run F).
# 8 epochs of 640 iterations (5120, as run E), lr / 10 for the last one.
#   python tools/dataset_converters/make_synthetic_vip.py \
#       --out data/synthetic_vip_train240 --videos 240 --seed 1
#   python tools/train.py configs/parsing_rcnn/parsing-rcnn_tiny_synthetic-160v.py
_base_ = './parsing-rcnn_tiny_synthetic-40e.py'

train_dataloader = dict(
    dataset=dict(data_root='data/synthetic_vip_train240/'))
max_epochs = 8
train_cfg = dict(max_epochs=max_epochs, val_interval=2)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=20),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[7], gamma=0.1)
]
default_hooks = dict(checkpoint=dict(interval=2))
