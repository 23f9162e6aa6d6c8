# Ablation "ATEN (w/o convGRU)" (Tables 1/3) of the tiny ATEN on the
# synthetic VIP set: the encoder is the average of the aligned key-frame
# features (the synthetic study).
_base_ = './aten_tiny_synthetic.py'

model = dict(
    encoder=dict(
        _delete_=True,
        type='AverageEncoder',
        in_channels={{_base_.feat_channels}}))
