"""FGFA baseline (Table 1): flow-guided aggregation of ±K neighbours."""
import torch

from aten_mm.models.layers.flow_warp import flow_warp


def test_fgfa_aggregates_the_aligned_neighbours(vid_helpers):
    h = vid_helpers
    model = h.build_tiny('fgfa_tiny')  # K = 1
    # neighbours repeat the target at the video's borders
    assert model.plan(0, 13) == dict(key=0, refs=[0, 1])
    assert model.plan(6, 13) == dict(key=6, refs=[5, 7])
    video = h.synthetic_video(13)
    with torch.no_grad():
        got = h.feat_of(model, video, 6)
        feats = model.detector.extract_feat(video[5:8])
        flow, scale = model.motion(video[[6, 6]], video[[5, 7]])
        # FGFA has no scale field: warping only
        assert scale is None and model.motion.scale_head is None
        aligned = flow_warp(feats[[0, 2]], flow)
        stack = torch.cat([feats[1:2], aligned])
        weights = model.aggregator.weights(feats[1:2], stack)
    torch.testing.assert_close(got, (weights * stack).sum(0, keepdim=True),
                               atol=1e-5, rtol=0)
    # the weights vary per pixel and are not the plain average
    assert (weights - 1 / 3).abs().max() > 1e-3


def test_fgfa_training_lowers_the_loss(vid_helpers):
    h = vid_helpers
    model = h.build_tiny('fgfa_tiny').train()
    inputs, sample = h.training_clip(model)
    assert inputs.shape[1] == 3  # t - 1, t, t + 1
    losses = h.train_losses(model, inputs, sample)
    assert losses[-1] < 0.85 * losses[0]
