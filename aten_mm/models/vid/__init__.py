"""Video parsers: ATEN and the baselines of the paper's tables."""
from .aten import ATEN
from .base_video_parser import BaseVideoParser
from .dff import DFF
from .embed_aggregator import EmbedAggregator
from .fgfa import FGFA
from .stream_cache import StreamCache, StreamResults

__all__ = [
    'BaseVideoParser', 'ATEN', 'DFF', 'FGFA', 'EmbedAggregator',
    'StreamCache', 'StreamResults'
]
