"""Articulated 2-D person model of the synthetic VIP generator.

A person is a stick figure of body height ``h`` (pixels) anchored at the
middle between its feet. Its :class:`Part` s are filled, back to front, as
polygons, thick lines and ellipses into a single-channel label map whose
values are the VIP class ids (the 19 part classes of the VIP dataset), so a
label map is exact at full resolution. Each part also carries the frame in
which its texture is painted (the body frame, a limb segment, a hand or a
foot), which makes the motion of every painted pixel known exactly
(:mod:`.flow`).

Left/right are the *person's* sides: facing the camera, the left arm (14),
left leg (16) and left shoe (18) lie on the image's right of the body axis;
facing away, on the image's left.
"""
from dataclasses import dataclass, field

import cv2
import numpy as np

from .texture import garment_tile, hair_colour, make_tile, skin_colour

# VIP class ids (aten_mm.datasets.vip_classes.VIP_CLASSES).
HAT, HAIR, GLOVES, SUNGLASSES, UPPER, DRESS, COAT, SOCKS, PANTS = range(1, 10)
TORSO_SKIN, SCARF, SKIRT, FACE = 10, 11, 12, 13
L_ARM, R_ARM, L_LEG, R_LEG, L_SHOE, R_SHOE = 14, 15, 16, 17, 18, 19

SKIN_CLASSES = (TORSO_SKIN, FACE, L_ARM, R_ARM, L_LEG, R_LEG)

# Probabilities of the optional items (per person).
PROBS = dict(front=0.6, hat=0.3, sunglasses=0.35, gloves=0.25, scarf=0.3,
             dress=0.2, coat=0.3, open_coat=0.6, skirt=0.3, socks=0.7,
             long_hair=0.35, bald=0.05)

_SHIFT = 4  # cv2 fixed-point bits: coordinates are drawn at 1/16 pixel
_ONE = 1 << _SHIFT


@dataclass
class PersonSpec:
    """Appearance of one synthetic person (fixed over a video).

    Attributes:
        facing (str): ``'front'`` (towards the camera) or ``'back'``.
        top (int): Torso garment class: 5 upper-clothes, 6 dress, 7 coat.
        bottom (int): 9 pants, 12 skirt or 6 (the dress's skirt part).
        inner (bool): An open coat shows a strip of upper-clothes (5).
        sleeve (float): Sleeve length as a fraction of the arm (0..1).
        bottom_len (float): Pants: fraction of the leg covered from the
            hip; skirt/dress: hem height as a fraction of body height.
        sock_len (float): Sock height (fraction of body height), 0 = none.
        vneck (float): Depth of the neckline (fraction of body height).
        hat, sunglasses, gloves, scarf, long_hair, bald (bool): Options.
        build (float): Width factor of the body.
        swing (float): Amplitude of the limb swing (radians).
        tiles (dict): ``{class_id: (TILE, TILE, 3) uint8 BGR}`` textures.
        tex_scale (dict): ``{class_id: float}`` texels per body height / 100.
    """
    facing: str = 'front'
    top: int = UPPER
    bottom: int = PANTS
    inner: bool = False
    sleeve: float = 0.5
    bottom_len: float = 0.9
    sock_len: float = 0.06
    vneck: float = 0.04
    hat: bool = False
    sunglasses: bool = False
    gloves: bool = False
    scarf: bool = False
    long_hair: bool = False
    bald: bool = False
    build: float = 1.0
    swing: float = 0.35
    tiles: dict = field(default_factory=dict)
    tex_scale: dict = field(default_factory=dict)

    @property
    def left_sign(self) -> int:
        """+1 if the person's left side is on the image's right, else -1."""
        return 1 if self.facing == 'front' else -1


@dataclass
class PersonPose:
    """Where and how a person stands in one frame.

    Attributes:
        cx (float): Image x of the body axis (pixels).
        foot_y (float): Image y of the soles (pixels).
        height (float): Body height ``h`` (pixels).
        phase (float): Walk-cycle phase (radians); 0 = limbs hanging.
        walk_dir (int): +1 walking towards the image's right, -1 left.
    """
    cx: float
    foot_y: float
    height: float
    phase: float = 0.0
    walk_dir: int = 1


