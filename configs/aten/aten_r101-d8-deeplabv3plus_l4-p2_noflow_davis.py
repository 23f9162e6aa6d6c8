# Table 3 "ATEN(w/o flow-warping align)" (DAVIS, l = 4, p = 2).
_base_ = './aten_r101-d8-deeplabv3plus_l4-p2_davis.py'

model = dict(propagate='none', motion=None)
