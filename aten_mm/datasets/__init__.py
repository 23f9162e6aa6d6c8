"""datasets of aten_mm."""
from . import synthetic  # noqa: F401
from . import transforms  # noqa: F401
from . import samplers  # noqa: F401
