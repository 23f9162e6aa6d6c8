"""Video parsers: ATEN and the baselines of the paper's tables."""
from .aten import ATEN
from .base_video_parser import BaseVideoParser
from .clip_mode import unpack_clip
from .dff import DFF
from .embed_aggregator import EmbedAggregator
from .fgfa import FGFA
from .stream_engine import StreamCache, StreamEngine, StreamResults

__all__ = [
    'BaseVideoParser', 'ATEN', 'DFF', 'FGFA', 'EmbedAggregator',
    'StreamCache', 'StreamEngine', 'StreamResults', 'unpack_clip'
]
