"""Synthetic video scenes: background, camera, people, occluders, motion.

A video is fully described by a :class:`VideoSpec` drawn once from a seeded
random stream; frame ``t`` is then a pure function of the spec and ``t``
(no state carried between frames), so any frame can be rendered alone.

Framing follows VIP (paper §3): 1-3 people whose height is a fraction of the
frame height (by default 0.5-0.95), nearer people lower in the frame (their
feet move down from the horizon as they grow), people entering and leaving
the view or cut by its border, a camera that may pan over a background wider
than the frame, and occluders passing in front of people (:mod:`.occluder`).
The nearest person is drawn last (occlusion by depth order).

Every drawn pixel belongs to one *surface* (background, an occluder, or one
:class:`~.person.Part` of one person) whose texture is painted in the
surface's own coordinates (:attr:`SceneFrame.frames`), so the motion of
every pixel between two frames is known exactly (:mod:`.flow`).
"""
from dataclasses import dataclass, field

import numpy as np

from .occluder import in_view, occluder_part, sample_occluder
from .person import (
    PersonPose,
    PersonSpec,
    draw_part,
    person_parts,
    sample_person,
)
from .texture import make_background, sample_tile_bilinear, smooth_field

#: Surface ids: 0 background, OCC_BASE + k occluder k,
#: PERSON_BASE + (person_id - 1) * PARTS_PER_PERSON + i part i of a person.
OCC_BASE = 1
PERSON_BASE = 256
PARTS_PER_PERSON = 64
MAX_OCCLUDERS = PERSON_BASE - OCC_BASE

#: Default person height range, as a fraction of the frame height (VIP).
PERSON_HEIGHT = (0.5, 0.95)
MAX_PEOPLE = 3
#: Default target fraction of frames with an occluder in front of a person.
OCCLUSION_RATIO = 0.1
TEXELS_PER_HEIGHT = 150.0  # texture tiles repeat every ~0.2 body heights


@dataclass
class Track:
    """Motion of one person over a video.

    Attributes:
        spec (PersonSpec): Appearance.
        x0 (float): Image x of the body axis at t = 0 (pixels, camera at
            its t = 0 position).
        vx (float): Walking speed in the image (pixels per frame).
        f0 (float): Height at t = 0 as a fraction of the frame height.
        vf (float): Change of that fraction per frame.
        phase0 (float): Walk phase at t = 0 (radians).
        omega (float): Walk phase speed (radians per frame).
    """
    spec: PersonSpec
    x0: float
    vx: float
    f0: float
    vf: float
    phase0: float
    omega: float


@dataclass
class VideoSpec:
    """Everything needed to render the frames of one synthetic video.

    Attributes:
        width (int): Frame width W.
        height (int): Frame height H.
        num_frames (int): Number of frames T.
        background (np.ndarray): (H, Wb, 3) uint8 BGR, Wb >= W.
        horizon (float): Image row of the horizon.
        cam_x0 (float): Background column of the frame's left edge at t=0.
        cam_vx (float): Camera pan speed (background pixels per frame).
        tracks (list[Track]): The people; person id = index + 1.
        light (np.ndarray): (H, Wb) float32 illumination factor of the
            world (it moves with the background).
        person_height (tuple): ``(min, max)`` person height / H.
        occluders (list[Occluder]): Occluder passes.
    """
    width: int
    height: int
    num_frames: int
    background: np.ndarray
    horizon: float
    cam_x0: float
    cam_vx: float
    tracks: list = field(default_factory=list)
    light: np.ndarray = None
    person_height: tuple = PERSON_HEIGHT
    occluders: list = field(default_factory=list)


