# Table 3 "ATEN(convLSTM)" (DAVIS, l = 4, p = 2), started from zeros as the
# release's ConvLSTM.
_base_ = './aten_r101-d16-deeplabv3plus_l4-p2_davis.py'

model = dict(encoder=dict(type='ConvLSTMEncoder', init_state='zeros'))
