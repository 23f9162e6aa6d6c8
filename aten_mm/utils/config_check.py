"""The config checker: one error type naming the key path.

mmengine builds a component with ``cls(**cfg)``; a misspelt keyword gives a
``TypeError`` from deep inside the build, and an unknown ``type`` a
``KeyError`` that names neither the config key nor the scope; and
:meth:`Config.merge_from_dict` silently creates any ``--cfg-options`` key it
is given. Here, every problem is a :class:`ConfigError` naming the key:

* :func:`check_cfg_options` checks each ``--cfg-options`` key against the
  config (it must exist, or be a keyword the constructor dict's class
  accepts) and its value against the value it replaces (a number stays a
  number);
* :func:`check_config_keys` walks ``model``, the datasets and evaluators of
  a config before anything is built and reports every keyword a
  constructor does not accept and every unknown top-level type, with its
  key path;
* :func:`build_with_context` wraps ``registry.build``: when the build fails
  with a ``KeyError``/``TypeError``, the config itself is examined (the
  keywords each class accepts, the types no registry knows) and the
  problems are reported by key path, e.g. ``model.detector.neck:
  VideoDeepLabV3Plus got an unexpected keyword 'in_chanels'`` or
  ``model.backbone: unknown type 'Foo' in registry 'model' (scope
  aten_mm)``.
"""
import inspect
from typing import Any, Iterator, List, Optional, Tuple

from mmengine.config import Config
from mmengine.registry import DefaultScope, Registry

from aten_mm.registry import (
    DATA_SAMPLERS,
    DATASETS,
    METRICS,
    MODELS,
    TASK_UTILS,
    TRANSFORMS,
    WEIGHT_INITIALIZERS,
)

from .user_error import UserError

# Keys popped by mmcv/mmengine helpers before the constructor is called
# (build_norm_layer: requires_grad; initialize(): override).
_HANDLED_KEYS = {'type', '_scope_', 'requires_grad', 'override'}
# Registries tried for a nested ``dict(type=...)``, by key name first.
_NESTED_REGISTRIES = [MODELS, TASK_UTILS, TRANSFORMS, WEIGHT_INITIALIZERS,
                      DATASETS, DATA_SAMPLERS, METRICS]
_REGISTRY_BY_KEY = {
    'init_cfg': WEIGHT_INITIALIZERS,
    'pipeline': TRANSFORMS,
    'transforms': TRANSFORMS,
    'dataset': DATASETS,
    'datasets': DATASETS,
}


class ConfigError(UserError, ValueError):
    """A config, config key or override that cannot be used."""


#: Former name of :class:`ConfigError` (one error type for every config
#: problem).
ConfigKeyError = ConfigError

_MISSING = object()


def _scope_name() -> str:
    current = DefaultScope.get_current_instance()
    return current.scope_name if current is not None else 'none'


def _resolve(registry: Registry, node: dict) -> Optional[Any]:
    """The class/function ``node['type']`` names in ``registry``, or None."""
    obj_type = node.get('type')
    if not isinstance(obj_type, str):
        return obj_type if callable(obj_type) else None
    with registry.switch_scope_and_registry(node.get('_scope_')) as reg:
        try:
            return reg.get(obj_type)
        except Exception:  # a malformed scope prefix
            return None


def _named_params(func: Any) -> Tuple[Optional[set], bool]:
    """``(keyword names, takes **kwargs)`` of a callable; (None, True) if
    its signature cannot be read."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None, True
    names, var_kw = set(), False
    for param in sig.parameters.values():
        if param.kind is param.VAR_KEYWORD:
            var_kw = True
        elif param.kind in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY):
            names.add(param.name)
    return names, var_kw


def _accepted(obj: Any) -> Optional[set]:
    """The keyword names ``obj(**kw)`` accepts; None if unknown.

    A class whose ``__init__`` takes ``**kwargs`` is assumed to pass them to
    its base class (the OpenMMLab pattern), so the names are collected
    along the MRO until an ``__init__`` without ``**kwargs``; if every
    ``__init__`` takes ``**kwargs`` the answer is unknown (None).
    """
    if not inspect.isclass(obj):
        names, var_kw = _named_params(obj)
        return None if var_kw else names
    accepted = set()
    for klass in obj.__mro__:
        if klass is object:
            return None
        if '__init__' not in vars(klass):
            continue
        names, var_kw = _named_params(klass.__init__)
        if names is None:
            return None
        accepted |= names - {'self'}
        if not var_kw:
            return accepted
    return None


def _type_name(obj_type: Any) -> str:
    return obj_type if isinstance(obj_type, str) else getattr(
        obj_type, '__name__', repr(obj_type))


def _children(node: Any, path: str) -> Iterator[Tuple[str, str, Any]]:
    """Yield ``(key, path, value)`` of the dict/list items of ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key), f'{path}.{key}', value
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield '', f'{path}[{i}]', value


