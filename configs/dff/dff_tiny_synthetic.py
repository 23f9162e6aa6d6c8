# DFF (l = 5, first-frame keys) on the narrow Parsing R-CNN and the
# synthetic VIP set.
_base_ = [
    '../_base_/models/dff_tiny.py',
    '../_base_/datasets/synthetic_vip_clip.py',
    '../_base_/schedules/schedule_synthetic.py',
    '../_base_/default_runtime.py'
]

# the parsing loss weighted per class for the synthetic set's frequencies
# (the training recipe of docs/synthetic_study.md)
model = dict(
    detector=dict(
        parsing_head=dict(class_weight={{_base_.part_class_weight}})))
