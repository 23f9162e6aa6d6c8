"""Clip transforms: same random parameters on every frame of a clip."""
from .clip_photometric_distortion import ClipPhotoMetricDistortion
from .clip_random_flip import ClipRandomFlip
from .clip_resize import ClipResize
from .clip_transform_wrapper import ClipTransformWrapper
from .load_clip_frames import LoadClipFrames
from .load_davis_annotations import LoadDAVISAnnotations
from .load_vip_annotations import LoadVIPAnnotations
from .pack_clip_inputs import CLIP_META_KEYS, PackClipInputs

__all__ = [
    'ClipPhotoMetricDistortion', 'ClipRandomFlip', 'ClipResize',
    'ClipTransformWrapper', 'LoadClipFrames', 'LoadDAVISAnnotations',
    'LoadVIPAnnotations', 'PackClipInputs', 'CLIP_META_KEYS'
]
