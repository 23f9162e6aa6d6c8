# Ablation "ATEN (p = 1)" (Table 1) of the tiny ATEN on the synthetic VIP
# set: one reference key frame (the synthetic study).
_base_ = './aten_tiny_synthetic.py'

model = dict(num_refs=1)
