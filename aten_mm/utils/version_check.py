"""Import-time check of the OpenMMLab versions aten_mm is tested with."""
from importlib import metadata

from packaging.version import Version

# package -> (min inclusive, max exclusive); the pins of requirements/.
REQUIRED = {
    'mmengine': ('0.10.0', '1.0.0'),
    'mmcv': ('2.1.0', '2.2.0'),
    'mmdet': ('3.3.0', '3.4.0'),
    'mmsegmentation': ('1.2.2', '1.3.0'),
    'torch': ('2.0.0', '2.14.0'),
}


def check_dependency_versions(required: dict = None) -> None:
    """Raise one clear error listing every missing or mismatched package.

    Args:
        required (dict, optional): ``{package: (min, max_exclusive)}``.
            Defaults to :data:`REQUIRED`.

    Raises:
        ImportError: naming each package, the version found and the range
            required, and how to fix it (``make install``).
    """
    required = REQUIRED if required is None else required
    problems = []
    for name, (lo, hi) in required.items():
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f'{name}: not installed (need >={lo},<{hi})')
            continue
        base = Version(Version(found).base_version)
        if not Version(lo) <= base < Version(hi):
            problems.append(f'{name}: found {found}, need >={lo},<{hi}')
    if problems:
        raise ImportError(
            'aten_mm needs other versions of its dependencies:\n  ' +
            '\n  '.join(problems) +
            '\nRun `make install` (it builds the pinned set in .venv).')
