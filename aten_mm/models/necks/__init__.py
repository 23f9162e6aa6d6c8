"""necks."""
from .video_deeplabv3plus import VideoDeepLabV3Plus

__all__ = ['VideoDeepLabV3Plus']