@dataclass
class SceneFrame:
    """Exact maps and surface frames of one rendered frame.

    Attributes:
        t (int): 0-based frame index.
        category (np.ndarray): (H, W) uint8 visible VIP class ids 0..19.
        human (np.ndarray): (H, W) uint8 visible person ids (0 = none).
        surface (np.ndarray): (H, W) int32 surface id of every pixel.
        frames (dict): ``{surface id: (2, 3) float64}`` affine map from
            image pixels (x, y, 1) to the surface's texture coordinates,
            for every surface of the video (drawn or not).
        looks (dict): ``{surface id: (tile, texels_per_unit, shade_axis,
            shade_half)}`` of the person and occluder surfaces.
        poses (dict): ``{person_id: PersonPose}``.
        cam_x (int): Background column of the frame's left edge.
        person_pixels (int): Person pixels before the occluders are drawn.
        hidden_pixels (int): Of those, pixels covered by occluders.
    """
    t: int
    category: np.ndarray
    human: np.ndarray
    surface: np.ndarray
    frames: dict
    looks: dict
    poses: dict
    cam_x: int
    person_pixels: int = 0
    hidden_pixels: int = 0

    @property
    def hidden_fraction(self) -> float:
        """Fraction of the person pixels hidden by occluders."""
        return self.hidden_pixels / max(self.person_pixels, 1)

    def groups(self) -> tuple:
        """Foreground pixels grouped by surface (computed once).

        Returns:
            tuple: ``(ys, xs, runs)``: (n,) int64 rows and columns of the
            pixels with a surface id > 0, sorted by id, and ``runs``, a
            list of ``(surface_id, start, end)`` slices into them.
        """
        if getattr(self, '_groups', None) is None:
            ys, xs = np.nonzero(self.surface)
            sid = self.surface[ys, xs]
            order = np.argsort(sid, kind='stable')
            ys, xs, sid = ys[order], xs[order], sid[order]
            ids, starts = np.unique(sid, return_index=True)
            ends = starts[1:].tolist() + [len(sid)]
            self._groups = (ys, xs, list(zip(ids.tolist(), starts.tolist(),
                                             ends)))
        return self._groups


def sample_video(rng: np.random.Generator, width: int, height: int,
                 num_frames: int, max_people: int = MAX_PEOPLE,
                 pan_prob: float = 0.5,
                 person_height: tuple = PERSON_HEIGHT) -> VideoSpec:
    """Draw a random video: 1..max_people walking people, maybe a pan.

    Person 1 starts inside the frame; the others may start outside it or
    cut by its border.

    Args:
        rng (np.random.Generator): Random stream of this video.
        width (int): Frame width W.
        height (int): Frame height H.
        num_frames (int): Number of frames T.
        max_people (int): Most people per video.
        pan_prob (float): Probability of a panning camera.
        person_height (tuple): ``(min, max)`` person height as a fraction
            of H; every person stays in this range.

    Returns:
        VideoSpec: The video description (no occluders; see
        :func:`add_occluders`).
    """
    lo, hi = person_height
    pan = 0.0
    if rng.random() < pan_prob:
        pan = rng.choice([-1, 1]) * rng.uniform(0.003, 0.02) * width
    extra = int(np.ceil(abs(pan) * max(num_frames - 1, 0))) + 2
    background, horizon = make_background(rng, width + extra, height)
    cam_x0 = float(extra - 1) if pan < 0 else 0.0
    num_people = int(rng.integers(1, max_people + 1))
    tracks = []
    for i in range(num_people):
        spec = sample_person(rng)
        f0 = rng.uniform(lo, hi)
        h0 = f0 * height
        if i == 0:
            x0 = rng.uniform(0.25, 0.75) * width
            speed = rng.uniform(0.0, 0.03) * h0
        else:
            x0 = rng.uniform(-0.2, 1.2) * width
            speed = rng.uniform(0.01, 0.05) * h0
        toward_centre = np.sign(width / 2 - x0) or 1.0
        direction = toward_centre if rng.random() < 0.7 else -toward_centre
        vf = rng.uniform(0.0, 0.004)
        vf = vf if spec.facing == 'front' else -vf  # approach / recede
        period = rng.uniform(10, 20)  # frames per stride cycle
        tracks.append(Track(spec=spec, x0=float(x0),
                            vx=float(direction * speed), f0=float(f0),
                            vf=float(vf), phase0=rng.uniform(0, 2 * np.pi),
                            omega=2 * np.pi / period))
    light = 0.8 + 0.35 * smooth_field(rng, height, background.shape[1],
                                      cells=2)
    return VideoSpec(width=width, height=height, num_frames=num_frames,
                     background=background, horizon=horizon, cam_x0=cam_x0,
                     cam_vx=float(pan), tracks=tracks,
                     light=light.astype(np.float32),
                     person_height=(float(lo), float(hi)))


