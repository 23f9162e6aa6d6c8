"""ATEN (paper §4.1-4.4, Eq. 2-4, 7) on the tiny config."""
import pytest
import torch

from aten_mm.models.layers.flow_warp import flow_warp


def test_key_feature_encodes_aligned_later_keys_at_video_start(
        vid_helpers):
    """t = 0: key 1, refs = later keys 7, 4 (furthest first), Eq. 3-4."""
    h = vid_helpers
    model = h.build_tiny('aten_tiny')
    video = h.synthetic_video(13)
    inputs, sample = h.clip_of(model, video, 1)
    assert sample.ref_frame_indices == [7, 4]
    with torch.no_grad():
        got = model(inputs, [sample], mode='tensor')
        frames = {i: video[i:i + 1] for i in (1, 4, 7)}
        feats = {i: model.detector.extract_feat(f)
                 for i, f in frames.items()}
        aligned = []
        for r in (7, 4):  # Eq. 3: W(F_r, FlowNet(I_k, I_r)) ⊙ S
            flow, scale = model.motion(frames[1], frames[r])
            aligned.append(flow_warp(feats[r], flow) * scale)
        expected = model.encoder(aligned + [feats[1]])  # Eq. 4, key last
        swapped = model.encoder(aligned[::-1] + [feats[1]])
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)
    # the encoder order matters, so the check above pins it
    assert (swapped - expected).abs().max() > 1e-4


def test_non_key_frame_gets_the_propagated_key_feature(vid_helpers):
    """Eq. 2: F_t = W(F̄_k, FlowNet(I_t, I_k)) ⊙ S."""
    h = vid_helpers
    model = h.build_tiny('aten_tiny')
    video = h.synthetic_video(13)
    with torch.no_grad():
        enc = h.feat_of(model, video, 4)
        got = h.feat_of(model, video, 5)
        flow, scale = model.motion(video[5:6], video[4:5])
        expected = flow_warp(enc, flow) * scale
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)


def test_without_flow_alignment_features_are_unwarped(vid_helpers):
    """'w/o flow-warping alignment': average of raw key features."""
    h = vid_helpers
    model = h.build_tiny(
        'aten_tiny', propagate='none', motion=None,
        encoder=dict(type='AverageEncoder'))
    assert model.motion is None
    video = h.synthetic_video(13)
    with torch.no_grad():
        key = h.feat_of(model, video, 4)
        non_key = h.feat_of(model, video, 3)
        raw = model.detector.extract_feat(video[[1, 4, 7]])
    torch.testing.assert_close(key, raw.mean(0, keepdim=True),
                               atol=1e-5, rtol=0)
    torch.testing.assert_close(non_key, key, atol=0, rtol=0)


def test_p1_uses_one_reference(vid_helpers):
    h = vid_helpers
    model = h.build_tiny('aten_tiny', num_refs=1)
    assert model.plan(0, 13) == dict(key=1, refs=[4])
    assert model.plan(7, 13) == dict(key=7, refs=[4])


def test_training_on_one_clip_lowers_the_loss(vid_helpers):
    h = vid_helpers
    model = h.build_tiny('aten_tiny').train()
    inputs, sample = h.training_clip(model)
    assert inputs.shape[1] == 4  # refs 1, 7 + key 4 + target 5
    losses = h.train_losses(model, inputs, sample)
    assert losses[-1] < 0.85 * losses[0]


def test_missing_clip_frames_are_reported(vid_helpers):
    h = vid_helpers
    model = h.build_tiny('aten_tiny')
    video = h.synthetic_video(13)
    inputs, sample = h.clip_of(model, video, 5)
    sample.set_metainfo(dict(clip_frame_indices=[1, 4, 5]))
    with pytest.raises(ValueError, match='lacks frames'):
        model(inputs[:, :3], [sample], mode='tensor')
    with pytest.raises(ValueError, match='encoder'):
        h.build_tiny('aten_tiny', encoder=None)


def test_dataset_key_must_match_the_model_at_test_time(vid_helpers):
    h = vid_helpers
    model = h.light_heads(h.build_tiny('dff_tiny'))  # l = 5: key of 0 is 2
    video = h.synthetic_video(13)
    inputs, sample = h.clip_of(model, video, 0)
    sample.set_metainfo(dict(key_frame_index=0, clip_frame_indices=[0, 2]))
    with torch.no_grad(), pytest.raises(ValueError, match='key_interval'):
        model.predict(inputs, [sample])
