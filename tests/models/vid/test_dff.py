"""DFF baseline (Table 1): key features propagated by flow, no encoding."""
import pytest
import torch

from aten_mm.models.layers.flow_warp import flow_warp


def test_dff_propagates_the_raw_key_feature(vid_helpers):
    h = vid_helpers
    model = h.build_tiny('dff_tiny')  # l = 5: keys 2, 7, ...
    assert model.encoder is None and model.num_refs == 0
    assert model.plan(0, 13) == dict(key=2, refs=[])
    video = h.synthetic_video(13)
    with torch.no_grad():
        got_key = h.feat_of(model, video, 2)
        got = h.feat_of(model, video, 0)
        key = model.detector.extract_feat(video[2:3])
        flow, scale = model.motion(video[0:1], video[2:3])
    torch.testing.assert_close(got_key, key, atol=1e-5, rtol=0)
    torch.testing.assert_close(got, flow_warp(key, flow) * scale,
                               atol=1e-5, rtol=0)


def test_dff_training_lowers_the_loss(vid_helpers):
    h = vid_helpers
    model = h.build_tiny('dff_tiny').train()
    inputs, sample = h.training_clip(model)
    assert inputs.shape[1] == 2  # target 5 + key 7
    losses = h.train_losses(model, inputs, sample)
    assert losses[-1] < 0.85 * losses[0]


def test_dff_rejects_an_encoder(vid_helpers):
    with pytest.raises(ValueError, match='DFF'):
        vid_helpers.build_tiny(
            'dff_tiny', num_refs=2, encoder=dict(type='AverageEncoder'))
