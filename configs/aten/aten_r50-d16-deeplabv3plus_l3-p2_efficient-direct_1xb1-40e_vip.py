# The efficient d16 ATEN with direct reference-key flows in stream mode:
# FlowNet-S runs p = 2 times per key for its references instead of once
# (the efficient configs compose the farther flow from the previous key's,
# docs/deployment.md, "No flow computed twice"). Clip mode and training are
# the same either way, so this config shares the efficient config's
# checkpoint. Measured (docs/deployment.md): composition costs no accuracy
# in stream mode and has a lower flow EPE; this config reproduces the
# direct-flow rows of the speed runs G-I.
_base_ = './aten_r50-d16-deeplabv3plus_l3-p2_efficient_1xb1-40e_vip.py'

model = dict(compose_flows=False)
