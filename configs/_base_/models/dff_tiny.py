# DFF on the narrow Parsing R-CNN (tests, CPU quick-start); l = 5 to suit the
# short synthetic videos.
_base_ = './aten_tiny.py'

model = dict(type='DFF', key_interval=5, num_refs=0, encoder=None)