def _crossing_frames(video: VideoSpec, occ) -> set:
    """Frame indices at which ``occ`` overlaps the core of a person in view
    (its centre within half its width plus 0.15 body heights of the body
    axis, and a quarter of the body's height in common)."""
    out = set()
    for t in range(video.num_frames):
        ocx = occ.x0 + occ.vx * t
        top, bottom = occ.cy - occ.height / 2, occ.cy + occ.height / 2
        for tr in video.tracks:
            pose = person_pose(video, tr, t)[0]
            h = pose.height
            common = (min(bottom, pose.foot_y) -
                      max(top, pose.foot_y - h))
            if (0 <= pose.cx < video.width and common >= 0.25 * h
                    and abs(ocx - pose.cx) < occ.width / 2 + 0.15 * h):
                out.add(t)
                break
    return out


def add_occluders(rng: np.random.Generator, video: VideoSpec,
                  ratio: float) -> VideoSpec:
    """Add occluder passes timed to cross people.

    Passes are added while the frames in which some occluder overlaps the
    core of a person in view (:func:`_crossing_frames`) number fewer than
    ``round(ratio * T)``; a pass that would overshoot is kept with the
    probability that makes the expected count right (one pass often covers
    5-10 frames, so at low ratios some videos get none). The frames really
    occluded are measured when rendering
    (:attr:`SceneFrame.hidden_fraction`), so the ratio is approximate.

    Args:
        rng (np.random.Generator): Random stream (its own, so the rest of
            the scene does not change with ``ratio``).
        video (VideoSpec): The video, modified in place.
        ratio (float): Wanted fraction of occluded frames, in [0, 1].

    Returns:
        VideoSpec: ``video``.
    """
    w, n_frames = video.width, video.num_frames
    target = int(round(ratio * n_frames))
    covered = set()
    most = min(2 * target, MAX_OCCLUDERS)
    while len(covered) < target and len(video.occluders) < most:
        t_at = int(rng.integers(n_frames))
        poses = [person_pose(video, tr, t_at)[0] for tr in video.tracks]
        poses = [p for p in poses if 0 <= p.cx < w]
        x_at = (poses[int(rng.integers(len(poses)))].cx if poses else
                rng.uniform(0.2, 0.8) * w)
        occ = sample_occluder(rng, w, video.height, x_at, t_at)
        frames = _crossing_frames(video, occ) | covered
        need, gain = target - len(covered), len(frames) - len(covered)
        if gain > need:
            # the last pass would overshoot: take it with probability
            # need / gain, so the expected count is the target
            if rng.random() < need / gain:
                video.occluders.append(occ)
            break
        video.occluders.append(occ)
        covered = frames
    return video


def cam_offset(video: VideoSpec, t: int) -> int:
    """Background column of the frame's left edge at frame index t."""
    x = video.cam_x0 + video.cam_vx * t
    return int(np.clip(round(x), 0, video.background.shape[1] -
                       video.width))


