"""Random horizontal flip of a frame pair and its flow."""
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from aten_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class FlowRandomFlip(BaseTransform):
    """Mirror both frames and the ground truth left-right.

    Mirroring moves the flow of pixel ``x`` to ``w - 1 - x`` and negates
    its x component (dy is unchanged).

    Args:
        prob (float): Flip probability. Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5):
        if not 0 <= prob <= 1:
            raise ValueError(f'FlowRandomFlip: prob must be in [0, 1], got '
                             f'{prob}')
        self.prob = prob

    @cache_randomness
    def _do_flip(self) -> bool:
        return bool(np.random.rand() < self.prob)

    def transform(self, results: dict) -> dict:
        """Flip ``imgs``, ``gt_flow`` (dx negated), the masks."""
        flip = self._do_flip()
        results['flip'] = flip
        if not flip:
            return results
        results['imgs'] = [np.ascontiguousarray(img[:, ::-1])
                           for img in results['imgs']]
        flow = results['gt_flow'][:, ::-1] * np.array([-1, 1],
                                                      dtype=np.float32)
        results['gt_flow'] = np.ascontiguousarray(flow)
        for key in ('gt_valid', 'gt_person'):
            if results.get(key) is not None:
                results[key] = np.ascontiguousarray(results[key][:, ::-1])
        return results
