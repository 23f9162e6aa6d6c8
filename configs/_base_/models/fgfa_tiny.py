# FGFA on the narrow Parsing R-CNN (tests, CPU quick-start), K = 1.
_base_ = './aten_tiny.py'

model = dict(
    _delete_=True,
    type='FGFA',
    detector={{_base_.detector}},
    motion={{_base_.motion}},
    aggregator=dict(
        type='EmbedAggregator',
        in_channels={{_base_.feat_channels}},
        channels=(32, 32, 64)),
    num_neighbors=1,
    propagate='flow',
    freeze_modules=[])
