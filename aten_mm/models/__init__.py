"""models of aten_mm."""
from . import motion  # noqa: F401
from . import layers  # noqa: F401
from . import temporal  # noqa: F401
from . import necks  # noqa: F401
from . import seg_heads  # noqa: F401
from . import detectors  # noqa: F401
from . import vid  # noqa: F401
from . import data_preprocessors  # noqa: F401
