"""Per-frame image degradations of the synthetic videos.

A configurable fraction of the frames of every video is degraded by heavy
motion blur, defocus, sensor noise or low light, the failures a temporal
feature encoder should compensate for ("motion blur and video defocus",
ATEN paper §1; Eq. (4) aggregates key frames to enhance such frames, §4.4).
Degraded frames come in short bursts of one kind (a shaky second, a focus
hunt, a dark passage), as in real videos. Label maps and the ground-truth
flow are never degraded: they describe the clean scene. The chosen frames
and kinds are listed in the video's meta file.
"""
import cv2
import numpy as np

DEGRADATIONS = ('motion_blur', 'defocus', 'noise', 'low_light')
MAX_BURST = 4


def _params(rng: np.random.Generator, kind: str, unit: float,
            angle: float) -> dict:
    if kind == 'motion_blur':
        return dict(length=max(3, int(round(rng.uniform(8, 20) * unit))),
                    angle=float((angle + rng.normal(0, 10)) % 180))
    if kind == 'defocus':
        return dict(radius=max(1, int(round(rng.uniform(2, 5) * unit))))
    if kind == 'noise':
        return dict(sigma=float(rng.uniform(12, 28)),
                    seed=int(rng.integers(2**31)))
    return dict(gain=float(rng.uniform(0.12, 0.35)),
                sigma=float(rng.uniform(3, 8)),
                seed=int(rng.integers(2**31)))


def sample_degradations(rng: np.random.Generator, num_frames: int,
                        ratio: float, width: int) -> dict:
    """Choose which frames to degrade, how and how strongly.

    Bursts of 1-4 consecutive frames of one kind (parameters vary a little
    within a burst) are placed on free frames until exactly
    ``round(ratio * T)`` frames are degraded.

    Args:
        rng (np.random.Generator): Random stream (its own, so the scene does
            not change with ``ratio``).
        num_frames (int): Number of frames T of the video.
        ratio (float): Fraction of frames to degrade, in [0, 1].
        width (int): Frame width, to scale the blur sizes.

    Returns:
        dict: ``{frame_index (0-based): dict(kind=str, **params)}``.
    """
    if not 0.0 <= ratio <= 1.0:
        raise ValueError(f'degrade_ratio must be in [0, 1], got {ratio}')
    n = int(round(ratio * num_frames))
    plan = {}
    unit = max(width / 256.0, 0.25)
    while len(plan) < n:
        free = [t for t in range(num_frames) if t not in plan]
        start = free[int(rng.integers(len(free)))]
        length = min(int(rng.integers(1, MAX_BURST + 1)), n - len(plan))
        kind = DEGRADATIONS[int(rng.integers(len(DEGRADATIONS)))]
        angle = rng.uniform(0, 180)
        t = start
        while t < num_frames and t not in plan and length > 0:
            plan[t] = dict(kind=kind, **_params(rng, kind, unit, angle))
            t += 1
            length -= 1
    return dict(sorted(plan.items()))


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
            ``radius`` (pixels) for defocus, ``sigma``/``seed`` for noise,
            ``gain``/``sigma``/``seed`` for low light (the image is
            darkened to ``gain`` of its brightness, then gets noise).

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
    if kind == 'low_light':
        rng = np.random.default_rng(params['seed'])
        dark = img * params['gain'] + rng.normal(0, params['sigma'],
                                                 img.shape)
        return np.clip(dark + 0.5, 0, 255).astype(np.uint8)
    raise ValueError(f'unknown degradation {kind!r}; expected one of '
                     f'{DEGRADATIONS}')
