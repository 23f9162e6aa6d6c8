# Table 1 "ATEN(LSTM)": the ConvGRU encoder replaced by a ConvLSTM, started
# from zeros as the release's ConvLSTM.
_base_ = './aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py'

model = dict(encoder=dict(type='ConvLSTMEncoder', init_state='zeros'))
