"""Unknown config keys and types: one clear message naming the key path.

mmengine builds a component with ``cls(**cfg)``; a misspelt keyword gives a
``TypeError`` from deep inside the build, and an unknown ``type`` a
``KeyError`` that names neither the config key nor the scope. Here:

* :func:`check_config_keys` walks ``model`` and the datasets of a config
  before anything is built and reports every keyword a constructor does not
  accept and every unknown top-level type, with its key path;
* :func:`build_with_context` wraps ``registry.build`` and turns those two
  errors into one message naming the key path, e.g.
  ``model.detector.neck: VideoDeepLabV3Plus got an unexpected keyword
  'in_chanels'`` or ``model: unknown type 'Foo' in registry 'model' (scope
  aten_mm)``.
"""
import inspect
import re
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


class ConfigKeyError(ValueError):
    """A config key or type that the component cannot take."""


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
                problems: List[str]) -> None:
    """Check one config node and recurse into its children."""
    if isinstance(node, dict) and 'type' in node:
        top = registry is not None
        candidates = ([registry] if top else
                      [_REGISTRY_BY_KEY[key]] if key in _REGISTRY_BY_KEY
                      else []) + _NESTED_REGISTRIES
        obj = None
        for reg in candidates:
            obj = _resolve(reg, node)
            if obj is not None:
                break
        if obj is None and top:
            problems.append(
                f"{path}: unknown type '{_type_name(node['type'])}' in "
                f"registry '{registry.name}' (scope {_scope_name()})")
        elif obj is not None:
            accepted = _accepted(obj)
            if accepted is not None:
                for name in node:
                    if name not in accepted and name not in _HANDLED_KEYS:
                        problems.append(
                            f'{path}: {_type_name(node["type"])} got an '
                            f"unexpected keyword '{name}' (accepted: "
                            f'{", ".join(sorted(accepted)) or "none"})')
        with DefaultScope.overwrite_default_scope(node.get('_scope_')):
            for child_key, child_path, value in _children(node, path):
                _check_node(value, child_path, child_key, None, problems)
        return
    for child_key, child_path, value in _children(node, path):
        _check_node(value, child_path, child_key or key, None, problems)


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
    problems: List[str] = []
    _check_node(node, where, where.rsplit('.', 1)[-1], registry, problems)
    return problems


def check_config_keys(cfg: Config) -> None:
    """Check ``model``, the datasets and evaluators of a config up front.

    Called by ``tools/train.py`` and ``tools/test.py`` after the config is
    loaded, before the Runner builds anything (datasets are built lazily,
    so a typo there would otherwise surface only after the model is built).

    Args:
        cfg (Config | dict): The full config.

    Raises:
        ConfigKeyError: listing every problem with its key path.
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
        raise ConfigKeyError(f'{head} has keys or types that no component '
                             'accepts:\n  ' + '\n  '.join(problems))


def _paths_with_type(node: Any, path: str,
                     type_name: Optional[str]) -> List[str]:
    """Key paths of the dicts whose ``type`` is (or ends with) type_name.

    ``type_name=None`` returns the paths of every dict with a ``type``.
    """
    found = []
    if isinstance(node, dict) and 'type' in node:
        name = _type_name(node['type'])
        if type_name is None or name == type_name or \
                name.split('.')[-1] == type_name:
            found.append(path)
    for _, child_path, value in _children(node, path):
        found += _paths_with_type(value, child_path, type_name)
    return found


def build_with_context(registry: Registry, cfg: dict, where: str = 'model',
                       default_args: Optional[dict] = None) -> Any:
    """``registry.build(cfg)`` with config errors that name the key path.

    Args:
        registry (Registry): e.g. ``MODELS`` or ``DATASETS``.
        cfg (dict): The component's config.
        where (str): Its key path in the full config (``'model'``,
            ``'train_dataloader.dataset'`` ...).
        default_args (dict, optional): Passed to the build.

    Returns:
        The built object.

    Raises:
        ConfigKeyError: for an unknown type or keyword, naming the key path,
            the type, the keyword and the registry/scope; the original error
            is chained. Other errors propagate unchanged.
    """
    try:
        return registry.build(cfg, default_args=default_args)
    except (KeyError, TypeError) as error:
        text = error.args[0] if error.args else str(error)
        text = str(text)
        missing = re.match(r'(\S+) is not in the (.+?) registry', text)
        keyword = re.search(
            r"(\w+)\.__init__\(\) got an unexpected keyword argument "
            r"'(\w+)'", text)
        if missing:
            type_name = missing.group(1)
            paths = _paths_with_type(cfg, where, type_name) or [where]
            raise ConfigKeyError(
                f"{', '.join(paths)}: unknown type '{type_name}' in registry "
                f"'{missing.group(2).split('::')[-1]}' (scope "
                f'{_scope_name()}). Check the spelling, the scope prefix '
                "(e.g. 'mmseg.') or that its module is imported.") from error
        if keyword:
            cls_name, name = keyword.groups()
            typed = _paths_with_type(cfg, where, None)
            with_key = [p for p in typed if name in _node_at(cfg, where, p)]
            exact = [p for p in with_key
                     if _type_name(_node_at(cfg, where, p)['type']).split(
                         '.')[-1] == cls_name]
            paths = exact or with_key or [where]
            parts = []
            for path in paths:
                node = _node_at(cfg, where, path)
                shown = _type_name(node.get('type', cls_name)) if isinstance(
                    node, dict) else cls_name
                raised = '' if shown.split('.')[-1] == cls_name else \
                    f' (raised by {cls_name}.__init__)'
                parts.append(f"{path}: {shown} got an unexpected keyword "
                             f"'{name}'{raised}")
            raise ConfigKeyError('\n'.join(parts)) from error
        problems = find_config_problems(cfg, registry, where)
        if problems:
            raise ConfigKeyError('\n'.join(problems)) from error
        raise


def _node_at(cfg: Any, root: str, path: str) -> Any:
    """The node of ``cfg`` at ``path`` (a path produced by _children)."""
    node = cfg
    for part in re.findall(r'\.([^.\[]+)|\[(\d+)\]', path[len(root):]):
        key, index = part
        node = node[int(index)] if index else node[key]
    return node


__all__ = ['ConfigKeyError', 'check_config_keys', 'build_with_context',
           'find_config_problems']
