# FGFA on the narrow Parsing R-CNN (tests, CPU quick-start), K = 1; no scale
# field, as fgfa_r50-d16-deeplabv3plus.py.
_base_ = './aten_tiny.py'

model = dict(
    _delete_=True,
    type='FGFA',
    detector={{_base_.detector}},
    motion=dict(type='FlowNetS', scale_channels=0, base_channels=16),
    aligner=dict(type='FlowAligner', use_scale=False),
    aggregator=dict(
        type='EmbedAggregator',
        in_channels={{_base_.feat_channels}},
        channels=(32, 32, 64)),
    num_neighbors=1,
    align_refs=True,
    freeze_modules=[])
