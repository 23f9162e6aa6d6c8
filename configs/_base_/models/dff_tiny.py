# DFF on the narrow Parsing R-CNN (tests, CPU quick-start): DFF's own
# schedule (first frame of each segment is the key, causal propagation), l = 5
# to suit the short synthetic videos.
_base_ = './aten_tiny.py'

model = dict(
    type='DFF', key_interval=5, num_refs=0, encoder=None,
    key_position='first')