def person_pose(video: VideoSpec, track: Track, t: int) -> tuple:
    """Pose and depth of a person at frame index t.

    Args:
        video (VideoSpec): The video.
        track (Track): The person's motion.
        t (int): 0-based frame index.

    Returns:
        tuple: ``(pose, z)`` — :class:`PersonPose` in image pixels and a
        depth (larger = farther, ``0.9 / height fraction``).
    """
    lo, hi = video.person_height
    f = float(np.clip(track.f0 + track.vf * t, lo, hi))
    h_img = video.height
    foot_y = video.horizon + (0.98 * h_img - video.horizon) * f / 0.9
    cx = (track.x0 + track.vx * t - cam_offset(video, t) +
          cam_offset(video, 0))
    pose = PersonPose(cx=cx, foot_y=foot_y, height=f * h_img,
                      phase=track.phase0 + track.omega * t,
                      walk_dir=1 if track.vx >= 0 else -1)
    return pose, 0.9 / f


def _person_base(pid: int) -> int:
    return PERSON_BASE + (pid - 1) * PARTS_PER_PERSON


def render_frame(video: VideoSpec, t: int) -> SceneFrame:
    """Label maps and surfaces of frame t (exact, full resolution).

    People are drawn far to near, then the occluders over everything; the
    maps hold what is visible.

    Args:
        video (VideoSpec): The video.
        t (int): 0-based frame index.

    Returns:
        SceneFrame: The frame's maps and surface frames.
    """
    h, w = video.height, video.width
    category = np.zeros((h, w), np.uint8)
    human = np.zeros((h, w), np.uint8)
    surface = np.zeros((h, w), np.int32)
    layer = np.zeros((h, w), np.uint8)
    cam = cam_offset(video, t)
    frames = {0: np.array([[1.0, 0.0, cam], [0.0, 1.0, 0.0]])}
    looks, poses = {}, {}
    placed = [(person_pose(video, tr, t), k + 1, tr)
              for k, tr in enumerate(video.tracks)]
    # far first, so nearer people occlude them
    for (pose, z), pid, tr in sorted(placed, key=lambda x: (-x[0][1], x[1])):
        poses[pid] = pose
        parts = person_parts(tr.spec, pose)
        if len(parts) >= PARTS_PER_PERSON:
            raise RuntimeError(f'{len(parts)} parts in one person; at most '
                               f'{PARTS_PER_PERSON - 1} fit its surface ids')
        base = _person_base(pid)
        for i, part in enumerate(parts):
            frames[base + i] = part.frame
            looks[base + i] = (tr.spec.tiles[part.cls],
                               tr.spec.tex_scale[part.cls] *
                               TEXELS_PER_HEIGHT,
                               part.shade_axis, part.shade_half)
        if pose.cx < -pose.height or pose.cx > w + pose.height:
            continue  # far outside the frame
        layer[:] = 0
        for i, part in enumerate(parts):
            draw_part(layer, part, i + 1)
        m = layer > 0
        idx = layer[m].astype(np.int32) - 1
        classes = np.array([p.cls for p in parts], np.uint8)
        category[m] = classes[idx]
        human[m] = pid
        surface[m] = base + idx
    person_pixels = int(np.count_nonzero(human))
    covered = np.zeros((h, w), bool)
    for k, occ in enumerate(video.occluders):
        part = occluder_part(occ, t)
        sid = OCC_BASE + k
        frames[sid] = part.frame
        looks[sid] = (occ.tile, occ.texels, part.shade_axis,
                      part.shade_half)
        if not in_view(occ, t, w):
            continue
        layer[:] = 0
        draw_part(layer, part, 1)
        m = layer > 0
        covered |= m & (human > 0)
        category[m] = 0
        human[m] = 0
        surface[m] = sid
    return SceneFrame(t=t, category=category, human=human, surface=surface,
                      frames=frames, looks=looks, poses=poses, cam_x=cam,
                      person_pixels=person_pixels,
                      hidden_pixels=int(np.count_nonzero(covered)))


