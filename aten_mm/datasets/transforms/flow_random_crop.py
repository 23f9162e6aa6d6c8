"""Random crop of a frame pair and its flow (padded if too small)."""
from typing import Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from aten_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class FlowRandomCrop(BaseTransform):
    """Crop the same window from both frames and the ground truth.

    A crop does not change flow vectors. A pair smaller than the crop is
    first padded bottom/right (frames 0, flow 0 and *invalid*), so every
    crop of a batch has the same size.

    Args:
        crop_size (tuple[int, int]): (h, w).
    """

    def __init__(self, crop_size: Tuple[int, int]):
        if len(crop_size) != 2 or min(crop_size) < 1:
            raise ValueError('FlowRandomCrop: crop_size must be (h, w) > 0,'
                             f' got {crop_size}')
        self.crop_size = (int(crop_size[0]), int(crop_size[1]))

    @cache_randomness
    def _offset(self, h: int, w: int) -> Tuple[int, int]:
        ch, cw = self.crop_size
        return (int(np.random.randint(0, h - ch + 1)),
                int(np.random.randint(0, w - cw + 1)))

    def transform(self, results: dict) -> dict:
        """Crop ``imgs``, ``gt_flow``, ``gt_valid``, ``gt_person``."""
        ch, cw = self.crop_size
        h, w = results['imgs'][0].shape[:2]
        ph, pw = max(0, ch - h), max(0, cw - w)
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
        y, x = self._offset(h, w)
        results['imgs'] = [img[y:y + ch, x:x + cw]
                           for img in results['imgs']]
        for key in keys:
            if results.get(key) is not None:
                results[key] = results[key][y:y + ch, x:x + cw]
        results['img_shape'] = (ch, cw)
        return results
