"""Resize every frame of a clip (paper §5.1: longer side 512)."""
from typing import Tuple

from mmdet.datasets.transforms import Resize

from aten_mm.registry import TRANSFORMS

from .clip_transform_wrapper import ClipTransformWrapper


@TRANSFORMS.register_module()
class ClipResize(ClipTransformWrapper):
    """mmdet ``Resize`` on all frames and on the target's ground truth.

    With ``keep_ratio=True`` the frame is scaled so that it fits in
    ``scale`` (w, h); ``(512, 512)`` makes the longer side 512 as in the
    paper. Masks and boxes follow; the part map is resized with nearest
    interpolation.

    Args:
        scale (tuple[int, int]): Target ``(w, h)``. Defaults to
            ``(512, 512)``.
        keep_ratio (bool): Keep the aspect ratio. Defaults to True.
        **kwargs: Other ``mmdet.datasets.transforms.Resize`` arguments.
    """

    def __init__(self, scale: Tuple[int, int] = (512, 512),
                 keep_ratio: bool = True, **kwargs):
        super().__init__(Resize(scale=scale, keep_ratio=keep_ratio,
                                **kwargs))
