# Table 3 "ATEN(w/o convGRU)" (DAVIS, l = 4, p = 2): average encoder.
_base_ = './aten_r101-d16-deeplabv3plus_l4-p2_davis.py'

model = dict(encoder=dict(_delete_=True, type='AverageEncoder', in_channels=256))