def sample_person(rng: np.random.Generator, facing: str = None,
                  probs: dict = None) -> PersonSpec:
    """Draw a random person: garments, options, colours and textures.

    Args:
        rng (np.random.Generator): Random stream.
        facing (str, optional): Force ``'front'`` or ``'back'``.
        probs (dict, optional): Overrides of :data:`PROBS`.

    Returns:
        PersonSpec: The person's appearance.
    """
    p = dict(PROBS, **(probs or {}))
    if facing is None:
        facing = 'front' if rng.random() < p['front'] else 'back'
    if facing not in ('front', 'back'):
        raise ValueError(f"facing must be 'front' or 'back', got {facing!r}")
    s = PersonSpec(facing=facing)
    if rng.random() < p['dress']:
        s.top, s.bottom = DRESS, DRESS
        s.bottom_len = rng.uniform(0.62, 0.8)
    else:
        s.top = COAT if rng.random() < p['coat'] else UPPER
        s.inner = s.top == COAT and rng.random() < p['open_coat']
        if rng.random() < p['skirt']:
            s.bottom, s.bottom_len = SKIRT, rng.uniform(0.62, 0.78)
        else:
            s.bottom, s.bottom_len = PANTS, rng.uniform(0.35, 0.93)
    s.sleeve = 1.0 if s.top == COAT else float(rng.choice([0.0, 0.45, 1.0]))
    s.sock_len = rng.uniform(0.03, 0.1) if rng.random() < p['socks'] else 0.
    s.vneck = rng.uniform(0.015, 0.07)
    s.hat = bool(rng.random() < p['hat'])
    s.sunglasses = bool(facing == 'front' and rng.random() < p['sunglasses'])
    s.gloves = bool(rng.random() < p['gloves'])
    s.scarf = bool(rng.random() < p['scarf'])
    s.long_hair = bool(rng.random() < p['long_hair'])
    s.bald = bool(facing == 'front' and rng.random() < p['bald'])
    s.build = rng.uniform(0.88, 1.15)
    s.swing = rng.uniform(0.2, 0.45)
    skin = skin_colour(rng)
    for c in SKIN_CLASSES:  # one skin tone for all skin parts
        s.tiles[c] = make_tile(rng, 'solid', skin)
    s.tiles[HAIR] = make_tile(rng, 'stripes', hair_colour(rng))
    # every other part gets its own random colour and pattern
    for c in (HAT, GLOVES, SUNGLASSES, UPPER, DRESS, COAT, SOCKS, PANTS,
              SCARF, SKIRT, L_SHOE):
        s.tiles[c] = garment_tile(rng)
    s.tiles[R_SHOE] = s.tiles[L_SHOE]  # a pair of shoes
    for c in range(1, 20):
        s.tex_scale[c] = rng.uniform(0.6, 1.6)
    return s


def _fx(pt) -> tuple:
    """Float point → cv2 fixed-point integer tuple."""
    return (int(round(pt[0] * _ONE)), int(round(pt[1] * _ONE)))


@dataclass
class Part:
    """One drawn primitive of a person, with the frame its texture uses.

    Attributes:
        cls (int): VIP class id it fills.
        shape (str): ``'poly'``, ``'line'`` or ``'ellipse'``.
        geom (tuple): Image-pixel geometry: ``(points,)`` for a polygon,
            ``(a, b, thickness)`` for a line, ``(centre, axes, start,
            end)`` for an ellipse.
        frame (np.ndarray): (2, 3) affine map from image pixels (x, y, 1)
            to the part's texture coordinates, in body heights. The
            texture is painted in these coordinates, so it moves with the
            part: with the person's body frame (torso, head, skirt), with
            the limb segment (arms, legs, sleeves), or with the hand/foot.
        shade_axis (int): Texture coordinate (0 or 1) across which the
            cylinder shading falls off.
        shade_half (float): Half-width of the shading (body heights).
    """
    cls: int
    shape: str
    geom: tuple
    frame: np.ndarray
    shade_axis: int = 0
    shade_half: float = 0.16


def _body_frame(pose: PersonPose) -> np.ndarray:
    """Image → body coordinates: origin on the axis at the top of the
    head, unit = body height, axes parallel to the image's."""
    h = pose.height
    top = pose.foot_y - h
    return np.array([[1 / h, 0, -pose.cx / h], [0, 1 / h, -top / h]])


