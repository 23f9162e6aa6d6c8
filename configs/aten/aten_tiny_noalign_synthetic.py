# Ablation "ATEN (w/o flow-warping align)" (Table 3) of the tiny ATEN on the
# synthetic VIP set: the former key frames enter the ConvGRU unwarped; the
# non-key frames are still propagated by flow (Eq. 2), so the row removes
# only the alignment of the reference keys (the synthetic study).
_base_ = './aten_tiny_synthetic.py'

model = dict(align_refs=False)
