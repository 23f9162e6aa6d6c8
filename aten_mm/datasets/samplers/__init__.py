"""Samplers of the video datasets."""
from .video_sampler import VideoSampler, split_contiguous, video_groups

__all__ = ['VideoSampler', 'split_contiguous', 'video_groups']
