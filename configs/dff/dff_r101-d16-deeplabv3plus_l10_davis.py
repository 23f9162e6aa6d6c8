# Table 2 "DFF" on DAVIS-2016: ATEN's DAVIS network, l = 10 with DFF's
# first-frame keys (causal propagation), no encoding.
_base_ = '../aten/aten_r101-d16-deeplabv3plus_l3-p2_davis.py'

model = dict(
    type='DFF', key_interval=10, num_refs=0, encoder=None,
    key_position='first')