def _point_frame(centre, h: float, direction=(0.0, 1.0)) -> np.ndarray:
    """Image → coordinates centred on ``centre``, first axis along
    ``direction``, unit = body height ``h``."""
    d = np.asarray(direction, float)
    n = np.hypot(d[0], d[1])
    e1 = d / n if n > 1e-9 else np.array([0.0, 1.0])
    e2 = np.array([-e1[1], e1[0]])
    c = np.asarray(centre, float)
    return np.array([[e1[0], e1[1], -e1 @ c],
                     [e2[0], e2[1], -e2 @ c]]) / h


class _Parts(list):
    """Part list builder of one person in one pose."""

    def __init__(self, pose: PersonPose):
        super().__init__()
        self.h = pose.height
        self.body = _body_frame(pose)

    def poly(self, pts, cls, frame=None):
        self.append(Part(cls, 'poly', (tuple(map(tuple, pts)),),
                         self.body if frame is None else frame))

    def limb(self, pts, thick, cls):
        """Thick polyline with round caps: one part per segment, each
        textured in its own segment frame."""
        for a, b in zip(pts[:-1], pts[1:]):
            a, b = np.asarray(a, float), np.asarray(b, float)
            self.append(Part(cls, 'line', (tuple(a), tuple(b), thick),
                             _point_frame(a, self.h, b - a), 1,
                             max(thick / (2 * self.h), 1e-3)))

    def ellipse(self, c, axes, cls, start=0, end=360, frame=None,
                shade_half=0.16):
        self.append(Part(cls, 'ellipse', (tuple(c), tuple(axes), start,
                                          end),
                         self.body if frame is None else frame, 0,
                         shade_half))


def draw_part(canvas: np.ndarray, part: Part, value: int) -> None:
    """Fill one part with ``value`` (cv2, 1/16-pixel fixed point, no
    anti-aliasing, so the map stays exact).

    Args:
        canvas (np.ndarray): (H, W) uint8 map, modified in place.
        part (Part): The primitive.
        value (int): Value written.
    """
    if part.shape == 'poly':
        arr = np.array([_fx(p) for p in part.geom[0]], np.int32)
        cv2.fillPoly(canvas, [arr], int(value), cv2.LINE_8, _SHIFT)
    elif part.shape == 'line':
        a, b, thick = part.geom
        cv2.line(canvas, _fx(a), _fx(b), int(value),
                 max(1, int(round(thick))), cv2.LINE_8, _SHIFT)
    else:
        c, axes, start, end = part.geom
        ax = (max(1, int(round(axes[0] * _ONE))),
              max(1, int(round(axes[1] * _ONE))))
        cv2.ellipse(canvas, _fx(c), ax, 0, start, end, int(value), -1,
                    cv2.LINE_8, _SHIFT)


def _along(pts, frac):
    """Prefix of polyline ``pts`` covering ``frac`` of its length."""
    pts = [np.asarray(p, float) for p in pts]
    seg = [np.linalg.norm(b - a) for a, b in zip(pts[:-1], pts[1:])]
    todo = frac * sum(seg)
    out = [pts[0]]
    for (a, b), n in zip(zip(pts[:-1], pts[1:]), seg):
        if todo >= n:
            out.append(b)
            todo -= n
        else:
            out.append(a + (b - a) * (todo / max(n, 1e-9)))
            break
    return out


