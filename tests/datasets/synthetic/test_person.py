"""Tests of the articulated person model (left/right, visible parts)."""
import numpy as np
import pytest

from aten_mm.datasets.synthetic import PersonPose, render_person, sample_person
from aten_mm.datasets.synthetic.person import skeleton

SIZE = (160, 160)
POSE = PersonPose(cx=80.0, foot_y=150.0, height=140.0, phase=0.0)


def _mean_x(cat, cls):
    ys, xs = np.nonzero(cat == cls)
    assert len(xs), f'class {cls} not drawn'
    return xs.mean()


@pytest.mark.parametrize('seed', range(6))
def test_left_side_on_image_right_when_facing_camera(seed):
    rng = np.random.default_rng(seed)
    for facing, sign in (('front', 1), ('back', -1)):
        spec = sample_person(rng, facing=facing)
        spec.gloves = False  # keep the hands as arm pixels
        cat = render_person(spec, POSE, SIZE)
        for left, right in ((14, 15), (16, 17), (18, 19)):
            assert sign * (_mean_x(cat, left) - POSE.cx) > 0, (facing, left)
            assert sign * (_mean_x(cat, right) - POSE.cx) < 0, (facing,
                                                                 right)


def test_walk_swings_limbs_in_opposition():
    spec = sample_person(np.random.default_rng(0), facing='front')
    pose = PersonPose(cx=80.0, foot_y=150.0, height=140.0,
                      phase=np.pi / 2)
    j0, j1 = skeleton(spec, POSE), skeleton(spec, pose)
    # the left leg swings one way, the right leg and left arm the other
    dl = j1['l_ankle'][0] - j0['l_ankle'][0]
    dr = j1['r_ankle'][0] - j0['r_ankle'][0]
    da = j1['l_wrist'][0] - j0['l_wrist'][0]
    assert dl * dr < 0 and dl * da < 0
    # hips and shoulders do not move
    np.testing.assert_allclose(j1['l_hip'], j0['l_hip'])
    np.testing.assert_allclose(j1['r_shoulder'], j0['r_shoulder'])


def _spec(**overrides):
    spec = sample_person(np.random.default_rng(1), facing='front')
    for k, v in overrides.items():
        setattr(spec, k, v)
    return spec


def test_every_option_is_visible():
    # coat open over upper-clothes, short sleeves and pants, socks, all
    # accessories
    spec = _spec(top=7, inner=True, bottom=9, bottom_len=0.6, sock_len=0.08,
                 sleeve=0.45, hat=True, sunglasses=True, gloves=True,
                 scarf=True, bald=False, vneck=0.06)
    got = set(np.unique(render_person(spec, POSE, SIZE)).tolist())
    assert got == set(range(20)) - {6, 12}
    # long sleeves and gloves cover the arms entirely
    covered = _spec(top=7, sleeve=1.0, gloves=True)
    assert not {14, 15} & set(np.unique(render_person(covered, POSE, SIZE)))
    dress = _spec(top=6, bottom=6, bottom_len=0.7, inner=False, scarf=False)
    assert 6 in np.unique(render_person(dress, POSE, SIZE))
    skirt = _spec(top=5, bottom=12, bottom_len=0.7, inner=False)
    got = set(np.unique(render_person(skirt, POSE, SIZE)).tolist())
    assert {5, 12, 16, 17} <= got and 9 not in got


def test_back_view_has_no_face():
    spec = _spec(sunglasses=False)
    spec.facing = 'back'
    got = set(np.unique(render_person(spec, POSE, SIZE)).tolist())
    assert 13 not in got and 2 in got


def test_bad_facing():
    with pytest.raises(ValueError, match='facing'):
        sample_person(np.random.default_rng(0), facing='side')


@pytest.mark.parametrize('seed', range(8))
def test_parts_are_the_same_in_every_pose(seed):
    """The flow pairs part i of frame t with part i of frame t-1."""
    from aten_mm.datasets.synthetic.person import person_parts
    rng = np.random.default_rng(seed)
    spec = sample_person(rng)
    ref = [(p.cls, p.shape) for p in person_parts(spec, POSE)]
    assert len(ref) < 64
    for _ in range(20):
        pose = PersonPose(cx=rng.uniform(-50, 200), foot_y=rng.uniform(
            50, 200), height=rng.uniform(20, 300),
            phase=rng.uniform(0, 2 * np.pi),
            walk_dir=int(rng.choice([-1, 1])))
        assert [(p.cls, p.shape) for p in person_parts(spec, pose)] == ref


def test_part_frames_follow_the_body():
    """Body-frame parts map the body axis top to (0, 0) and the feet line
    to y = 1; a limb segment's start is its origin and its end lies on its
    first axis at length / height."""
    from aten_mm.datasets.synthetic.person import person_parts
    spec = sample_person(np.random.default_rng(0), facing='front')
    parts = person_parts(spec, POSE)
    top = np.array([POSE.cx, POSE.foot_y - POSE.height, 1.0])
    feet = np.array([POSE.cx, POSE.foot_y, 1.0])
    polys = [p for p in parts if p.shape == 'poly']
    for p in polys:
        np.testing.assert_allclose(p.frame @ top, [0, 0], atol=1e-12)
        np.testing.assert_allclose(p.frame @ feet, [0, 1], atol=1e-12)
    for p in parts:
        if p.shape != 'line':
            continue
        a, b = np.array(p.geom[0]), np.array(p.geom[1])
        np.testing.assert_allclose(p.frame @ np.append(a, 1), [0, 0],
                                   atol=1e-9)
        np.testing.assert_allclose(
            p.frame @ np.append(b, 1),
            [np.linalg.norm(b - a) / POSE.height, 0], atol=1e-9)
