"""Tests of the ground-truth backward flow (known motions)."""
import cv2
import mmcv
import numpy as np
import pytest

from aten_mm.datasets.synthetic.fileio import write_flow
from aten_mm.datasets.synthetic.flow import (
    affine_inverse,
    backward_flow,
    compose,
)
from aten_mm.datasets.synthetic.occluder import Occluder
from aten_mm.datasets.synthetic.person import person_parts, skeleton
from aten_mm.datasets.synthetic.scene import (
    OCC_BASE,
    PERSON_BASE,
    cam_offset,
    render_frame,
    render_image,
    sample_video,
)
from aten_mm.datasets.synthetic.texture import make_tile

W, H = 96, 64


def _video(seed=0, pan=0.0, people=1, frames=4, occluders=()):
    video = sample_video(np.random.default_rng(seed), W, H, frames,
                         max_people=1, pan_prob=0.0)
    # a background wide enough for the pan, camera starting at column 0
    extra = int(np.ceil(abs(pan) * frames)) + 2
    video.background = np.tile(video.background, (1, 2 + extra // W, 1))
    video.light = np.tile(video.light, (1, 2 + extra // W))
    video.cam_x0, video.cam_vx = 0.0, pan
    video.tracks = video.tracks[:people]
    video.occluders = list(occluders)
    return video


class _NoNoise:
    """A random stream without sensor noise (isolates the motion)."""

    @staticmethod
    def standard_normal(shape, dtype):
        return np.zeros(shape, dtype)


def _render(video, t, noise=False):
    frame = render_frame(video, t)
    img = render_image(video, t, frame.category, frame.human, frame,
                       np.random.default_rng(t) if noise else _NoNoise())
    return frame, img


def _warp(img, flow):
    """Sample ``img`` (frame t-1) at x + flow: ≈ frame t."""
    h, w = flow.shape[:2]
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32),
                         np.arange(h, dtype=np.float32))
    return cv2.remap(img, xs + flow[..., 0], ys + flow[..., 1],
                     cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _textured(img):
    g = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
    grad = np.abs(cv2.Sobel(g, cv2.CV_32F, 1, 0)) + np.abs(
        cv2.Sobel(g, cv2.CV_32F, 0, 1))
    return grad > 20


def _errors(prev_img, img, flow, mask):
    warped = np.abs(_warp(prev_img, flow).astype(float) - img).mean(-1)
    zero = np.abs(prev_img.astype(float) - img).mean(-1)
    return warped[mask].mean(), zero[mask].mean()


def test_pan_flow_is_exact_and_warps_frame_back():
    video = _video(pan=2.5, people=0)
    offsets = [cam_offset(video, t) for t in range(4)]
    assert offsets == [0, 2, 5, 8]  # round-half-even of 0, 2.5, 5, 7.5
    frames = [_render(video, t) for t in range(4)]
    for t in (1, 2, 3):
        (prev, prev_img), (cur, img) = frames[t - 1], frames[t]
        flow, valid = backward_flow(prev, cur)
        d = offsets[t] - offsets[t - 1]
        # content at x in t was at x + d in t-1 (the camera moved right)
        assert flow.dtype == np.float32 and flow.shape == (H, W, 2)
        np.testing.assert_array_equal(flow[..., 0], d)
        np.testing.assert_array_equal(flow[..., 1], 0)
        expected_valid = np.zeros((H, W), bool)
        expected_valid[:, :W - d] = True  # x + d must stay in the frame
        np.testing.assert_array_equal(valid, expected_valid)
        # without sensor noise the warp reproduces frame t exactly
        np.testing.assert_array_equal(_warp(prev_img, flow)[valid],
                                      img[valid])
        mask = valid & _textured(img)
        assert mask.sum() > 500
        assert _errors(prev_img, img, flow, mask)[1] > 5  # zero flow fails
    # with sensor noise (sigma 2 per frame) only the noise is left
    (prev, prev_img), (cur, img) = _render(video, 0, True), _render(
        video, 1, True)
    flow, valid = backward_flow(prev, cur)
    warp_err, zero_err = _errors(prev_img, img, flow, valid & _textured(img))
    assert warp_err < 2.5 < 5 < zero_err


def test_walking_person_flow():
    video = _video(seed=3, people=1, frames=3)
    track = video.tracks[0]
    track.x0, track.vx, track.vf = W / 2, 1.75, 0.0  # no size change
    track.phase0 = 0.0  # legs swinging fastest
    (prev, prev_img), (cur, img) = _render(video, 0), _render(video, 1)
    flow, valid = backward_flow(prev, cur)
    person = cur.human > 0
    assert person.sum() > 200
    # background is static; the torso moves with the body frame
    np.testing.assert_array_equal(flow[~person & (cur.surface == 0)], 0)
    parts = person_parts(track.spec, cur.poses[1])
    body = [PERSON_BASE + i for i, p in enumerate(parts)
            if p.shape == 'poly']  # torso, neck, skirt: body frame
    torso = np.isin(cur.surface, body) & valid
    assert torso.sum() > 20
    np.testing.assert_allclose(flow[torso], [[-1.75, 0.0]] * torso.sum(),
                               atol=1e-5)
    # limbs swing: their flow is not the body's
    legs = np.isin(cur.category, (16, 17)) & valid
    assert legs.sum() > 10
    assert np.abs(flow[legs][:, 0] + 1.75).max() > 0.3
    mask = valid & person & _textured(img)
    assert mask.sum() > 50
    warp_err, zero_err = _errors(prev_img, img, flow, mask)
    assert warp_err < 0.5 * zero_err


def test_limb_frames_carry_joints_to_their_previous_place():
    """Second path: the part frames must map each joint at t to the same
    joint at t-1 (skeleton() computed independently)."""
    video = _video(seed=5, people=1, frames=3)
    track = video.tracks[0]
    track.vx, track.vf = 2.0, 0.002
    prev, cur = render_frame(video, 1), render_frame(video, 2)
    j0 = skeleton(track.spec, prev.poses[1])
    j1 = skeleton(track.spec, cur.poses[1])
    parts1 = person_parts(track.spec, cur.poses[1])
    checked = 0
    for i, part in enumerate(parts1):
        if part.shape != 'line':
            continue
        a = np.asarray(part.geom[0])
        name = [k for k, v in j1.items() if np.allclose(v, a)]
        if not name:
            continue
        sid = PERSON_BASE + i
        m = compose(affine_inverse(prev.frames[sid]), cur.frames[sid])
        np.testing.assert_allclose(m[:, :2] @ a + m[:, 2], j0[name[0]],
                                   atol=1e-6)
        checked += 1
    assert checked >= 8  # hips, knees, shoulders, elbows at least


def _occluder(x_at_1, vx, width=14.0):
    return Occluder(shape='pole', x0=x_at_1 - vx, vx=vx, cy=H / 2,
                    width=width, height=1.2 * H,
                    tile=make_tile(np.random.default_rng(0), 'checks',
                                   (20, 200, 20)), texels=60.0)


def test_valid_is_zero_where_an_occluder_covers_the_source():
    video = _video(seed=2, people=1, frames=3,
                   occluders=[_occluder(W / 2 + 6, 6.0)])
    track = video.tracks[0]
    track.x0, track.vx, track.vf, track.omega = W / 2, 0.0, 0.0, 0.0
    prev, cur = render_frame(video, 0), render_frame(video, 1)
    flow, valid = backward_flow(prev, cur)
    person = cur.human > 0
    # a person standing still: its flow is 0 where it is visible
    np.testing.assert_allclose(flow[person], 0, atol=1e-6)
    covered_before = prev.surface == OCC_BASE
    hidden_source = person & covered_before
    # the pole, centred on the person in t-1, moved on and uncovered it
    assert hidden_source.sum() > 20
    assert not valid[hidden_source].any()
    np.testing.assert_array_equal(valid[person & ~covered_before], True)
    # the pole itself moves by vx: it came from x - vx
    pole = cur.surface == OCC_BASE
    assert pole.sum() > 100
    np.testing.assert_allclose(flow[pole], [[-6.0, 0.0]] * pole.sum(),
                               atol=1e-4)
    assert valid[pole].mean() > 0.9
    # labels say what is visible: the pole is background
    assert (cur.category[pole] == 0).all() and (cur.human[pole] == 0).all()


def test_flo_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    flow = rng.normal(0, 5, (7, 9, 2)).astype(np.float32)
    valid = rng.random((7, 9)) > 0.3
    write_flow(str(tmp_path), 'videos1', '000000000002', flow, valid)
    back = mmcv.flowread(str(tmp_path / 'flow/videos1/000000000002.flo'))
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, flow)
    mask = cv2.imread(str(tmp_path / 'flow/videos1/000000000002_valid.png'),
                      cv2.IMREAD_UNCHANGED)
    assert mask.dtype == np.uint8
    np.testing.assert_array_equal(mask, np.where(valid, 255, 0))


@pytest.mark.parametrize('shape', ['pole', 'board', 'disc'])
def test_occluder_shapes_draw_as_class_0(shape):
    occ = _occluder(W / 2, 5.0)
    occ.shape, occ.height = shape, 30.0
    video = _video(seed=1, people=1, frames=2, occluders=[occ])
    frame = render_frame(video, 1)
    m = frame.surface == OCC_BASE
    assert m.sum() > 50 and (frame.category[m] == 0).all()


def test_the_models_flow_warp_agrees():
    """The written flow is in the convention of aten_mm's feature warp
    (Eq. 6): flow_warp(frame t-1, flow) reproduces frame t."""
    import torch

    from aten_mm.models.layers.flow_warp import flow_warp
    video = _video(pan=3.0, people=1, frames=2)
    video.tracks[0].vx = 1.5
    (prev, prev_img), (cur, img) = _render(video, 0), _render(video, 1)
    flow, valid = backward_flow(prev, cur)
    x = torch.from_numpy(prev_img).permute(2, 0, 1)[None].float()
    f = torch.from_numpy(flow).permute(2, 0, 1)[None]
    out = flow_warp(x, f)[0].permute(1, 2, 0).numpy()
    # the background shifts by a whole 3 pixels: exact (outlines are drawn
    # on the people's side)
    bg = valid & (cur.surface == 0)
    assert bg.sum() > 2000
    np.testing.assert_allclose(out[bg], img[bg].astype(np.float32),
                               atol=1e-3)
    person = valid & (cur.human > 0) & _textured(img)
    warp_err = np.abs(out[person] - img[person]).mean()
    zero_err = np.abs(prev_img[person].astype(float) - img[person]).mean()
    assert warp_err < 0.5 * zero_err
