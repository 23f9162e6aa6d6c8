"""Loading a config with user overrides, with errors a user can act on.

``tools/train.py``, ``tools/test.py``, ``tools/misc/print_config.py``,
``tools/analysis_tools/get_flops.py`` and :func:`init_model` all read their
config through :func:`load_config`, so a wrong path or a mistyped
``--cfg-options`` key gives the same clear message everywhere. The checks
themselves live in :mod:`aten_mm.utils.config_check` (one checker, one
error type, :class:`ConfigError`).
"""
import os.path as osp
from typing import Optional, Union

from mmengine.config import Config, ConfigDict

from aten_mm.utils.config_check import (
    ConfigError,
    check_cfg_options,
    check_config_keys,
    check_overrides_took_effect,
)
from aten_mm.utils.setup_env import register_all_modules


def _read(path: str) -> Config:
    """``Config.fromfile`` with errors that name the file."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Config file "{path}" does not exist (expected the path '
            'of a .py config file, e.g. one under configs/).')
    try:
        return Config.fromfile(path)
    except UnicodeDecodeError as e:
        raise ConfigError(f'Config file "{path}" is not UTF-8 text '
                          f'({e.reason} at byte {e.start}).') from None
    except SyntaxError as e:
        raise ConfigError(f'Config file "{e.filename or path}" line '
                          f'{e.lineno}: {e.msg}.') from None


def load_config(config: Union[str, Config],
                cfg_options: Optional[dict] = None,
                check_keys: bool = True) -> Config:
    """Read a config file and apply ``--cfg-options`` overrides.

    Then, with ``check_keys``, every constructor keyword of the model,
    datasets and evaluators is checked up front
    (:func:`aten_mm.utils.config_check.check_config_keys`). An override
    that the loading undoes (a dataset's ``clip_cfg``, derived from the
    model) is refused
    (:func:`aten_mm.utils.config_check.check_overrides_took_effect`).

    Args:
        config (str | Config): Path of a config file, or a loaded config
            (copied, not modified).
        cfg_options (dict, optional): Overrides ``{'a.b': value}``, checked
            by :func:`check_cfg_options`.
        check_keys (bool): Check the constructor keywords of the whole
            config. Defaults to True.

    Returns:
        Config: The config with the overrides merged and the datasets'
        ``clip_cfg`` derived from the model
        (:func:`aten_mm.apis.clip_plan.derive_clip_cfgs`).

    Raises:
        FileNotFoundError: if the config file does not exist.
        ConfigError: if the file cannot be read, an override key does not
            exist in the config, or a component does not take one of its
            keys.
    """
    if isinstance(config, (str, bytes)) or hasattr(config, '__fspath__'):
        path = str(config)
        cfg = _read(path)
    elif isinstance(config, Config):
        cfg = config.copy()
        path = config.filename or '<Config object>'
    elif isinstance(config, (dict, ConfigDict)):
        cfg = Config(dict(config))
        path = '<dict>'
    else:
        raise TypeError(
            f'config must be a file path or a Config, got {type(config)}')
    if cfg_options:
        check_cfg_options(cfg, cfg_options, path)
        cfg.merge_from_dict(cfg_options)
    from .clip_plan import derive_clip_cfgs
    derive_clip_cfgs(cfg)  # the datasets take l / p from the model
    if cfg_options:
        check_overrides_took_effect(cfg, cfg_options, path)
    if check_keys:
        register_all_modules(init_default_scope=False)
        check_config_keys(cfg)
    return cfg


__all__ = ['ConfigError', 'check_cfg_options', 'load_config']
