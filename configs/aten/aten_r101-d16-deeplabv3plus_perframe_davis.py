# Table 2 "ATEN-F": the per-frame baseline (N_feat + N_parse on every frame,
# no flow, no temporal encoding) with ATEN's DAVIS network; its clips are
# the target frame alone (derived from l = 1, p = 0).
_base_ = './aten_r101-d16-deeplabv3plus_l3-p2_davis.py'

model = dict(
    key_interval=1, num_refs=0, encoder=None, motion=None, align_refs=False,
    propagate='none')
