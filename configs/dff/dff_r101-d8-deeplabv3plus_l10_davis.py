# Table 2 "DFF" on DAVIS-2016: ATEN's DAVIS network, l = 10, no encoding.
_base_ = '../aten/aten_r101-d8-deeplabv3plus_l3-p2_davis.py'

clip_cfg = dict(mode='key', key_interval=10, num_refs=0)
model = dict(type='DFF', key_interval=10, num_refs=0, encoder=None)
train_dataloader = dict(dataset=dict(clip_cfg=clip_cfg))