def _check_node(node: Any, path: str, key: str, registry: Optional[Registry],
                problems: List[Tuple[str, str]],
                unknown: List[Tuple[str, str, str]]) -> None:
    """Check one config node and recurse into its children.

    Appends ``(message, hint)`` to ``problems`` and, for a nested ``type``
    that no registry knows (not necessarily an error: ``nms=dict(
    type='nms')`` is no registry type), ``(path, type, registry name)`` to
    ``unknown``.
    """
    if isinstance(node, dict) and 'type' in node:
        top = registry is not None
        own = registry or _REGISTRY_BY_KEY.get(key)
        candidates = ([own] if own is not None else []) + _NESTED_REGISTRIES
        obj = None
        for reg in candidates:
            obj = _resolve(reg, node)
            if obj is not None:
                break
        type_name = _type_name(node['type'])
        if obj is None and top:
            problems.append((
                f"{path}: unknown type '{type_name}' in registry "
                f"'{registry.name}' (scope {_scope_name()})", ''))
        elif obj is None:
            unknown.append((path, type_name, (own or MODELS).name))
        else:
            accepted = _accepted(obj)
            if accepted is not None:
                for name in node:
                    if name not in accepted and name not in _HANDLED_KEYS:
                        problems.append((
                            f'{path}: {type_name} got an unexpected '
                            f"keyword '{name}'",
                            'accepted: '
                            f'{", ".join(sorted(accepted)) or "none"}'))
        with DefaultScope.overwrite_default_scope(node.get('_scope_')):
            for child_key, child_path, value in _children(node, path):
                _check_node(value, child_path, child_key, None, problems,
                            unknown)
        return
    for child_key, child_path, value in _children(node, path):
        _check_node(value, child_path, child_key or key, None, problems,
                    unknown)


def _find(node: Any, registry: Registry, where: str
          ) -> Tuple[List[Tuple[str, str]], List[Tuple[str, str, str]]]:
    problems: List[Tuple[str, str]] = []
    unknown: List[Tuple[str, str, str]] = []
    _check_node(node, where, where.rsplit('.', 1)[-1], registry, problems,
                unknown)
    return problems, unknown


def find_config_problems(node: Any, registry: Registry,
                         where: str = 'model') -> List[str]:
    """List the unknown keywords/types of one component config.

    Args:
        node (dict): The component's config (with ``type``).
        registry (Registry): The registry that builds it (e.g. MODELS).
        where (str): Its key path in the config, used in the messages.

    Returns:
        list[str]: One message per problem (empty when none was found).
        Nested sub-configs are checked when their type is found in one of
        our registries; nested types found nowhere are left to the build
        (some, like ``nms=dict(type='nms')``, are not registry types).
    """
    problems, _ = _find(node, registry, where)
    return [f'{msg} ({hint})' if hint else msg for msg, hint in problems]


def _describe(keys) -> str:
    keys = sorted(str(k) for k in keys)
    shown = ', '.join(keys[:20])
    return shown + (', ...' if len(keys) > 20 else '')


def _runner_keys() -> set:
    """The top-level keys something reads after the file is loaded: the
    Runner's arguments (``Runner.from_cfg``) and a few more keys mmengine
    and the tools look up. Every other top-level key is a variable of the
    config file."""
    from mmengine.runner import Runner
    names, _ = _named_params(Runner.__init__)
    return (names or set()) | {
        'runner_type', 'model_wrapper_cfg', 'find_unused_parameters',
        'compile', 'strategy', 'tta_model', 'tta_pipeline',
        'custom_imports'}


def _check_new_kwarg(key: str, node: dict, arg: str, filename: str) -> None:
    """Refuse a new keyword that the class of ``node`` does not take."""
    from aten_mm import registry as all_registries
    obj = None
    for reg in vars(all_registries).values():
        if isinstance(reg, Registry):
            obj = _resolve(reg, node)
            if obj is not None:
                break
    accepted = _accepted(obj) if obj is not None else None
    if accepted is None or arg in accepted:
        return  # unknown here (e.g. built later by a parent): let it pass
    raise ConfigError(
        f'--cfg-options key "{key}": {_type_name(obj)} '
        f'(type="{_type_name(node["type"])}" in config {filename}) takes '
        f'no argument "{arg}". Its arguments: {_describe(accepted)}.')


