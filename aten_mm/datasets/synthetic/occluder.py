"""Foreground occluders that pass in front of the synthetic people.

An occluder is a textured pole, board or disc close to the camera that
crosses the frame quickly at a constant image velocity. It is drawn over
everything, so the person pixels it covers become background in the label
maps (class 0, person 0): the labels say what is *visible*. A temporal model
can carry the hidden parts through such frames; a single-frame model only
sees the occluder.
"""
from dataclasses import dataclass

import numpy as np

from .person import Part
from .texture import garment_tile

OCCLUDER_SHAPES = ('pole', 'board', 'disc')


@dataclass
class Occluder:
    """One occluder pass.

    Attributes:
        shape (str): One of :data:`OCCLUDER_SHAPES`.
        x0 (float): Image x of its centre at frame index 0 (pixels).
        vx (float): Image velocity (pixels per frame).
        cy (float): Image y of its centre (pixels).
        width (float): Width (pixels).
        height (float): Height (pixels).
        tile (np.ndarray): (TILE, TILE, 3) uint8 BGR texture.
        texels (float): Texels per occluder height.
    """
    shape: str
    x0: float
    vx: float
    cy: float
    width: float
    height: float
    tile: np.ndarray
    texels: float


def sample_occluder(rng: np.random.Generator, width: int, height: int,
                    x_at: float, t_at: int) -> Occluder:
    """Draw an occluder whose centre is at image x ``x_at`` at frame
    ``t_at`` (e.g. over a person).

    Args:
        rng (np.random.Generator): Random stream.
        width (int): Frame width W.
        height (int): Frame height H.
        x_at (float): Image x of the centre at frame index ``t_at``.
        t_at (int): 0-based frame index.

    Returns:
        Occluder: Moving at 4-10 % of W per frame, left or right.
    """
    shape = OCCLUDER_SHAPES[int(rng.integers(len(OCCLUDER_SHAPES)))]
    if shape == 'pole':
        w, h, cy = rng.uniform(0.06, 0.14) * width, 1.2 * height, height / 2
    elif shape == 'board':
        w = rng.uniform(0.15, 0.35) * width
        h = rng.uniform(0.35, 0.8) * height
        cy = rng.uniform(0.35, 0.75) * height
    else:
        w = h = rng.uniform(0.3, 0.6) * height
        cy = rng.uniform(0.3, 0.7) * height
    vx = float(rng.choice([-1, 1]) * rng.uniform(0.04, 0.1) * width)
    return Occluder(shape=shape, x0=float(x_at - vx * t_at), vx=vx,
                    cy=float(cy), width=float(w), height=float(h),
                    tile=garment_tile(rng), texels=rng.uniform(40, 90))


def occluder_part(occ: Occluder, t: int) -> Part:
    """The occluder at frame index ``t`` as a drawable :class:`Part`.

    Its texture frame translates with it (unit = its height), so its
    ground-truth flow is the translation ``-vx`` per frame backwards.

    Args:
        occ (Occluder): The occluder.
        t (int): 0-based frame index.

    Returns:
        Part: A polygon or ellipse with class 0.
    """
    cx = occ.x0 + occ.vx * t
    w, h, cy = occ.width / 2, occ.height / 2, occ.cy
    frame = np.array([[1 / occ.height, 0, -cx / occ.height],
                      [0, 1 / occ.height, -cy / occ.height]])
    half = w / occ.height
    if occ.shape == 'disc':
        return Part(0, 'ellipse', ((cx, cy), (w, h), 0, 360), frame, 0,
                    half)
    pts = ((cx - w, cy - h), (cx + w, cy - h), (cx + w, cy + h),
           (cx - w, cy + h))
    return Part(0, 'poly', (pts,), frame, 0, half)


def in_view(occ: Occluder, t: int, width: int) -> bool:
    """Whether the occluder overlaps the frame's columns at index t."""
    cx = occ.x0 + occ.vx * t
    return cx + occ.width / 2 >= -1 and cx - occ.width / 2 <= width
