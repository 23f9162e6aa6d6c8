# Tiny per-frame Parsing R-CNN on the generated synthetic VIP-like clips:
# the CPU quick-start of the per-frame baseline and stage 1 of the
# two-stage recipe (tools/train_two_stage.py).
_base_ = [
    '../_base_/models/parsing-rcnn_tiny.py',
    '../_base_/datasets/synthetic_vip_clip.py',
    '../_base_/schedules/schedule_synthetic.py',
    '../_base_/default_runtime.py',
]

# the parsing loss weighted per class for the synthetic set's frequencies
model = dict(
    parsing_head=dict(class_weight={{_base_.part_class_weight}}))

# per-frame model: every clip is the target frame alone (F = 1)
clip_cfg = dict(_delete_=True, mode='single')
train_dataloader = dict(
    dataset=dict(clip_cfg=clip_cfg, random_offset=False))
val_dataloader = dict(dataset=dict(clip_cfg=clip_cfg))
test_dataloader = val_dataloader

# seeded: the quick start gives the numbers of docs/synthetic_study.md
randomness = dict(seed=0)
