"""Temporal encoders of the key-frame feature (paper §4.1, Eq. 4-5)."""
from .average_encoder import AverageEncoder
from .base_recurrent_encoder import BaseConvRNNCell, BaseRecurrentEncoder
from .conv_gru import ConvGRUCell, ConvGRUEncoder
from .conv_lstm import ConvLSTMCell, ConvLSTMEncoder

__all__ = [
    'AverageEncoder', 'BaseConvRNNCell', 'BaseRecurrentEncoder',
    'ConvGRUCell', 'ConvGRUEncoder', 'ConvLSTMCell', 'ConvLSTMEncoder'
]
