# DFF (Zhu et al. 2017; paper Table 1): N_feat on the median key of every
# 10 frames, FlowNet-S + FlowWarp ⊙ scale to the other frames (Eq. 2), no
# temporal encoding.
_base_ = './aten_r50-d8-deeplabv3plus.py'

model = dict(type='DFF', key_interval=10, num_refs=0, encoder=None)
