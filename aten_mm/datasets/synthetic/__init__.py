"""Synthetic video human-parsing data (VIP and DAVIS layouts).

See :func:`generate_dataset`, ``tools/dataset_converters/
make_synthetic_vip.py`` and docs/synthetic_data.md.
"""
from .flow import backward_flow
from .generator import (
    generate_dataset,
    is_synthetic_set,
    make_video,
    split_videos,
)
from .person import PersonPose, PersonSpec, render_person, sample_person
from .scene import render_frame, render_labels, sample_video

__all__ = [
    'generate_dataset', 'is_synthetic_set', 'make_video', 'split_videos',
    'backward_flow', 'PersonPose', 'PersonSpec', 'render_person',
    'sample_person', 'render_frame', 'render_labels', 'sample_video'
]
