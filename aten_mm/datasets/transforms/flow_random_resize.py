"""Random rescaling of a frame pair and its flow."""
from typing import Tuple

import cv2
import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from aten_mm.registry import TRANSFORMS


def resize_flow_pair(results: dict, size: Tuple[int, int]) -> dict:
    """Resize the frames and ground truth of a pair to ``size`` (h, w).

    Frames bilinear; the flow bilinear and its vectors multiplied by the
    size ratios (``w' / w`` for dx, ``h' / h`` for dy: flow stays in pixels
    of the new grid); masks nearest.

    Args:
        results (dict): From ``LoadFlowPair``.
        size (tuple[int, int]): New (h, w).

    Returns:
        dict: ``results`` updated in place.
    """
    h, w = results['imgs'][0].shape[:2]
    nh, nw = size
    if (nh, nw) == (h, w):
        return results
    results['imgs'] = [mmcv.imresize(img, (nw, nh))
                       for img in results['imgs']]
    flow = cv2.resize(results['gt_flow'], (nw, nh),
                      interpolation=cv2.INTER_LINEAR)
    results['gt_flow'] = (flow * np.array([nw / w, nh / h],
                                          dtype=np.float32))
    for key in ('gt_valid', 'gt_person'):
        if results.get(key) is not None:
            results[key] = cv2.resize(results[key].astype(np.uint8),
                                      (nw, nh),
                                      interpolation=cv2.INTER_NEAREST) > 0
    results['img_shape'] = (nh, nw)
    return results


@TRANSFORMS.register_module()
class FlowRandomResize(BaseTransform):
    """Rescale a pair by a random factor (flow vectors rescaled too).

    Args:
        ratio_range (tuple[float, float]): Uniform range of the factor.
            Defaults to (0.5, 1.0): the tiny video configs see the frames
            at about half the generator's size.
    """

    def __init__(self, ratio_range: Tuple[float, float] = (0.5, 1.0)):
        lo, hi = ratio_range
        if not 0 < lo <= hi:
            raise ValueError('FlowRandomResize: ratio_range must be '
                             f'0 < low <= high, got {ratio_range}')
        self.ratio_range = (float(lo), float(hi))

    @cache_randomness
    def _ratio(self) -> float:
        return float(np.random.uniform(*self.ratio_range))

    def transform(self, results: dict) -> dict:
        """Resize ``imgs``, ``gt_flow``, ``gt_valid``, ``gt_person``."""
        h, w = results['imgs'][0].shape[:2]
        r = self._ratio()
        return resize_flow_pair(results, (max(1, round(h * r)),
                                          max(1, round(w * r))))
