"""engine of aten_mm."""
from . import hooks  # noqa: F401
from .runner import ATENRunner  # noqa: F401
