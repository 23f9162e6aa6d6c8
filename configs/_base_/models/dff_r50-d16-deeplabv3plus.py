# DFF (Zhu et al. 2017; paper Table 1, §5.2 "all the settings the same as
# its paper"): segments of l = 10 frames, N_feat on the FIRST frame of each
# segment, every other frame propagated from the preceding key by
# FlowNet-S + FlowWarp ⊙ scale (Eq. 2; causal), no temporal encoding. In
# training the key is drawn 0 ... l - 1 frames before the target.
_base_ = './aten_r50-d16-deeplabv3plus.py'

model = dict(
    type='DFF', key_interval=10, num_refs=0, encoder=None,
    key_position='first')
