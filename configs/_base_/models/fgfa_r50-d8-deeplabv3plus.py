# FGFA (Zhu et al. 2017; paper Table 1): N_feat on every frame, the ±K
# neighbours warped to the target (FlowNet-S + FlowWarp ⊙ scale) and
# aggregated with cosine-similarity weights of an embedding network
# (1x1 -> 3x3 -> 1x1 convs), softmax over the frames per pixel.
_base_ = './aten_r50-d8-deeplabv3plus.py'

model = dict(
    _delete_=True,
    type='FGFA',
    detector={{_base_.detector}},
    motion={{_base_.motion}},
    aggregator=dict(
        type='EmbedAggregator',
        in_channels={{_base_.feat_channels}},
        channels=(128, 128, 512)),
    num_neighbors=2,
    propagate='flow',
    freeze_modules=[])
