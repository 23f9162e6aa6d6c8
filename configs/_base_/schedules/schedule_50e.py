# Paper schedule for DAVIS (ATEN §5.1 "Implement Details"): SGD, 50 epochs,
# lr 1e-3 for the first 20, then 1e-4 for the remaining 30.
_base_ = './schedule_40e.py'

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=50, val_interval=5)
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=50,
        by_epoch=True,
        milestones=[20],
        gamma=0.1)
]
