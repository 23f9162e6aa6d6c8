"""Clip transforms (same random parameters on every frame of a clip) and
frame-pair flow transforms."""
from .clip_photometric_distortion import ClipPhotoMetricDistortion
from .clip_random_flip import ClipRandomFlip
from .clip_resize import ClipResize
from .clip_transform_wrapper import ClipTransformWrapper
from .flow_random_crop import FlowRandomCrop
from .flow_random_flip import FlowRandomFlip
from .flow_random_resize import FlowRandomResize
from .load_clip_frames import LoadClipFrames
from .load_davis_annotations import LoadDAVISAnnotations
from .load_flow_pair import LoadFlowPair, read_flow
from .load_vip_annotations import LoadVIPAnnotations
from .pack_clip_inputs import CLIP_META_KEYS, PackClipInputs
from .pack_flow_inputs import PackFlowInputs

__all__ = [
    'ClipPhotoMetricDistortion', 'ClipRandomFlip', 'ClipResize',
    'ClipTransformWrapper', 'LoadClipFrames', 'LoadDAVISAnnotations',
    'LoadVIPAnnotations', 'PackClipInputs', 'CLIP_META_KEYS',
    'LoadFlowPair', 'read_flow', 'FlowRandomResize', 'FlowRandomCrop',
    'FlowRandomFlip', 'PackFlowInputs'
]
