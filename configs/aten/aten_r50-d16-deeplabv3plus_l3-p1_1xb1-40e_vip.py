# Table 1 "ATEN(p = 1)": one reference key frame.
_base_ = './aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py'

model = dict(num_refs=1)
