# Table 1 "ATEN(LSTM)": the ConvGRU encoder replaced by a ConvLSTM.
_base_ = './aten_r50-d8-deeplabv3plus_l3-p2_1xb1-40e_vip.py'

model = dict(encoder=dict(type='ConvLSTMEncoder'))
