"""detectors."""
from .parsing_rcnn import ParsingRCNN

__all__ = ['ParsingRCNN']
