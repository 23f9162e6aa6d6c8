# Table 2 "ATEN-F": the per-frame baseline (N_feat + N_parse on every frame,
# no flow, no temporal encoding) with ATEN's DAVIS network.
_base_ = './aten_r101-d8-deeplabv3plus_l3-p2_davis.py'

clip_cfg = dict(_delete_=True, mode='single')
model = dict(
    key_interval=1, num_refs=0, encoder=None, motion=None, propagate='none')
train_dataloader = dict(dataset=dict(clip_cfg=clip_cfg, random_offset=False))