def _check_value(key: str, old: Any, new: Any, filename: str) -> None:
    """A number or bool of the config must stay one (``abc`` for an int is
    a typo, not a value)."""
    if isinstance(old, bool) or not isinstance(old, (int, float)):
        return
    if isinstance(new, (int, float)) and not isinstance(new, bool):
        return
    raise ConfigError(
        f'--cfg-options key "{key}": expected a number (config {filename} '
        f'has {old!r}), got {new!r}.')


def _paths_named(node: Any, name: str, path: str = '') -> List[str]:
    found = []
    for key, child_path, value in _children(node, path):
        if key == name:
            found.append(child_path.lstrip('.'))
        found += _paths_named(value, name, child_path)
    return found


#: The keys of Runner arguments whose contents mmengine fixes
#: (``Runner.set_randomness``).
RUNNER_SUBKEYS = {'randomness': ('seed', 'deterministic', 'diff_rank_seed')}


def check_cfg_options(cfg: Config, options: dict, filename: str = '') -> None:
    """Check that every ``--cfg-options`` key names something in ``cfg``.

    mmengine's :meth:`Config.merge_from_dict` silently creates any key it is
    given, so ``train_cfg.max_iter=10`` (missing ``s``) would train with the
    default. Here every part of a dotted key but the last must exist; the
    last must exist too unless its parent is a constructor dict (it has a
    ``type``), where adding a keyword argument is legitimate
    (``model.init_cfg=None``) if the registered class accepts it. A
    top-level key the Runner reads (``randomness``, ``load_from`` ...) may
    be added. A top-level variable of the config file that is used under
    the same name deeper in the config (``key_interval = 3`` ...
    ``model=dict(key_interval=key_interval)``) is refused, naming those
    keys: it was substituted where it is used when the file was read, so
    overriding it would change nothing. A number must stay a number.

    Args:
        cfg (Config): The loaded config.
        options (dict): ``{'a.b.c': value}`` as parsed by ``DictAction``.
        filename (str): The config's path, for the message.

    Raises:
        ConfigError: naming the key, the missing part and the keys that do
            exist at that level.
    """
    runner_keys = _runner_keys()
    for key, value in options.items():
        node = cfg._cfg_dict if isinstance(cfg, Config) else cfg
        parts = key.split('.')
        users = [p + key[len(parts[0]):]
                 for p in _paths_named(node, parts[0])
                 if p != parts[0] and p.split('.')[0] in runner_keys]
        if parts[0] not in runner_keys and parts[0] in node and users:
            raise ConfigError(
                f'--cfg-options key "{key}": "{parts[0]}" is a variable of '
                f'config {filename}; it was already substituted where the '
                'file uses it, so overriding it would change nothing. '
                f'Override the keys that use it instead: {_describe(users)}.')
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
                if last:
                    _check_value(key, node, value, filename)
                continue
            if depth == 0 and part in runner_keys:
                # a Runner argument the config leaves at its default; the
                # keys of mmengine's ``randomness`` are known, check them
                allowed = RUNNER_SUBKEYS.get(part)
                if allowed and len(parts) > 1 and parts[1] not in allowed:
                    raise ConfigError(
                        f'--cfg-options key "{key}": "{parts[1]}" is not a '
                        f'key of {part}; expected one of '
                        f'{_describe(allowed)}.')
                break
            if last and depth == 1 and part in RUNNER_SUBKEYS.get(
                    parts[0], ()):
                break  # e.g. randomness.deterministic next to a seed
            if last and depth > 0 and 'type' in node:
                _check_new_kwarg(key, node, part, filename)
                break  # a new keyword argument of a constructor dict
            raise ConfigError(
                f'--cfg-options key "{key}": "{part}" does not exist under '
                f'{where} of config {filename}. Existing keys there: '
                f'{_describe(node.keys())}.')


def _value_at(cfg: Any, key: str) -> Any:
    """The value at dotted ``key`` of ``cfg`` (list indices allowed), or
    ``_MISSING``."""
    node = cfg._cfg_dict if isinstance(cfg, Config) else cfg
    for part in key.split('.'):
        if isinstance(node, (list, tuple)) and part.isdigit() and \
                int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return _MISSING
    return node


