"""Segmentors and glue that put aten_mm's components into mmseg models."""
from .temporal_encoder_decoder import TemporalEncoderDecoder
from .tuple_neck import TupleNeck

__all__ = ['TemporalEncoderDecoder', 'TupleNeck']
