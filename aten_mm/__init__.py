"""aten_mm: ATEN video instance-level human parsing in OpenMMLab."""
from .version import __version__, version_info
from .utils.version_check import check_dependency_versions

check_dependency_versions()

__all__ = ['__version__', 'version_info']
