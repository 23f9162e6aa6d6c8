# Table 3 "ATEN(convLSTM)" (DAVIS, l = 4, p = 2).
_base_ = './aten_r101-d8-deeplabv3plus_l4-p2_davis.py'

model = dict(encoder=dict(type='ConvLSTMEncoder'))
