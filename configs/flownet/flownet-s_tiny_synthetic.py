# The quarter-width FlowNet-S of the tiny video configs (conv1 = 16
# channels, configs/_base_/models/aten_tiny.py) pretrained on the synthetic
# set's ground-truth flow. Its checkpoint is the `motion` init of the tiny
# ATEN / DFF / FGFA configs (docs/flow.md):
#   python tools/train.py configs/flownet/flownet-s_tiny_synthetic.py
_base_ = ['./flownet-s_synthetic.py']

model = dict(motion=dict(base_channels=16))
# a small net learns faster with a larger step
optim_wrapper = dict(optimizer=dict(lr=1e-3))
