"""DFF baseline (Table 1): key features propagated by flow, no encoding."""
import pytest
import torch

from aten_mm.models.layers.flow_warp import flow_warp


def test_dff_propagates_the_raw_key_feature(vid_helpers):
    h = vid_helpers
    # l = 5 with median keys 2, 7, ...
    model = h.build_tiny('dff_tiny', key_position='median')
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
    model = h.build_tiny('dff_tiny', key_position='median').train()
    inputs, sample = h.training_clip(model)
    assert inputs.shape[1] == 2  # target 5 + key 7
    losses = h.train_losses(model, inputs, sample)
    assert losses[-1] < 0.85 * losses[0]


def test_dff_rejects_an_encoder(vid_helpers):
    with pytest.raises(ValueError, match='DFF'):
        vid_helpers.build_tiny(
            'dff_tiny', num_refs=2, encoder=dict(type='AverageEncoder'))


def test_dff_keys_are_the_first_frames_of_their_segments(vid_helpers):
    """DFF's own schedule: key = first frame of the segment, every other
    frame propagated from the PRECEDING key (Eq. 2, ⊙ S)."""
    h = vid_helpers
    model = h.build_tiny('dff_tiny')  # l = 5, key_position='first'
    assert model.key_position == 'first'
    assert [model.plan(t, 13)['key'] for t in range(13)] == (
        [0] * 5 + [5] * 5 + [10] * 3)
    video = h.synthetic_video(13)
    with torch.no_grad():
        got = h.feat_of(model, video, 9)
        key = model.detector.extract_feat(video[5:6])
        flow, scale = model.motion(video[9:10], video[5:6])
        torch.testing.assert_close(h.feat_of(model, video, 5), key,
                                   atol=1e-5, rtol=0)
    torch.testing.assert_close(got, flow_warp(key, flow) * scale,
                               atol=1e-5, rtol=0)


def test_dff_stream_is_causal(vid_helpers):
    """Stream mode returns frame t before frame t + 1 arrives, equal to
    clip mode."""
    h = vid_helpers
    model = h.light_heads(h.build_tiny('dff_tiny'))
    video = h.synthetic_video(12)
    with torch.no_grad():
        for t in range(12):
            out = model.predict(video[t][None, None],
                                [h.stream_sample(t, 12)])
            assert [s.frame_index for s in out] == [t]
            inputs, sample = h.clip_of(model, video, t)
            [clip] = model.predict(inputs, [sample])
            torch.testing.assert_close(out[0].feat, clip.feat, atol=1e-5,
                                       rtol=0)
            # only the key the next frame needs stays cached (none at a
            # segment's end); the last frame ends the video
            if t == 11:
                assert model.stream_cache is None
            else:
                keep = [] if (t + 1) % 5 == 0 else [t - t % 5]
                assert sorted(model.stream_cache.entries) == keep
