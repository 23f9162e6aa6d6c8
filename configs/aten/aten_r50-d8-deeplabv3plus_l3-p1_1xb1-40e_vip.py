# Table 1 "ATEN(p = 1)": one reference key frame.
_base_ = './aten_r50-d8-deeplabv3plus_l3-p2_1xb1-40e_vip.py'

num_refs = 1
clip_cfg = dict(mode='key', key_interval=3, num_refs=num_refs)
model = dict(num_refs=num_refs)
train_dataloader = dict(dataset=dict(clip_cfg=clip_cfg))
val_dataloader = dict(dataset=dict(clip_cfg=clip_cfg))
test_dataloader = val_dataloader
