"""visualization of aten_mm."""
from .draw_parsing import (
                           colorize_part_map,
                           draw_data_sample,
                           draw_parsing,
                           parsing_from_sample,
)
from .legend import draw_legend
from .palette import (
                      PERSON_PALETTE,
                      VIP_PALETTE,
                      palette_from_meta,
                      person_colors,
)
from .parsing_visualizer import ParsingVisualizer

__all__ = [
    'PERSON_PALETTE', 'VIP_PALETTE', 'ParsingVisualizer', 'colorize_part_map',
    'draw_data_sample', 'draw_legend', 'draw_parsing', 'palette_from_meta',
    'parsing_from_sample', 'person_colors'
]
