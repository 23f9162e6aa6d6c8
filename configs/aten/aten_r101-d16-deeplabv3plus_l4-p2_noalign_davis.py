# Table 3 "ATEN(w/o flow-warping align)" (DAVIS, l = 4, p = 2), §5.4: the
# former key frames enter the ConvGRU unwarped; non-key frames are still
# propagated by flow.
_base_ = './aten_r101-d16-deeplabv3plus_l4-p2_davis.py'

model = dict(align_refs=False)
