# CPU schedule of the tiny models on the synthetic VIP set (the quick
# start, the synthetic study; docs/synthetic_study.md "Training recipe"):
# AdamW, lr 2e-3 (a randomly initialised tiny model learns several times
# faster with it than with the paper's SGD at a budget of a few hundred
# iterations), weight decay 1e-4, a 20-iteration linear warm-up and a 10x
# lr step for the last epoch. With the 48-video set of the quick start
# (32 training videos x 8 annotated frames, 2 clips per batch -> 128
# iterations per epoch) the 4 epochs are 512 iterations. Epoch-based so
# that the hooks of default_runtime.py (checkpoint per epoch, epoch logs)
# apply unchanged; shorten a run with --cfg-options train_cfg.max_epochs=N.
max_epochs = 4
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
        milestones=[max_epochs - 1],
        gamma=0.1)
]

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=35, norm_type=2))

auto_scale_lr = dict(enable=False, base_batch_size=2)