def skeleton(spec: PersonSpec, pose: PersonPose) -> dict:
    """Joint positions of a person in a pose.

    Limbs swing in the image plane with the walk phase: a leg and the arm of
    the other side move together (a walking gait).

    Args:
        spec (PersonSpec): Appearance (body build, facing, swing).
        pose (PersonPose): Position, size and phase.

    Returns:
        dict: ``name -> (2,) float array`` (x, y image pixels) with keys
        ``head, neck, l_shoulder, r_shoulder, l_elbow, r_elbow, l_wrist,
        r_wrist, l_hand, r_hand, l_hip, r_hip, l_knee, r_knee, l_ankle,
        r_ankle, l_foot, r_foot``.
    """
    h, cx, b, s = pose.height, pose.cx, spec.build, spec.left_sign
    top = pose.foot_y - h

    def P(dx, fy):
        return np.array([cx + dx * h, top + fy * h])

    def step(p, length, angle):
        return p + length * h * np.array([np.sin(angle), np.cos(angle)])

    sw = spec.swing * np.sin(pose.phase)
    j = dict(head=P(0, 0.075), neck=P(0, 0.15))
    for side, sign, leg_a in (('l', s, sw), ('r', -s, -sw)):
        # image-x sign of this side; the arm swings against the same leg
        arm_a = sign * 0.12 - 0.9 * leg_a
        j[f'{side}_shoulder'] = sh = P(sign * 0.105 * b, 0.2)
        j[f'{side}_elbow'] = el = step(sh, 0.165, arm_a)
        j[f'{side}_wrist'] = wr = step(el, 0.15, 1.3 * arm_a)
        j[f'{side}_hand'] = step(wr, 0.025, 1.3 * arm_a)
        j[f'{side}_hip'] = hp = P(sign * 0.048 * b, 0.52)
        j[f'{side}_knee'] = kn = step(hp, 0.22, leg_a)
        j[f'{side}_ankle'] = an = step(kn, 0.215, 0.6 * leg_a)
        j[f'{side}_foot'] = an + np.array([pose.walk_dir * 0.018 * h,
                                           0.022 * h])
    return j