def render_labels(video: VideoSpec, t: int) -> tuple:
    """Part-class and person maps of frame t (exact, full resolution).

    Args:
        video (VideoSpec): The video.
        t (int): 0-based frame index.

    Returns:
        tuple: ``(category, human, frame)``: (H, W) uint8 class ids 0..19,
        (H, W) uint8 person ids (0 = background or occluder, ``k`` = track
        ``k - 1``, stable over the video), and the :class:`SceneFrame`
        (for :func:`render_image`).
    """
    frame = render_frame(video, t)
    return frame.category, frame.human, frame


def _apply_affine(m: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> tuple:
    return (m[0, 0] * xs + m[0, 1] * ys + m[0, 2],
            m[1, 0] * xs + m[1, 1] * ys + m[1, 2])


def boundary_pixels(category: np.ndarray, human: np.ndarray,
                    surface: np.ndarray) -> np.ndarray:
    """Pixels darkened along label boundaries.

    Between two foreground regions (person parts of different class or
    person, occluders) the left/upper pixel of each differing pair is
    marked; next to the background only the foreground pixel is, so the
    outline moves with the person or occluder and the background keeps its
    brightness along its flow.

    Args:
        category (np.ndarray): (H, W) uint8 class ids.
        human (np.ndarray): (H, W) uint8 person ids.
        surface (np.ndarray): (H, W) int32 surface ids.

    Returns:
        np.ndarray: (H, W) bool.
    """
    occ = (surface > 0) & (surface < PERSON_BASE)
    key = np.where(occ, -surface, category.astype(np.int32) +
                   20 * human.astype(np.int32))
    fg = surface > 0
    edge = np.zeros(key.shape, bool)
    for ax in (0, 1):
        a = (slice(None, -1), slice(None)) if ax == 0 else (
            slice(None), slice(None, -1))
        b = (slice(1, None), slice(None)) if ax == 0 else (
            slice(None), slice(1, None))
        diff = key[a] != key[b]
        edge[a] |= diff & fg[a]
        edge[b] |= diff & ~fg[a] & fg[b]
    return edge


def render_image(video: VideoSpec, t: int, category: np.ndarray,
                 human: np.ndarray, frame: SceneFrame,
                 rng: np.random.Generator) -> np.ndarray:
    """Paint frame t from its surfaces.

    Background crop, then every person part and occluder from its texture
    tile in its own coordinates (bilinear), times a cylinder shading across
    the part, label boundaries darkened so that touching parts of similar
    colour stay distinguishable (:func:`boundary_pixels`), times the world
    light, plus sensor noise.

    Args:
        video (VideoSpec): The video.
        t (int): 0-based frame index.
        category (np.ndarray): (H, W) uint8 class ids of frame t.
        human (np.ndarray): (H, W) uint8 person ids of frame t.
        frame (SceneFrame): From :func:`render_frame` /
            :func:`render_labels`.
        rng (np.random.Generator): Random stream for sensor noise.

    Returns:
        np.ndarray: (H, W, 3) uint8 BGR image.
    """
    w = video.width
    x0 = frame.cam_x
    img = video.background[:, x0:x0 + w].astype(np.float32)
    ys, xs, runs = frame.groups()
    if len(ys):
        col = np.empty((len(ys), 3), np.float32)
        fx, fy = xs.astype(np.float64), ys.astype(np.float64)
        for s, a, b in runs:
            tile, texels, axis, half = frame.looks[s]
            lu, lv = _apply_affine(frame.frames[s], fx[a:b], fy[a:b])
            shade = 1.0 - 0.3 * np.clip(
                np.abs((lu, lv)[axis]) / half, 0, 1)**2
            col[a:b] = sample_tile_bilinear(tile, lu * texels,
                                            lv * texels) * shade[:, None]
        img[ys, xs] = col
    img[boundary_pixels(category, human, frame.surface)] *= 0.72
    img *= video.light[:, x0:x0 + w, None]
    img += 2.0 * rng.standard_normal(img.shape, dtype=np.float32)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)