def check_overrides_took_effect(cfg: Config, options: dict,
                                filename: str = '') -> None:
    """Refuse an override that loading the config replaced again.

    :func:`aten_mm.apis.load_config` derives the ``clip_cfg`` of every
    non-stream video dataset from the model's frame plan (the model owns l
    and p), so ``train_dataloader.dataset.clip_cfg.num_refs=1`` alone would
    be silently undone; every override must hold its value in the loaded
    config (dict values, which are merged, are not compared).

    Args:
        cfg (Config): The loaded config, after every derivation.
        options (dict): The ``--cfg-options`` as parsed by ``DictAction``.
        filename (str): The config's path, for the message.

    Raises:
        ConfigError: naming the key, the value given and the value kept.
    """
    for key, value in options.items():
        final = _value_at(cfg, key)
        if final is _MISSING or isinstance(value, dict):
            continue
        if isinstance(final, (list, tuple)) and isinstance(value,
                                                           (list, tuple)):
            same = list(final) == list(value)
        else:
            same = final == value
        if same:
            continue
        why = (' The datasets take l and p from the model: override the '
               'model (e.g. model.key_interval, model.num_refs) instead.'
               if 'clip_cfg' in key else '')
        raise ConfigError(
            f'--cfg-options key "{key}" has no effect: config {filename} '
            f'has {final!r} there after loading, not {value!r}.{why}')


def check_config_keys(cfg: Config) -> None:
    """Check ``model``, the datasets and evaluators of a config up front.

    Called by ``tools/train.py`` and ``tools/test.py`` after the config is
    loaded, before the Runner builds anything (datasets are built lazily,
    so a typo there would otherwise surface only after the model is built).

    Args:
        cfg (Config | dict): The full config.

    Raises:
        ConfigError: listing every problem with its key path.
    """
    problems: List[str] = []
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        if cfg.get('model') is not None:
            problems += find_config_problems(cfg['model'], MODELS, 'model')
        for split in ('train', 'val', 'test'):
            loader = cfg.get(f'{split}_dataloader')
            if isinstance(loader, dict) and isinstance(
                    loader.get('dataset'), dict):
                problems += find_config_problems(
                    loader['dataset'], DATASETS,
                    f'{split}_dataloader.dataset')
            evaluator = cfg.get(f'{split}_evaluator')
            metrics = (evaluator if isinstance(evaluator, (list, tuple))
                       else [evaluator])
            for i, metric in enumerate(metrics):
                if isinstance(metric, dict) and 'type' in metric:
                    suffix = f'[{i}]' if len(metrics) > 1 else ''
                    problems += find_config_problems(
                        metric, METRICS, f'{split}_evaluator{suffix}')
    if problems:
        name = getattr(cfg, 'filename', None)
        head = f'Config {name!r}' if name else 'The config'
        raise ConfigError(f'{head} has keys or types that no component '
                          'accepts:\n  ' + '\n  '.join(problems))


def build_with_context(registry: Registry, cfg: dict, where: str = 'model',
                       default_args: Optional[dict] = None) -> Any:
    """``registry.build(cfg)`` with config errors that name the key path.

    When the build raises ``KeyError`` or ``TypeError``, the config is
    examined: every keyword a class does not accept and, for a
    ``KeyError``, every nested type that no registry knows (and that the
    error mentions), is reported with its key path. An error with no
    such cause in the config (a bug) propagates unchanged.

    Args:
        registry (Registry): e.g. ``MODELS`` or ``DATASETS``.
        cfg (dict): The component's config.
        where (str): Its key path in the full config (``'model'``,
            ``'train_dataloader.dataset'`` ...).
        default_args (dict, optional): Passed to the build.

    Returns:
        The built object.

    Raises:
        ConfigError: for an unknown type or keyword, naming the key path,
            the type, the keyword and the registry/scope; the original error
            is chained.
    """
    try:
        return registry.build(cfg, default_args=default_args)
    except (KeyError, TypeError) as error:
        problems, unknown = _find(cfg, registry, where)
        found = [msg for msg, _ in problems]
        if isinstance(error, KeyError):
            text = str(error.args[0] if error.args else error)
            found += [
                f"{path}: unknown type '{name}' in registry '{reg}' (scope "
                f"{_scope_name()}). Check the spelling, the scope prefix "
                "(e.g. 'mmseg.') or that its module is imported."
                for path, name, reg in unknown if name in text]
        if found:
            raise ConfigError('\n'.join(found)) from error
        raise


__all__ = ['ConfigError', 'ConfigKeyError', 'check_cfg_options',
           'check_config_keys', 'check_overrides_took_effect',
           'build_with_context',
           'find_config_problems']
