"""models of aten_mm."""
from . import (
    data_preprocessors,  # noqa: F401
    detectors,  # noqa: F401
    layers,  # noqa: F401
    losses,  # noqa: F401
    motion,  # noqa: F401
    necks,  # noqa: F401
    post_processing,  # noqa: F401
    seg_heads,  # noqa: F401
    segmentors,  # noqa: F401
    temporal,  # noqa: F401
    vid,  # noqa: F401
)
