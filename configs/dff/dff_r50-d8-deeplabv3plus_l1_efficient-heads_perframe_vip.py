# Per-frame reference with the efficient heads (docs/benchmarks.md): DFF
# with l = 1 runs N_feat + N_parse on every frame (no flow, no encoder),
# i.e. the per-frame Parsing R-CNN, here with the same test-time head
# options as the efficient ATEN/DFF configs (300 / 100 proposals, box score
# threshold = fusion threshold 0.7, RoIAlign at 2 x 2 samples per bin; the
# inherited propagate_heads has nothing to propagate: every frame is a key).
# It isolates the speed-up of the key frame scheme from the speed-up of the
# cheaper heads.
_base_ = './dff_r50-d8-deeplabv3plus_l10_efficient_1xb1-40e_vip.py'

# every clip is the target frame alone (derived from l = 1, p = 0)
model = dict(
    key_interval=1, motion=None, align_refs=False, propagate='none')
train_dataloader = dict(batch_size=1)
