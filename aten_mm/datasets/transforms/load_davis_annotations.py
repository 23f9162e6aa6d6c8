"""Load a DAVIS-2016 foreground mask (docs/davis_protocol.md "Layout")."""
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform

from aten_mm.registry import TRANSFORMS

from .load_vip_annotations import load_target_label_map


@TRANSFORMS.register_module()
class LoadDAVISAnnotations(BaseTransform):
    """``gt_seg_map`` = foreground (any non-zero pixel) 1, background 0.

    Reads ``seg_map_path``; must run after :class:`LoadClipFrames`.

    Args:
        void_value (int | None): A value kept as 255 = ignore instead of
            foreground (255 in the DAVIS-2017 release); None (DAVIS-2016,
            default) makes every non-zero pixel foreground.
        backend_args (dict | None): mmengine file backend arguments.
    """

    def __init__(self, void_value: Optional[int] = None,
                 backend_args: Optional[dict] = None):
        self.void_value = void_value
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        """Load the binary map of the target frame."""
        ann, _ = load_target_label_map(results, 'seg_map_path',
                                       self.backend_args)
        seg = (ann > 0).astype(np.uint8)
        if self.void_value is not None:
            seg[ann == self.void_value] = 255
        results['gt_seg_map'] = seg
        results['ignore_index'] = 255
        return results
