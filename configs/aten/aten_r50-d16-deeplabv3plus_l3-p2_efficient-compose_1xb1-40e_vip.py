# The efficient d16 ATEN with composed reference-key flows in stream mode
# (docs/deployment.md, "No flow computed twice"): FlowNet-S runs once per
# key for its references instead of p = 2 times. Clip mode and training are
# unchanged (direct flows), so this config shares the efficient config's
# checkpoint. Kept as an option: composition is not exact where the middle
# key occludes what the other two see (measured EPE in docs/deployment.md).
_base_ = './aten_r50-d16-deeplabv3plus_l3-p2_efficient_1xb1-40e_vip.py'

model = dict(compose_flows=True)