def person_parts(spec: PersonSpec, pose: PersonPose) -> list:
    """The primitives of a person in a pose, back to front.

    The list has the same length and classes for every pose of the same
    ``spec``, so part ``i`` of frame t and part ``i`` of frame t-1 are the
    same piece of cloth or skin (the ground-truth flow relies on it).

    Args:
        spec (PersonSpec): Appearance.
        pose (PersonPose): Position, size and walk phase.

    Returns:
        list[Part]: Parts in drawing order (later parts cover earlier).
    """
    j = skeleton(spec, pose)
    h, cx, b = pose.height, pose.cx, spec.build
    top = pose.foot_y - h
    front = spec.facing == 'front'
    parts = _Parts(pose)

    def P(dx, fy):
        return (cx + dx * h, top + fy * h)

    def legs(side):
        return [j[f'{side}_hip'], j[f'{side}_knee'], j[f'{side}_ankle']]

    # 1. long hair seen behind the shoulders (front view)
    if spec.long_hair and front and not spec.bald:
        parts.poly([P(-0.066, 0.06), P(0.066, 0.06), P(0.078, 0.3),
                    P(-0.078, 0.3)], HAIR)
    # 2. legs, socks, bottom garment, shoes
    for side, leg in (('l', L_LEG), ('r', R_LEG)):
        pts = legs(side)
        parts.limb(pts[:2], 0.062 * h * b, leg)
        parts.limb(pts[1:], 0.05 * h * b, leg)
        if spec.sock_len > 0:
            an = pts[2]
            parts.limb([an, an - (spec.sock_len * h) * (an - pts[1]) /
                        max(np.linalg.norm(an - pts[1]), 1e-6)],
                       0.056 * h * b, SOCKS)
    if spec.bottom == PANTS:
        parts.poly([P(-0.09 * b, 0.47), P(0.09 * b, 0.47),
                    P(0.095 * b, 0.58), P(-0.095 * b, 0.58)], PANTS)
        for side in 'lr':
            parts.limb(_along(legs(side), spec.bottom_len), 0.076 * h * b,
                       PANTS)
    else:  # skirt, or the skirt part of a dress
        hem = spec.bottom_len
        flare = 0.09 + 0.1 * (hem - 0.5)
        parts.poly([P(-0.088 * b, 0.45), P(0.088 * b, 0.45),
                    P(flare * b, hem), P(-flare * b, hem)], spec.bottom)
    for side, shoe in (('l', L_SHOE), ('r', R_SHOE)):
        foot = j[f'{side}_foot']
        parts.ellipse(foot, (0.042 * h * b, 0.026 * h), shoe,
                      frame=_point_frame(foot, h, (1.0, 0.0)),
                      shade_half=0.042 * b)
    # 3. neck, torso garment, neckline, scarf
    parts.poly([P(-0.026, 0.11), P(0.026, 0.11), P(0.03, 0.2),
                P(-0.03, 0.2)], TORSO_SKIN)
    hem = {UPPER: 0.53, DRESS: 0.5, COAT: 0.66}[spec.top]
    parts.poly([P(-0.105 * b, 0.185), P(-0.035, 0.165), P(0.035, 0.165),
                P(0.105 * b, 0.185), P(0.085 * b, 0.43), P(0.095 * b, hem),
                P(-0.095 * b, hem), P(-0.085 * b, 0.43)], spec.top)
    if front:
        if spec.inner:
            parts.poly([P(-0.03, 0.17), P(0.03, 0.17), P(0.036, 0.5),
                        P(-0.036, 0.5)], UPPER)
        parts.poly([P(-0.033, 0.166), P(0.033, 0.166),
                    P(0, 0.166 + spec.vneck)], TORSO_SKIN)
    if spec.scarf:
        parts.poly([P(-0.05, 0.145), P(0.05, 0.145), P(0.062, 0.205),
                    P(-0.062, 0.205)], SCARF)
        t = -spec.left_sign * 0.035
        parts.limb([P(t, 0.19), P(t * 1.3, 0.34)], 0.03 * h, SCARF)
    if spec.long_hair and not front:
        parts.poly([P(-0.066, 0.06), P(0.066, 0.06), P(0.075, 0.29),
                    P(-0.075, 0.29)], HAIR)
    # 4. arms: skin, sleeves (torso garment), hands or gloves
    for side, arm in (('l', L_ARM), ('r', R_ARM)):
        pts = [j[f'{side}_shoulder'], j[f'{side}_elbow'], j[f'{side}_wrist']]
        parts.limb(pts[:2], 0.05 * h * b, arm)
        parts.limb(pts[1:], 0.042 * h * b, arm)
        if spec.sleeve > 0:
            parts.limb(_along(pts, spec.sleeve), 0.058 * h * b, spec.top)
        hand = j[f'{side}_hand']
        parts.ellipse(hand, (0.026 * h, 0.03 * h),
                      GLOVES if spec.gloves else arm,
                      frame=_point_frame(hand, h, hand - pts[2]),
                      shade_half=0.026)
    # 5. head: hair, face, sunglasses, hat
    if front:
        if not spec.bald:
            parts.ellipse(P(0, 0.068), (0.064 * h, 0.07 * h), HAIR)
        parts.ellipse(P(0, 0.085), (0.052 * h, 0.062 * h), FACE)
        if spec.long_hair and not spec.bald:  # fringe
            parts.ellipse(P(0, 0.04), (0.05 * h, 0.022 * h), HAIR)
        if spec.sunglasses:
            for d in (-0.022, 0.022):
                parts.ellipse(P(d, 0.078), (0.018 * h, 0.011 * h),
                              SUNGLASSES)
            parts.limb([P(-0.02, 0.076), P(0.02, 0.076)], 0.006 * h,
                       SUNGLASSES)
    else:
        parts.ellipse(P(0, 0.072), (0.062 * h, 0.075 * h), HAIR)
    if spec.hat:
        parts.ellipse(P(0, 0.045), (0.062 * h, 0.045 * h), HAT, 180, 360)
        parts.ellipse(P(0, 0.045), (0.088 * h, 0.011 * h), HAT)
    return list(parts)


def draw_person(canvas: np.ndarray, spec: PersonSpec,
                pose: PersonPose) -> np.ndarray:
    """Fill a person's part classes into a label map, back to front.

    Args:
        canvas (np.ndarray): (H, W) uint8 label map, modified in place;
            pixels the person does not cover keep their value.
        spec (PersonSpec): Appearance.
        pose (PersonPose): Position, size and walk phase.

    Returns:
        np.ndarray: ``canvas``.
    """
    for part in person_parts(spec, pose):
        draw_part(canvas, part, part.cls)
    return canvas


def render_person(spec: PersonSpec, pose: PersonPose,
                  size: tuple) -> np.ndarray:
    """Render one person alone on an empty label map.

    Args:
        spec (PersonSpec): Appearance.
        pose (PersonPose): Position, size and walk phase.
        size (tuple): ``(W, H)`` of the map.

    Returns:
        np.ndarray: (H, W) uint8 map of VIP class ids (0 = background).
    """
    w, h = size
    return draw_person(np.zeros((h, w), np.uint8), spec, pose)
