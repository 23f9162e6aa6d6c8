# FGFA (Zhu et al. 2017; paper Table 1): N_feat on every frame, the ±K
# neighbours warped to the target (FlowNet-S + FlowWarp) and aggregated
# with cosine-similarity weights of an embedding network (1x1 -> 3x3 -> 1x1
# convs), softmax over the frames per pixel. FGFA has no scale field: the
# flow net is built without one (scale_channels=0). K is set per dataset
# (the row configs).
_base_ = './parsing-rcnn_r50-d16-deeplabv3plus.py'

model = dict(
    _delete_=True,
    type='FGFA',
    detector={{_base_.model}},
    motion=dict(type='FlowNetS', scale_channels=0),
    aligner=dict(type='FlowAligner', use_scale=False),
    aggregator=dict(
        type='EmbedAggregator',
        in_channels={{_base_.feat_channels}},
        channels=(128, 128, 512)),
    num_neighbors=2,
    align_refs=True,
    freeze_modules=[])
