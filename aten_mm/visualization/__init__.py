"""visualization of aten_mm."""
from .draw_parsing import (
                           colorize_part_map,
                           draw_data_sample,
                           draw_parsing,
                           parsing_from_sample,
)
from .palette import VIP_PALETTE
from .parsing_visualizer import ParsingVisualizer

__all__ = [
    'VIP_PALETTE', 'ParsingVisualizer', 'colorize_part_map',
    'draw_data_sample', 'draw_parsing', 'parsing_from_sample'
]
