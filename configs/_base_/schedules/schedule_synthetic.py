# Short CPU schedule for the synthetic quick-start (`make demo`, tests):
# with the default generated set (8 training videos x 8 annotated frames,
# 2 clips per batch -> 32 iterations per epoch) 10 epochs are ~320
# iterations. Same recipe as the paper (SGD, momentum 0.9, weight decay
# 1e-4, a 10x lr step; schedule_40e.py) with a higher lr for the tiny,
# randomly initialised models and a short linear warm-up. Epoch-based so
# that the hooks of default_runtime.py (checkpoint per epoch, epoch logs)
# apply unchanged; shorten a run with
# --cfg-options train_cfg.max_epochs=N.
max_epochs = 10
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs,
    val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=20),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[8],
        gamma=0.1)
]

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=1e-2, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=35, norm_type=2))

auto_scale_lr = dict(enable=False, base_batch_size=2)
