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


def test_without_any_alignment_features_are_unwarped(vid_helpers):
    """No alignment at all: average of raw key features, F_t = F̄_k."""
    h = vid_helpers
    model = h.build_tiny(
        'aten_tiny', align_refs=False, propagate='none', motion=None,
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
    model = h.light_heads(  # l = 5, median keys: key of 0 is 2
        h.build_tiny('dff_tiny', key_position='median'))
    video = h.synthetic_video(13)
    inputs, sample = h.clip_of(model, video, 0)
    sample.set_metainfo(dict(key_frame_index=0, clip_frame_indices=[0, 2]))
    with torch.no_grad(), pytest.raises(ValueError, match='key_interval'):
        model.predict(inputs, [sample])


class _ShiftFlow(torch.nn.Module):
    """A stand-in flow net: a constant flow of ``dx`` feature pixels along
    x on the stride-4 grid, scale field 2 (so that Eq. 6's ⊙ S shows)."""

    def __init__(self, dx=0.0):
        super().__init__()
        self.dx = dx

    def forward(self, cur, ref):
        n, _, h, w = cur.shape
        flow = cur.new_zeros(n, 2, -(-h // 4), -(-w // 4))
        flow[:, 0] = self.dx
        return flow, torch.full_like(flow[:, :1], 2.0)


def _encoder_inputs(model):
    """Record the inputs of every encoder call."""
    calls = []
    forward = model.encoder.forward

    def record(feats):
        calls.append([f.detach().clone() for f in feats])
        return forward(feats)

    model.encoder.forward = record
    return calls


@pytest.mark.parametrize('align_refs', [True, False])
def test_noalign_warps_non_key_frames_but_not_the_references(
        vid_helpers, align_refs):
    """§5.4 "w/o flow-warping align" removes only Eq. 3: with
    ``align_refs=False`` the flow changes a non-key frame's feature (Eq. 2
    still warps it) but not the reference inputs of F̄_k; with alignment
    both change."""
    h = vid_helpers
    model = h.build_tiny('aten_tiny', align_refs=align_refs)
    video = h.synthetic_video(13)
    calls = _encoder_inputs(model)
    feats = {}
    with torch.no_grad():
        for dx in (0.0, 1.0):
            model.motion = _ShiftFlow(dx)
            feats[dx] = (h.feat_of(model, video, 4),
                         h.feat_of(model, video, 5))
    refs = [c[:-1] for c in calls]  # per call: the p reference inputs
    key_in = [c[-1] for c in calls]
    assert len(refs) == 4 and all(len(r) == 2 for r in refs)
    # the key's own feature enters unwarped in every case
    torch.testing.assert_close(key_in[0], key_in[2], atol=0, rtol=0)
    refs_changed = any((a - b).abs().max() > 1e-4
                       for a, b in zip(refs[0], refs[2]))
    assert refs_changed == align_refs
    if not align_refs:  # raw reference features, encoder order [1, 7]
        raw = model.detector.extract_feat(video[[1, 7]])
        for got, want in zip(refs[0], raw.split(1)):
            torch.testing.assert_close(got, want, atol=1e-5, rtol=0)
        torch.testing.assert_close(feats[0.0][0], feats[1.0][0],
                                   atol=0, rtol=0)
    # the non-key frame 5 is propagated from F̄_4 by the flow (Eq. 2)
    assert (feats[0.0][1] - feats[1.0][1]).abs().max() > 1e-4
    torch.testing.assert_close(feats[0.0][1], 2 * feats[0.0][0],
                               atol=1e-5, rtol=0)
