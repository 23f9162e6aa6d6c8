"""Procedural colours, texture tiles and backgrounds of the synthetic set.

Every garment and skin region of a synthetic person is painted from a small
square *tile* sampled in the person's own coordinates, so a texture moves
and scales with its wearer (useful for optical flow). Garment colours and
patterns are drawn from one distribution for all garment classes, so colour
alone does not give the class.
"""
import colorsys

import cv2
import numpy as np

TILE = 32  # side of a texture tile, in texels

# Skin and hair base colours (BGR); a random jitter is added per person.
_SKIN_TONES = ((60, 80, 120), (90, 120, 170), (120, 160, 210),
               (150, 185, 230), (40, 60, 95), (110, 140, 200))
_HAIR_TONES = ((20, 20, 25), (30, 45, 70), (40, 80, 130), (90, 160, 200),
               (150, 150, 155), (30, 40, 140))


def random_colour(rng: np.random.Generator) -> np.ndarray:
    """Draw a random BGR colour (any hue, mid to high saturation/value).

    Args:
        rng (np.random.Generator): Random stream.

    Returns:
        np.ndarray: (3,) float64 BGR in [0, 255].
    """
    h, s, v = rng.random(), rng.uniform(0.15, 1.0), rng.uniform(0.2, 1.0)
    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return np.array([b, g, r]) * 255.0


def skin_colour(rng: np.random.Generator) -> np.ndarray:
    """Draw a skin tone (BGR, (3,) float64)."""
    base = np.array(_SKIN_TONES[rng.integers(len(_SKIN_TONES))], float)
    return np.clip(base + rng.normal(0, 8, 3), 0, 255)


def hair_colour(rng: np.random.Generator) -> np.ndarray:
    """Draw a hair colour (natural tones, sometimes dyed; BGR (3,))."""
    if rng.random() < 0.15:
        return random_colour(rng)
    base = np.array(_HAIR_TONES[rng.integers(len(_HAIR_TONES))], float)
    return np.clip(base + rng.normal(0, 6, 3), 0, 255)


def make_tile(rng: np.random.Generator, kind: str, colour: np.ndarray,
              colour2: np.ndarray = None) -> np.ndarray:
    """Make a periodic texture tile.

    Args:
        rng (np.random.Generator): Random stream.
        kind (str): ``'solid'``, ``'stripes'``, ``'checks'``, ``'dots'``
            or ``'noise'``.
        colour (np.ndarray): (3,) BGR main colour.
        colour2 (np.ndarray, optional): (3,) BGR second colour of the
            pattern. Defaults to a darker ``colour``.

    Returns:
        np.ndarray: (TILE, TILE, 3) uint8 BGR tile, periodic in both axes.
    """
    colour = np.asarray(colour, float)
    colour2 = colour * 0.55 if colour2 is None else np.asarray(colour2)
    yy, xx = np.mgrid[0:TILE, 0:TILE].astype(np.float64) / TILE
    if kind == 'solid':
        mix = np.zeros((TILE, TILE))
    elif kind == 'stripes':
        # integer periods keep the tile periodic; slanted or straight
        fx, fy = rng.integers(0, 3), rng.integers(1, 4)
        if rng.random() < 0.5:
            fx, fy = fy, fx
        mix = (np.sin(2 * np.pi * (fx * xx + fy * yy)) > 0).astype(float)
    elif kind == 'checks':
        n = int(rng.integers(1, 4))
        mix = ((np.floor(xx * 2 * n) + np.floor(yy * 2 * n)) % 2)
    elif kind == 'dots':
        n = int(rng.integers(2, 4))
        d = np.hypot((xx * n) % 1 - 0.5, (yy * n) % 1 - 0.5)
        mix = (d < rng.uniform(0.15, 0.3)).astype(float)
    elif kind == 'noise':
        small = rng.random((4, 4))
        small = np.concatenate([small, small[:1]], 0)
        small = np.concatenate([small, small[:, :1]], 1)
        mix = cv2.resize(small, (TILE + 8, TILE + 8),
                         interpolation=cv2.INTER_LINEAR)[4:-4, 4:-4]
    else:
        raise ValueError(f'unknown texture kind {kind!r}')
    tile = (colour[None, None] * (1 - mix[..., None]) +
            colour2[None, None] * mix[..., None])
    tile += rng.normal(0, 4, tile.shape)  # fabric grain
    return np.clip(tile, 0, 255).astype(np.uint8)


def garment_tile(rng: np.random.Generator) -> np.ndarray:
    """A random garment texture: random colours, random pattern.

    Args:
        rng (np.random.Generator): Random stream.

    Returns:
        np.ndarray: (TILE, TILE, 3) uint8 BGR tile.
    """
    kind = ('solid', 'stripes', 'checks', 'dots', 'noise')[rng.choice(
        5, p=(0.35, 0.2, 0.15, 0.1, 0.2))]
    c2 = random_colour(rng) if rng.random() < 0.6 else None
    return make_tile(rng, kind, random_colour(rng), c2)


