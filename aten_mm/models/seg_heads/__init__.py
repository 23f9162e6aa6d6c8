"""seg_heads."""
from .global_parsing_head import GlobalParsingHead

__all__ = ['GlobalParsingHead']
