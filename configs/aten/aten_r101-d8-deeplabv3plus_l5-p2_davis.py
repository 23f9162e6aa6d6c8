# Table 2 "ATEN(l = 5)": as the l = 3 row with a longer key interval.
_base_ = './aten_r101-d8-deeplabv3plus_l3-p2_davis.py'

key_interval = 5
clip_cfg = dict(mode='key', key_interval=key_interval, num_refs=2)
model = dict(key_interval=key_interval)
train_dataloader = dict(dataset=dict(clip_cfg=clip_cfg))
