"""Scope set-up: import every module so its registry entries exist."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register all modules of aten_mm (and mmdet's) into the registries.

    Args:
        init_default_scope (bool): Whether to make ``aten_mm`` the default
            scope, so that unscoped config types resolve in our registries
            first (then mmdet's). Defaults to True.
    """
    import mmdet.utils

    mmdet.utils.register_all_modules(init_default_scope=False)
    import aten_mm.datasets  # noqa: F401
    import aten_mm.engine  # noqa: F401
    import aten_mm.evaluation  # noqa: F401
    import aten_mm.models  # noqa: F401
    import aten_mm.visualization  # noqa: F401

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('aten_mm'):
        if current is not None and current.scope_name != 'aten_mm':
            warnings.warn(
                f'The current default scope "{current.scope_name}" is not '
                '"aten_mm"; a new default scope "aten_mm" is created for '
                'register_all_modules.')
        name = f'aten_mm-{datetime.datetime.now()}'
        DefaultScope.get_instance(name, scope_name='aten_mm')
    elif current.scope_name != 'aten_mm':
        DefaultScope.get_instance('aten_mm', scope_name='aten_mm')
