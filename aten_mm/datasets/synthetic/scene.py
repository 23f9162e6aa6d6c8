"""Synthetic video scenes: background, camera, people and their motion.

A video is fully described by a :class:`VideoSpec` drawn once from a seeded
random stream; frame ``t`` is then a pure function of the spec and ``t``
(no state carried between frames), so any frame can be rendered alone.

Each person walks on a ground plane: depth ``z`` sets its size
(``h ∝ 1/z``) and the row of its feet (perspective towards the horizon);
people facing the camera come closer, people facing away recede. The
nearest person is drawn last (occlusion by depth order). People start
anywhere, also outside the frame, so they enter and leave it; the camera
may pan over a background wider than the frame. These mimic the
challenges the paper lists for VIP (§3): multiple people, occlusions,
out-of-view, scale variation and camera motion.
"""
from dataclasses import dataclass, field

import numpy as np

from .person import PersonPose, PersonSpec, draw_person, sample_person
from .texture import make_background, sample_tile, smooth_field


@dataclass
class Track:
    """Motion of one person over a video.

    Attributes:
        spec (PersonSpec): Appearance.
        x0 (float): World x of the body axis at t = 0 (background pixels).
        vx (float): World x speed (pixels per frame at depth 1).
        z0 (float): Depth at t = 0 (1 = near, ~2 = far).
        vz (float): Depth change per frame.
        phase0 (float): Walk phase at t = 0 (radians).
        omega (float): Walk phase speed (radians per frame).
    """
    spec: PersonSpec
    x0: float
    vx: float
    z0: float
    vz: float
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
        light (np.ndarray): (H, W) float32 illumination factor.
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


Z_RANGE = (0.85, 3.0)
TEXELS_PER_HEIGHT = 150.0  # texture tiles repeat every ~0.2 body heights


