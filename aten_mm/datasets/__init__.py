"""datasets of aten_mm."""
from aten_mm.structures.frame_plan import (
                            clip_indices,
                            key_clip_indices,
                            neighbor_clip_indices,
                            random_key_clip_indices,
                            segment_key,
)

from . import (
                            samplers,  # noqa: F401
                            synthetic,  # noqa: F401
                            transforms,  # noqa: F401
)
from .base_video_dataset import BaseVideoDataset
from .davis_dataset import DAVISDataset
from .flow_pair_dataset import FlowPairDataset
from .vip_dataset import VIPDataset

__all__ = [
    'BaseVideoDataset', 'DAVISDataset', 'FlowPairDataset', 'VIPDataset',
    'clip_indices', 'key_clip_indices', 'neighbor_clip_indices',
    'random_key_clip_indices', 'segment_key'
]
