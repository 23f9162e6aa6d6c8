"""Exact ground-truth backward optical flow of the synthetic scenes.

Every pixel of a rendered frame belongs to one surface (background, an
occluder, or one part of one person, :class:`~.scene.SceneFrame`) whose
texture is painted in the surface's own coordinates ``L = A_t (x, y, 1)``.
The same texture point was at ``A_{t-1}^{-1} L`` in frame t-1, so the
backward flow t → t-1 of pixel (x, y) is

    ``flow[y, x] = A_{t-1}^{-1} A_t (x, y, 1) - (x, y)``,

in pixels of the frame grid: the content at (x, y) of frame t is at
(x + dx, y + dy) in frame t-1, the direction a feature warp samples
(``warp(feat_{t-1}, flow)`` ≈ ``feat_t``, ATEN Eq. (2)-(3)). It is a flow
*field* for every pixel; the validity mask says where that point is
actually visible in t-1.
"""
import numpy as np


def affine_inverse(m: np.ndarray) -> np.ndarray:
    """Inverse of a (2, 3) affine map (exact for translations)."""
    a, b, c, d = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
    det = a * d - b * c
    r = np.array([[d, -b], [-c, a]]) / det
    return np.concatenate([r, -(r @ m[:, 2:])], 1)


def compose(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """``outer ∘ inner`` of two (2, 3) affine maps."""
    return np.concatenate([outer[:, :2] @ inner[:, :2],
                           outer[:, :2] @ inner[:, 2:] + outer[:, 2:]], 1)


def backward_flow(prev, cur) -> tuple:
    """Ground-truth flow from frame t (``cur``) to frame t-1 (``prev``).

    Args:
        prev (SceneFrame): Frame t-1 of the same video.
        cur (SceneFrame): Frame t.

    Returns:
        tuple: ``(flow, valid)``: (H, W, 2) float32 ``(dx, dy)`` in pixels
        and (H, W) bool, False where the source point leaves the view
        (outside ``[0, W-1] x [0, H-1]``) or the pixel nearest to it in
        frame t-1 shows another surface (the point is occluded there, or
        its class changed).
    """
    h, w = cur.surface.shape
    bg = compose(affine_inverse(prev.frames[0]), cur.frames[0])
    sx = np.empty((h, w))
    sy = np.empty((h, w))
    xs = np.arange(w, dtype=np.float64)
    ys = np.arange(h, dtype=np.float64)[:, None]
    sx[:] = bg[0, 0] * xs + bg[0, 1] * ys + bg[0, 2]
    sy[:] = bg[1, 0] * xs + bg[1, 1] * ys + bg[1, 2]
    gy, gx, runs = cur.groups()
    fx, fy = gx.astype(np.float64), gy.astype(np.float64)
    px = np.empty(len(fx))
    py = np.empty(len(fx))
    for s, a, b in runs:
        m = compose(affine_inverse(prev.frames[s]), cur.frames[s])
        px[a:b] = m[0, 0] * fx[a:b] + m[0, 1] * fy[a:b] + m[0, 2]
        py[a:b] = m[1, 0] * fx[a:b] + m[1, 1] * fy[a:b] + m[1, 2]
    sx[gy, gx] = px
    sy[gy, gx] = py
    flow = np.stack([sx - xs, sy - ys], -1).astype(np.float32)
    inside = (sx >= 0) & (sx <= w - 1) & (sy >= 0) & (sy <= h - 1)
    nx = np.clip(np.rint(sx), 0, w - 1).astype(np.int64)
    ny = np.clip(np.rint(sy), 0, h - 1).astype(np.int64)
    valid = inside & (prev.surface[ny, nx] == cur.surface)
    return flow, valid
