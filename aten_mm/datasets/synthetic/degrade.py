"""Per-frame image degradations of the synthetic videos.

A configurable fraction of the frames of every video is degraded by motion
blur, defocus or sensor noise, the failures a temporal feature encoder
should compensate for ("motion blur and video defocus", ATEN paper §1;
Eq. (4) aggregates key frames to enhance such frames, §4.4). Label maps
are never degraded. The chosen frames and kinds are listed in the video's
meta file.
"""
import cv2
import numpy as np

DEGRADATIONS = ('motion_blur', 'defocus', 'noise')


def sample_degradations(rng: np.random.Generator, num_frames: int,
                        ratio: float, width: int) -> dict:
    """Choose which frames to degrade, how and how strongly.

    Args:
        rng (np.random.Generator): Random stream (its own, so the scene does
            not change with ``ratio``).
        num_frames (int): Number of frames T of the video.
        ratio (float): Fraction of frames to degrade, in [0, 1]; the count
            is ``round(ratio * T)``.
        width (int): Frame width, to scale the blur sizes.

    Returns:
        dict: ``{frame_index (0-based): dict(kind=str, **params)}``.
    """
    if not 0.0 <= ratio <= 1.0:
        raise ValueError(f'degrade_ratio must be in [0, 1], got {ratio}')
    n = int(round(ratio * num_frames))
    frames = np.sort(rng.choice(num_frames, size=n, replace=False))
    plan = {}
    unit = max(width / 256.0, 0.25)
    for t in frames.tolist():
        kind = DEGRADATIONS[int(rng.integers(len(DEGRADATIONS)))]
        if kind == 'motion_blur':
            params = dict(length=max(3, int(round(rng.uniform(6, 14) *
                                                  unit))),
                          angle=float(rng.uniform(0, 180)))
        elif kind == 'defocus':
            params = dict(radius=max(1, int(round(rng.uniform(2, 4.5) *
                                                  unit))))
        else:
            params = dict(sigma=float(rng.uniform(12, 28)),
                          seed=int(rng.integers(2**31)))
        plan[t] = dict(kind=kind, **params)
    return plan


def _line_kernel(length: int, angle: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    c = (length - 1) / 2.0
    d = np.array([np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))])
    for s in np.linspace(-c, c, 4 * length):
        x, y = np.round(c + s * d).astype(int)
        k[y, x] = 1.0
    return k / k.sum()


def _disk_kernel(radius: int) -> np.ndarray:
    yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    k = (xx**2 + yy**2 <= radius**2 + 0.5).astype(np.float32)
    return k / k.sum()


def apply_degradation(img: np.ndarray, kind: str, **params) -> np.ndarray:
    """Degrade one frame.

    Args:
        img (np.ndarray): (H, W, 3) uint8 BGR frame.
        kind (str): One of :data:`DEGRADATIONS`.
        **params: ``length``/``angle`` (pixels/degrees) for motion blur,
            ``radius`` (pixels) for defocus, ``sigma``/``seed`` for noise.

    Returns:
        np.ndarray: (H, W, 3) uint8 degraded frame.
    """
    if kind == 'motion_blur':
        k = _line_kernel(params['length'], params['angle'])
        return cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REFLECT)
    if kind == 'defocus':
        k = _disk_kernel(params['radius'])
        return cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REFLECT)
    if kind == 'noise':
        rng = np.random.default_rng(params['seed'])
        noisy = img + rng.normal(0, params['sigma'], img.shape)
        return np.clip(noisy + 0.5, 0, 255).astype(np.uint8)
    raise ValueError(f'unknown degradation {kind!r}; expected one of '
                     f'{DEGRADATIONS}')
