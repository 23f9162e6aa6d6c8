"""Data structures and pure functions shared by datasets and models.

:mod:`aten_mm.structures.frame_plan` is the frame plan (key and reference
frame selection, paper §4.1, §4.4): the datasets use it to decide which
frames a clip holds, the video models to decide which frames a target
needs, so both inference modes agree by construction. Nothing here imports
``aten_mm.datasets``, ``aten_mm.models`` or ``aten_mm.evaluation``.
"""
from .frame_plan import (
    KEY_POSITIONS,
    clip_indices,
    key_clip_indices,
    key_offsets,
    neighbor_clip_indices,
    order_refs,
    random_key_clip_indices,
    segment_key,
    valid_key_offsets,
)

__all__ = [
    'KEY_POSITIONS', 'clip_indices', 'key_clip_indices', 'key_offsets',
    'neighbor_clip_indices', 'order_refs', 'random_key_clip_indices',
    'segment_key', 'valid_key_offsets'
]
