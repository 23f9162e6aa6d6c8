# The `make demo` run (tools/misc/run_demo.py): tiny ATEN (l = 3, p = 2) on
# the demo's synthetic VIP set (48 videos: 32 train / 8 val / 8 test), a
# few minutes on 2 CPU cores. The paper's recipe (§5.1) in miniature: the
# detector starts from a trained tiny per-frame Parsing R-CNN and the
# FlowNet-S from a FlowNet-S pretrained on the synthetic ground-truth flow;
# the video model itself is then fine-tuned end to end (Eq. 7) here.
# Both start checkpoints are in checkpoints/ (float16, 7.8 MB together);
# docs/demo.md gives the commands that produce them. The 450 iterations
# fill about 6 of the 8 minutes the demo may take on 2 cores.
_base_ = './aten_tiny_synthetic.py'

detector_checkpoint = '{{ fileDirname }}/../../checkpoints/parsing-rcnn_tiny_synthetic-70f12afc.pth'
flow_checkpoint = '{{ fileDirname }}/../../checkpoints/flownet-s_tiny_synthetic-04d35e23.pth'
model = dict(
    detector=dict(
        init_cfg=dict(type='Pretrained', checkpoint=detector_checkpoint)),
    motion=dict(init_cfg=dict(type='Pretrained', checkpoint=flow_checkpoint)))

max_iters = 450
train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=max_iters,
    val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=20),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[int(max_iters * 0.8)], gamma=0.1)
]
optim_wrapper = dict(optimizer=dict(lr=2e-4))
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=max_iters))
log_processor = dict(by_epoch=False)
