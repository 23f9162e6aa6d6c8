# Paper schedule for VIP (ATEN §5.1 "Implement Details"): SGD, 40 epochs,
# lr 1e-3 for the first 20, then 1e-4 for the remaining 20. Momentum 0.9 and
# weight decay 1e-4 are the usual DeepLabV3+/Mask R-CNN values (the paper
# does not state them).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=40, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=40,
        by_epoch=True,
        milestones=[20],
        gamma=0.1)
]

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=1e-4))

# The paper trains on 4 GPUs without stating the clips per GPU; 4 x 2 is
# assumed. `--auto-scale-lr` scales lr linearly from this total batch size.
auto_scale_lr = dict(enable=False, base_batch_size=8)
