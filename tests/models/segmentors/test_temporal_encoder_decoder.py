"""TemporalEncoderDecoder wires flow, warp, scale and encoder (Eq. 3-4).

The model comes from the component-guide config; its flow network is
replaced by a stub with a known flow and scale field, so the fused feature
can be computed by hand from the per-frame features.
"""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from aten_mm.models.layers import flow_warp
from aten_mm.registry import MODELS

CONFIG = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', '..',
                  'configs', 'components', 'temporal-encoder_r18_mmseg.py')


class StubFlow(torch.nn.Module):
    """Flow (+1.5 px right, -1 px up) and scale 2 on the stride-4 grid."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def forward(self, cur, ref):
        self.calls.append((cur, ref))
        n, _, h, w = cur.shape
        flow = torch.zeros(n, 2, h // 4, w // 4)
        flow[:, 0] = 1.5
        flow[:, 1] = -1.0
        return flow, torch.full((n, 32, h // 4, w // 4), 2.0)


@pytest.fixture(scope='module')
def model():
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(CONFIG).model)
    model.init_weights()
    model.motion = StubFlow()
    return model.eval()


def _frame_feat(model, frame):
    return model.neck(model.backbone(frame))[0]


def test_references_are_warped_scaled_and_encoded_key_last(model):
    torch.manual_seed(1)
    frames = [torch.randn(2, 3, 64, 96) for _ in range(3)]
    model.motion.calls.clear()
    with torch.no_grad():
        fused = model.extract_feat(torch.stack(frames, dim=1))
        feats = [_frame_feat(model, f) for f in frames]
        flow = model.motion(frames[2], frames[0])[0]
        aligned = [flow_warp(f, flow) * 2.0 for f in feats[:2]]
        expected = model.encoder(aligned + [feats[2]])
    torch.testing.assert_close(fused[0], expected, rtol=1e-4, atol=1e-5)
    # one flow call for both references: cur = the target (last frame)
    # repeated, ref = the references in clip order
    cur, ref = model.motion.calls[0]
    assert torch.equal(cur, frames[2].repeat(2, 1, 1, 1))
    assert torch.equal(ref, torch.cat(frames[:2]))
    # the order matters: the target fed first gives another result
    with torch.no_grad():
        swapped = model.encoder([feats[2]] + aligned)
    assert not torch.allclose(fused[0], swapped, atol=1e-3)


def test_list_of_frames_and_single_image(model):
    torch.manual_seed(2)
    frames = [torch.randn(1, 3, 64, 64) for _ in range(2)]
    with torch.no_grad():
        as_list = model.extract_feat(frames)[0]
        as_tensor = model.extract_feat(torch.stack(frames, dim=1))[0]
        single = model.extract_feat(frames[1])[0]
        by_hand = model.encoder([_frame_feat(model, frames[1])])
    torch.testing.assert_close(as_list, as_tensor)
    # an image is a clip of one frame: no flow, the encoder sees [F_T]
    torch.testing.assert_close(single, by_hand, rtol=1e-4, atol=1e-5)


def test_predict_without_data_samples_gives_input_size_maps(model):
    clip = torch.randn(2, 2, 3, 64, 96)
    with torch.no_grad():
        preds = model.predict(clip)
        logits = model.encode_decode(clip, [dict(img_shape=(64, 96))] * 2)
    assert len(preds) == 2
    for i, pred in enumerate(preds):
        assert pred.pred_sem_seg.data.shape == (1, 64, 96)
        assert torch.equal(pred.pred_sem_seg.data[0], logits[i].argmax(0))


def test_bad_inputs_are_refused(model):
    with pytest.raises(ValueError, match=r'\(N, T, 3, H, W\)'):
        model.extract_feat(torch.randn(3, 64, 64))
    with pytest.raises(ValueError, match='equally shaped'):
        model.extract_feat([torch.randn(1, 3, 64, 64),
                            torch.randn(1, 3, 32, 32)])
    cfg = Config.fromfile(CONFIG).model
    cfg.test_cfg = dict(mode='slide', crop_size=(64, 64), stride=(32, 32))
    with pytest.raises(ValueError, match="test_cfg.mode must be 'whole'"):
        MODELS.build(cfg)


def test_the_aligner_is_the_video_parsers_one(model):
    """Eq. 3/6 is the registered FlowAligner (shared with the video
    parsers); an IdentityAligner feeds the references unwarped."""
    from aten_mm.models.layers import FlowAligner, IdentityAligner
    assert isinstance(model.aligner, FlowAligner)
    assert model.warp is model.aligner.warp
    cfg = Config.fromfile(CONFIG).model
    cfg.aligner = dict(type='IdentityAligner')
    torch.manual_seed(0)
    plain = MODELS.build(cfg).eval()
    assert isinstance(plain.aligner, IdentityAligner)
    torch.manual_seed(3)
    frames = [torch.randn(1, 3, 64, 64) for _ in range(2)]
    with torch.no_grad():
        fused = plain.extract_feat(frames)[0]
        feats = [_frame_feat(plain, f) for f in frames]
        expected = plain.encoder(feats)
    torch.testing.assert_close(fused, expected, rtol=1e-4, atol=1e-5)
