"""engine of aten_mm."""
from . import hooks  # noqa: F401
