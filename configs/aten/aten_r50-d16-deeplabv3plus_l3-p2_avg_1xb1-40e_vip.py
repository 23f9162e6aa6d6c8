# Ablation "ATEN (w/o convGRU)" (Tables 1/3): the encoder is the average of
# the aligned key-frame features.
_base_ = './aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py'

model = dict(encoder=dict(_delete_=True, type='AverageEncoder', in_channels=256))
