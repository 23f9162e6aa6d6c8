"""aten_mm: ATEN video instance-level human parsing in OpenMMLab."""
from .utils.version_check import check_dependency_versions
from .version import __version__, version_info

check_dependency_versions()

__all__ = ['__version__', 'version_info']
