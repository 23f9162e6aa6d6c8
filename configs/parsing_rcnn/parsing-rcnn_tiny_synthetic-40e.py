# The tiny per-frame Parsing R-CNN of the quick start trained 10x longer:
# 40 epochs (5120 iterations on the 48-video set), the lr stepped down 10x
# after epoch 34, validation and a checkpoint every 8 epochs. Its last
# checkpoint, published in float16, is the detector start of `make demo`
# (checkpoints/parsing-rcnn_tiny_synthetic-*.pth; docs/demo.md):
#   python tools/train.py configs/parsing_rcnn/parsing-rcnn_tiny_synthetic-40e.py
_base_ = './parsing-rcnn_tiny_synthetic.py'

max_epochs = 40
train_cfg = dict(max_epochs=max_epochs, val_interval=8)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=20),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[34], gamma=0.1)
]
default_hooks = dict(checkpoint=dict(interval=8))
