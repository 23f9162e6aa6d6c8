"""Random crop of a frame pair and its flow (padded if too small)."""
from typing import Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from aten_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class FlowRandomCrop(BaseTransform):
    """Crop a window from both frames and the ground truth.

    A crop at the same place in both frames does not change the flow. With
    ``max_shift > 0`` frame ``t - 1`` is cropped ``(sx, sy)`` pixels away
    (uniform integers in ``[-max_shift, max_shift]``), FlowNet's relative
    translation augmentation: content at ``p`` of crop ``t`` then lies at
    ``p + flow(p) - (sx, sy)`` in crop ``t - 1``, so every pixel gets
    motion to learn from, not only the moving people. Pixels whose content
    falls outside crop ``t - 1`` become invalid.

    A pair smaller than the crop (plus shift) is first padded bottom/right
    (frames 0, flow 0 and *invalid*), so every crop of a batch has the same
    size.

    Args:
        crop_size (tuple[int, int]): (h, w).
        max_shift (int): Largest relative shift of frame ``t - 1`` in
            pixels. Defaults to 0 (no shift).
    """

    def __init__(self, crop_size: Tuple[int, int], max_shift: int = 0):
        if len(crop_size) != 2 or min(crop_size) < 1 or max_shift < 0:
            raise ValueError('FlowRandomCrop: crop_size must be (h, w) > 0 '
                             f'and max_shift >= 0, got {crop_size}, '
                             f'{max_shift}')
        self.crop_size = (int(crop_size[0]), int(crop_size[1]))
        self.max_shift = int(max_shift)

    @cache_randomness
    def _window(self, h: int, w: int) -> Tuple[int, int, int, int]:
        """Top-left of crop t and the shift (sy, sx) of crop t - 1."""
        ch, cw = self.crop_size
        m = self.max_shift
        sy, sx = (int(v) for v in np.random.randint(-m, m + 1, size=2))
        # both windows inside the (padded) pair
        y = int(np.random.randint(max(0, -sy), h - ch - max(0, sy) + 1))
        x = int(np.random.randint(max(0, -sx), w - cw - max(0, sx) + 1))
        return y, x, sy, sx

    def transform(self, results: dict) -> dict:
        """Crop ``imgs``, ``gt_flow``, ``gt_valid``, ``gt_person``."""
        ch, cw = self.crop_size
        m = self.max_shift
        h, w = results['imgs'][0].shape[:2]
        ph, pw = max(0, ch + m - h), max(0, cw + m - w)
        keys = ('gt_flow', 'gt_valid', 'gt_person')

        def pad(a):
            extra = ((0, ph), (0, pw)) + ((0, 0), ) * (a.ndim - 2)
            return np.pad(a, extra)

        if ph or pw:
            results['imgs'] = [pad(img) for img in results['imgs']]
            for key in keys:
                if results.get(key) is not None:
                    results[key] = pad(results[key])
            h, w = h + ph, w + pw
        y, x, sy, sx = self._window(h, w)
        cur, ref = results['imgs']
        results['imgs'] = [cur[y:y + ch, x:x + cw],
                           ref[y + sy:y + sy + ch, x + sx:x + sx + cw]]
        for key in keys:
            if results.get(key) is not None:
                results[key] = results[key][y:y + ch, x:x + cw]
        if sy or sx:
            flow = results['gt_flow'] - np.array([sx, sy], np.float32)
            ys, xs = np.mgrid[0:ch, 0:cw]
            tx, ty = xs + flow[..., 0], ys + flow[..., 1]
            results['gt_flow'] = flow
            results['gt_valid'] = results['gt_valid'] & (tx >= 0) & (
                tx <= cw - 1) & (ty >= 0) & (ty <= ch - 1)
        results['img_shape'] = (ch, cw)
        return results
