"""Photometric jitter with the same parameters on every frame of a clip."""
import numpy as np
from mmdet.datasets.transforms import PhotoMetricDistortion

from aten_mm.registry import TRANSFORMS

from .clip_transform_wrapper import ClipTransformWrapper


@TRANSFORMS.register_module()
class ClipPhotoMetricDistortion(ClipTransformWrapper):
    """mmdet ``PhotoMetricDistortion`` with shared random parameters.

    Frames are returned as uint8 again (rounded and clipped), as the clip
    contract of docs/interfaces.md expects.

    Args:
        **kwargs: ``PhotoMetricDistortion`` arguments
            (``brightness_delta``, ``contrast_range``, ...).
    """

    def __init__(self, **kwargs):
        super().__init__(PhotoMetricDistortion(**kwargs))

    def postprocess_img(self, img: np.ndarray) -> np.ndarray:
        """Round and clip to uint8."""
        return np.clip(np.rint(img), 0, 255).astype(np.uint8)