def sample_video(rng: np.random.Generator, width: int, height: int,
                 num_frames: int, max_people: int = 4,
                 pan_prob: float = 0.5) -> VideoSpec:
    """Draw a random video: 1..max_people walking people, maybe a pan.

    Person 1 starts inside the frame; the others may start outside it.

    Args:
        rng (np.random.Generator): Random stream of this video.
        width (int): Frame width W.
        height (int): Frame height H.
        num_frames (int): Number of frames T.
        max_people (int): Most people per video.
        pan_prob (float): Probability of a panning camera.

    Returns:
        VideoSpec: The video description.
    """
    pan = 0.0
    if rng.random() < pan_prob:
        pan = rng.choice([-1, 1]) * rng.uniform(0.002, 0.008) * width
    extra = int(np.ceil(abs(pan) * max(num_frames - 1, 0))) + 2
    background, horizon = make_background(rng, width + extra, height)
    cam_x0 = float(extra - 1) if pan < 0 else 0.0
    num_people = int(rng.integers(1, max_people + 1))
    tracks = []
    for i in range(num_people):
        spec = sample_person(rng)
        z0 = rng.uniform(0.95, 1.9)
        if i == 0:
            x0 = cam_x0 + rng.uniform(0.3, 0.7) * width
            speed = rng.uniform(0.0, 0.006) * width
        else:
            x0 = cam_x0 + rng.uniform(-0.25, 1.25) * width
            speed = rng.uniform(0.002, 0.014) * width
        toward_centre = np.sign(cam_x0 + width / 2 - x0) or 1.0
        direction = toward_centre if rng.random() < 0.7 else -toward_centre
        vz = rng.uniform(0.0, 0.012)
        vz = -vz if spec.facing == 'front' else vz
        period = rng.uniform(10, 20)  # frames per stride cycle
        tracks.append(Track(spec=spec, x0=x0, vx=direction * speed, z0=z0,
                            vz=vz, phase0=rng.uniform(0, 2 * np.pi),
                            omega=2 * np.pi / period))
    light = (0.8 + 0.35 * smooth_field(rng, height, width, cells=2))
    return VideoSpec(width=width, height=height, num_frames=num_frames,
                     background=background, horizon=horizon, cam_x0=cam_x0,
                     cam_vx=float(pan), tracks=tracks,
                     light=light.astype(np.float32))


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
        tuple: ``(pose, z)`` — :class:`PersonPose` in image pixels and the
        depth (larger = farther).
    """
    z = float(np.clip(track.z0 + track.vz * t, *Z_RANGE))
    h_img = video.height
    height = 0.9 * h_img / z
    foot_y = video.horizon + (0.98 * h_img - video.horizon) / z
    cx = track.x0 + track.vx * t / z - cam_offset(video, t)
    pose = PersonPose(cx=cx, foot_y=foot_y, height=height,
                      phase=track.phase0 + track.omega * t,
                      walk_dir=1 if track.vx >= 0 else -1)
    return pose, z


def render_labels(video: VideoSpec, t: int) -> tuple:
    """Part-class and person maps of frame t (exact, full resolution).

    Args:
        video (VideoSpec): The video.
        t (int): 0-based frame index.

    Returns:
        tuple: ``(category, human, poses)``: (H, W) uint8 class ids 0..19,
        (H, W) uint8 person ids (0 = background, ``k`` = track ``k - 1``,
        stable over the video), and ``{person_id: PersonPose}``.
    """
    h, w = video.height, video.width
    category = np.zeros((h, w), np.uint8)
    human = np.zeros((h, w), np.uint8)
    layer = np.zeros((h, w), np.uint8)
    placed = [(person_pose(video, tr, t), k + 1, tr)
              for k, tr in enumerate(video.tracks)]
    poses = {}
    # far first, so nearer people occlude them
    for (pose, z), pid, tr in sorted(placed, key=lambda x: (-x[0][1], x[1])):
        poses[pid] = pose
        if pose.cx < -pose.height or pose.cx > w + pose.height:
            continue  # far outside the frame
        layer[:] = 0
        draw_person(layer, tr.spec, pose)
        m = layer > 0
        category[m] = layer[m]
        human[m] = pid
    return category, human, poses


def render_image(video: VideoSpec, t: int, category: np.ndarray,
                 human: np.ndarray, poses: dict,
                 rng: np.random.Generator) -> np.ndarray:
    """Paint frame t from its label maps.

    Background crop, then every (person, class) region from that person's
    texture tile in person coordinates, times a per-person cylinder shading
    and the scene light; label boundaries are darkened so that touching
    parts of similar colour stay distinguishable.

    Args:
        video (VideoSpec): The video.
        t (int): 0-based frame index.
        category (np.ndarray): (H, W) uint8 class ids of frame t.
        human (np.ndarray): (H, W) uint8 person ids of frame t.
        poses (dict): ``{person_id: PersonPose}`` from
            :func:`render_labels`.
        rng (np.random.Generator): Random stream for sensor noise.

    Returns:
        np.ndarray: (H, W, 3) uint8 BGR image.
    """
    h, w = video.height, video.width
    x0 = cam_offset(video, t)
    img = video.background[:, x0:x0 + w].astype(np.float32)
    ys, xs = np.nonzero(human)
    if len(ys):
        pid = human[ys, xs]
        cls = category[ys, xs]
        col = np.empty((len(ys), 3), np.float32)
        shade = np.empty(len(ys), np.float32)
        for k in np.unique(pid):
            pose, spec = poses[int(k)], video.tracks[int(k) - 1].spec
            sel = pid == k
            dx = (xs[sel] - pose.cx) / pose.height
            dy = (ys[sel] - (pose.foot_y - pose.height)) / pose.height
            shade[sel] = 1.0 - 0.3 * np.clip(np.abs(dx) / 0.16, 0, 1) ** 2
            ck = cls[sel]
            out = np.empty((sel.sum(), 3), np.float32)
            for c in np.unique(ck):
                m = ck == c
                s = spec.tex_scale[int(c)] * TEXELS_PER_HEIGHT
                u = np.floor(dx[m] * s).astype(np.int64)
                v = np.floor(dy[m] * s).astype(np.int64)
                out[m] = sample_tile(spec.tiles[int(c)], u, v)
            col[sel] = out
        img[ys, xs] = col * shade[:, None]
    key = category.astype(np.int32) + 20 * human.astype(np.int32)
    edge = np.zeros((h, w), bool)
    edge[:, :-1] |= key[:, :-1] != key[:, 1:]
    edge[:-1] |= key[:-1] != key[1:]
    img[edge] *= 0.72
    img *= video.light[..., None]
    img += 2.0 * rng.standard_normal(img.shape, dtype=np.float32)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)