def sample_tile_bilinear(tile: np.ndarray, u: np.ndarray,
                         v: np.ndarray) -> np.ndarray:
    """Bilinear look-up in a periodic tile at real texel coordinates.

    Texel ``(i, j)`` sits at coordinates ``(u, v) = (j, i)``; the tile
    repeats in both axes.

    Args:
        tile (np.ndarray): (TILE, TILE, 3) uint8 tile.
        u (np.ndarray): (n,) horizontal texel coordinates (float).
        v (np.ndarray): (n,) vertical texel coordinates (float).

    Returns:
        np.ndarray: (n, 3) float32 colours.
    """
    n = tile.shape[0]
    u0, v0 = np.floor(u), np.floor(v)
    fu = (u - u0).astype(np.float32)[:, None]
    fv = (v - v0).astype(np.float32)[:, None]
    # the tile with its first row and column repeated: texel i + 1 of a
    # texel i < n needs no wrap
    pad = np.concatenate([tile, tile[:1]], 0)
    pad = np.concatenate([pad, pad[:, :1]], 1).astype(np.float32)
    flat = pad.reshape(-1, tile.shape[2])
    i00 = np.mod(v0.astype(np.int64), n) * (n + 1) + np.mod(
        u0.astype(np.int64), n)
    c00, c01 = np.take(flat, i00, 0), np.take(flat, i00 + 1, 0)
    c10, c11 = np.take(flat, i00 + n + 1, 0), np.take(flat, i00 + n + 2, 0)
    top = c00 + (c01 - c00) * fu
    bottom = c10 + (c11 - c10) * fu
    return top + (bottom - top) * fv


def smooth_field(rng: np.random.Generator, height: int, width: int,
                 cells: int = 4) -> np.ndarray:
    """Low-frequency random field in [0, 1] (bicubic-upsampled noise).

    Args:
        rng (np.random.Generator): Random stream.
        height (int): Output height.
        width (int): Output width.
        cells (int): Number of random cells along the shorter side.

    Returns:
        np.ndarray: (height, width) float32 field.
    """
    ch = max(2, cells)
    cw = max(2, int(round(cells * width / max(height, 1))))
    small = rng.random((ch, cw)).astype(np.float32)
    return np.clip(cv2.resize(small, (width, height),
                              interpolation=cv2.INTER_CUBIC), 0, 1)


def make_background(rng: np.random.Generator, width: int,
                    height: int) -> tuple:
    """Paint a textured street-like background.

    A wall/sky gradient with random blocks (buildings, windows, posters)
    above the horizon, a tiled or noisy ground below it, and low-frequency
    brightness variation over everything.

    Args:
        rng (np.random.Generator): Random stream.
        width (int): Background width (wider than the frame when the camera
            pans).
        height (int): Background height (= frame height).

    Returns:
        tuple: ``(image, horizon)`` with image (height, width, 3) uint8 BGR
        and horizon the row (float) where the ground starts.
    """
    horizon = rng.uniform(0.3, 0.5) * height
    hz = int(round(horizon))
    img = np.zeros((height, width, 3), np.float64)
    top, bottom = random_colour(rng), random_colour(rng)
    ramp = np.linspace(0, 1, max(hz, 1))[:, None, None]
    img[:hz] = top * (1 - ramp) + bottom * ramp
    # buildings, windows, posters
    for _ in range(int(rng.integers(4, 12))):
        w = int(rng.uniform(0.05, 0.35) * height)
        h = int(rng.uniform(0.1, 0.8) * hz) + 1
        x0 = int(rng.integers(0, max(1, width - 1)))
        y0 = int(rng.integers(0, max(1, hz - h + 1)))
        block = make_tile(rng, ('solid', 'stripes', 'checks',
                                'noise')[rng.integers(4)],
                          random_colour(rng), random_colour(rng))
        reps = (h // 32 + 1, w // 32 + 1, 1)
        patch = np.tile(block, reps)[:h, :w].astype(np.float64)
        img[y0:y0 + h, x0:x0 + w] = patch[:max(0, min(h, height - y0)),
                                          :max(0, min(w, width - x0))]
    # ground: tiles with perspective-like row spacing, or noise
    gh = height - hz
    if gh > 0:
        g1, g2 = random_colour(rng), random_colour(rng) * 0.7
        rows = np.arange(gh, dtype=np.float64)
        depth = 1.0 / (rows + 0.15 * gh + 1)  # rows shrink towards horizon
        band = (np.floor(depth * rng.uniform(1.5, 4) * gh) % 2)[:, None]
        cols = np.arange(width)[None, :]
        period = max(4, int(rng.uniform(0.05, 0.2) * height))
        grid = ((cols // period) % 2 if rng.random() < 0.5
                else np.zeros_like(cols))
        mix = ((band + grid) % 2)[..., None] * rng.uniform(0.2, 0.6)
        img[hz:] = g1 * (1 - mix) + g2 * mix
    light = 0.7 + 0.5 * smooth_field(rng, height, width, cells=3)
    img = img * light[..., None] + rng.normal(0, 3, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8), float(horizon)
