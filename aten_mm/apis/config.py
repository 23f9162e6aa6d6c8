"""Loading a config with user overrides, with errors a user can act on.

``tools/train.py``, ``tools/test.py``, ``tools/misc/print_config.py``,
``tools/analysis_tools/get_flops.py`` and :func:`init_model` all read their
config through :func:`load_config`, so a wrong path or a mistyped
``--cfg-options`` key gives the same clear message everywhere.
"""
import inspect
import os.path as osp
from typing import Optional, Union

from mmengine.config import Config, ConfigDict
from mmengine.registry import Registry


class ConfigError(ValueError):
    """A user-supplied config or override that cannot be used."""


def _describe(keys):
    keys = sorted(str(k) for k in keys)
    shown = ', '.join(keys[:20])
    return shown + (', ...' if len(keys) > 20 else '')


def _registered_class(type_name):
    """The class registered under ``type_name`` in any aten_mm registry
    (which falls back to mmdet's and mmengine's), or None."""
    if not isinstance(type_name, str):
        return type_name if inspect.isclass(type_name) else None
    from aten_mm import registry
    for value in vars(registry).values():
        if isinstance(value, Registry):
            try:
                cls = value.get(type_name)
            except (KeyError, ImportError):
                cls = None
            if cls is not None:
                return cls
    return None


def _check_new_kwarg(key: str, type_name, arg: str, filename: str) -> None:
    """Refuse a new constructor argument the class does not take."""
    cls = _registered_class(type_name)
    if cls is None or not inspect.isclass(cls):
        return  # unknown here (e.g. built later by a parent): let it pass
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return
    if arg in params or any(p.kind == p.VAR_KEYWORD
                            for p in params.values()):
        return
    accepted = [n for n in params if n != 'self']
    raise ConfigError(
        f'--cfg-options key "{key}": {cls.__name__} (type="{type_name}" '
        f'in config {filename}) takes no argument "{arg}". Its arguments: '
        f'{_describe(accepted)}.')


def check_cfg_options(cfg: Config, options: dict, filename: str = '') -> None:
    """Check that every ``--cfg-options`` key names something in ``cfg``.

    mmengine's :meth:`Config.merge_from_dict` silently creates any key it is
    given, so ``train_cfg.max_iter=10`` (missing ``s``) would train with the
    default. Here every part of a dotted key but the last must exist; the
    last must exist too unless its parent is a constructor dict (it has a
    ``type``), where adding a keyword argument is legitimate
    (``model.init_cfg=None``) if the registered class accepts it.

    Args:
        cfg (Config): The loaded config.
        options (dict): ``{'a.b.c': value}`` as parsed by ``DictAction``.
        filename (str): The config's path, for the message.

    Raises:
        ConfigError: naming the key, the missing part and the keys that do
            exist at that level.
    """
    for key in options:
        node = cfg._cfg_dict if isinstance(cfg, Config) else cfg
        parts = key.split('.')
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            where = '.'.join(parts[:depth]) or '<top level>'
            if isinstance(node, (list, tuple)):
                if not part.isdigit() or int(part) >= len(node):
                    raise ConfigError(
                        f'--cfg-options key "{key}": "{where}" in config '
                        f'{filename} is a list of length {len(node)}; '
                        f'expected an index 0..{len(node) - 1}, got '
                        f'"{part}".')
                node = node[int(part)]
                continue
            if not isinstance(node, dict):
                raise ConfigError(
                    f'--cfg-options key "{key}": "{where}" in config '
                    f'{filename} is a {type(node).__name__}, not a dict, so '
                    f'it has no "{part}".')
            if part in node:
                node = node[part]
                continue
            if last and depth > 0 and 'type' in node:
                _check_new_kwarg(key, node['type'], part, filename)
                break  # a new keyword argument of a constructor dict
            raise ConfigError(
                f'--cfg-options key "{key}": "{part}" does not exist under '
                f'{where} of config {filename}. Existing keys there: '
                f'{_describe(node.keys())}.')


def load_config(config: Union[str, Config],
                cfg_options: Optional[dict] = None,
                check_keys: bool = True) -> Config:
    """Read a config file and apply ``--cfg-options`` overrides.

    Then, with ``check_keys``, every constructor keyword of the model,
    datasets and evaluators is checked up front
    (:func:`aten_mm.utils.config_check.check_config_keys`).

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
        ConfigError: if an override key does not exist in the config.
        ConfigKeyError: if a component does not take one of its keys.
    """
    if isinstance(config, (str, bytes)) or hasattr(config, '__fspath__'):
        path = str(config)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'Config file "{path}" does not exist (expected the path '
                'of a .py config file, e.g. one under configs/).')
        cfg = Config.fromfile(path)
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
    if check_keys:
        from aten_mm.utils import register_all_modules
        from aten_mm.utils.config_check import check_config_keys
        register_all_modules(init_default_scope=False)
        check_config_keys(cfg)
    return cfg
