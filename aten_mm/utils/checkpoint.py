"""Safe checkpoint loading: torch's ``weights_only`` mode plus an allow-list.

torch >= 2.6 unpickles checkpoints with ``weights_only=True``: only tensors,
containers, numbers, strings and explicitly allow-listed globals may appear
in the pickle, so a checkpoint cannot run code while it is read. A
checkpoint written by mmengine's Runner (ours included) holds a few more
objects, all in the message hub's log history; :func:`install_safe_globals`
allow-lists exactly those (found by writing a checkpoint with a tiny Runner
and listing its globals with
``torch.serialization.get_unsafe_globals_in_checkpoint``):

* ``mmengine.logging.history_buffer.HistoryBuffer``;
* numpy arrays and scalars inside it: ``numpy.core.multiarray._reconstruct``,
  ``numpy.ndarray``, ``numpy.dtype`` (and the numeric ``numpy.dtypes.*DType``
  classes its instances have), ``numpy.core.multiarray.scalar``;
* ``builtins.getattr``, which ``HistoryBuffer.__getstate__`` uses to pickle
  its statistics methods (``HistoryBuffer.min`` ...). It is NOT allowed as
  such: the name is mapped to :func:`_history_buffer_method`, which only
  returns those four methods and refuses every other attribute lookup.

Anything else (e.g. a ``__reduce__`` that calls ``os.system``) is refused
before it runs, with :class:`UnsafeCheckpointError`. Nothing here switches
the safety off: :func:`safe_torch_load` calls ``torch.load`` itself with
``weights_only=True`` passed explicitly, so the environment variable that
makes torch load unsafely by default has no effect on it (mmengine's loader
is not used: it calls ``torch.load`` without ``weights_only``).
"""
import io
import logging
import os
import os.path as osp
import pickle
import re
from typing import Callable, Optional, Union
from urllib.parse import urlparse

import numpy as np
import torch
from mmengine import fileio
from mmengine.dist import get_dist_info
from mmengine.logging import HistoryBuffer, print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import load_state_dict
from mmengine.runner.checkpoint import CheckpointLoader

from .user_error import UserError

# The statistics methods HistoryBuffer pickles by reference.
_HISTORY_BUFFER_METHODS = ('min', 'max', 'current', 'mean')
# Scalar types the message hub can hold (ints and floats of any width).
_NUMERIC_DTYPES = ('bool', 'int8', 'int16', 'int32', 'int64', 'uint8',
                   'uint16', 'uint32', 'uint64', 'float16', 'float32',
                   'float64')
_installed = False


class UnsafeCheckpointError(UserError, RuntimeError):
    """A checkpoint holding Python objects outside the allow-list."""


def _history_buffer_method(obj, name: str):
    """Stand-in for ``builtins.getattr`` while unpickling a checkpoint.

    Args:
        obj: Must be the :class:`HistoryBuffer` class.
        name (str): One of ``min``, ``max``, ``current``, ``mean``.

    Returns:
        function: ``getattr(HistoryBuffer, name)``.

    Raises:
        pickle.UnpicklingError: for any other lookup.
    """
    if obj is HistoryBuffer and name in _HISTORY_BUFFER_METHODS:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'Unsupported global: GLOBAL builtins.getattr used on {obj!r} '
        f'with {name!r} (only HistoryBuffer statistics methods are allowed)')


def _numpy_globals() -> list:
    """The numpy globals of a checkpoint (numpy 1.x and 2.x module names)."""
    reconstruct = type(np.zeros(1)).__reduce__(np.zeros(1))[0]
    scalar = np.float64(0).__reduce__()[0]
    entries = [np.ndarray, np.dtype]
    # numpy 2 moved numpy.core to numpy._core; accept both spellings so a
    # checkpoint written under either numpy loads.
    for core in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        entries.append((reconstruct, f'{core}._reconstruct'))
        entries.append((scalar, f'{core}.scalar'))
    # numpy >= 1.25: each dtype instance has its own class, which torch's
    # unpickler checks when it sets the instance's state.
    for name in _NUMERIC_DTYPES:
        cls = type(np.dtype(name))
        if cls is not np.dtype:
            entries.append(cls)
    return entries


def safe_globals() -> list:
    """Return the allow-list entries (for ``add_safe_globals``).

    Returns:
        list: classes/functions, or ``(object, 'module.name')`` pairs.
    """
    return [HistoryBuffer, (_history_buffer_method, 'builtins.getattr')
            ] + _numpy_globals()


def install_safe_globals() -> None:
    """Allow-list the types of our checkpoints in ``torch.load`` and route
    mmengine's checkpoint loaders through :func:`safe_torch_load` (once).

    Called when :mod:`aten_mm.utils` is imported. mmengine's
    ``CheckpointLoader`` reads local files, ``http(s)://`` and
    ``torchvision://`` (``modelzoo://``) with ``torch.load`` without
    ``weights_only``; those schemes are re-registered (through its public
    ``register_scheme``) with loaders that read the file with
    :func:`safe_torch_load`, so ``init_cfg=dict(type='Pretrained', ...)``
    and ``mmengine.runner.load_checkpoint`` cannot run code either (same
    download cache as mmengine's).
    """
    global _installed
    if not _installed:
        torch.serialization.add_safe_globals(safe_globals())
        CheckpointLoader.register_scheme('', _mmengine_local, force=True)
        CheckpointLoader.register_scheme(('http://', 'https://'),
                                         _mmengine_http, force=True)
        CheckpointLoader.register_scheme(('modelzoo://', 'torchvision://'),
                                         _mmengine_torchvision, force=True)
        _installed = True


def _mmengine_local(filename: str, map_location=None) -> dict:
    """mmengine's local-file scheme, read by :func:`safe_torch_load`."""
    return safe_torch_load(filename, map_location=map_location)


def _download(url: str, model_dir: Optional[str], progress: bool) -> str:
    """The cached copy of ``url`` (mmengine's cache folder,
    ``$TORCH_HOME/checkpoints``), downloaded when absent."""
    if model_dir is None:
        model_dir = osp.join(osp.dirname(torch.hub.get_dir()),
                             'checkpoints')
    os.makedirs(model_dir, exist_ok=True)
    cached = osp.join(model_dir, osp.basename(urlparse(url).path))
    if not osp.exists(cached):
        torch.hub.download_url_to_file(url, cached, None, progress=progress)
    return cached


def _mmengine_http(filename: str, map_location=None,
                   model_dir: Optional[str] = None,
                   progress: bool = False) -> dict:
    """mmengine's ``http(s)://`` scheme: download (rank 0 first, as
    mmengine does), then read with :func:`safe_torch_load`."""
    rank, world_size = get_dist_info()
    if rank == 0:
        path = _download(filename, model_dir, progress)
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            path = _download(filename, model_dir, progress)
    return safe_torch_load(path, map_location=map_location)


def _mmengine_torchvision(filename: str, map_location=None) -> dict:
    """mmengine's ``torchvision://NAME`` scheme through
    :func:`_mmengine_http`."""
    from mmengine.runner.checkpoint import get_torchvision_models
    name = filename.split('://', 1)[1]
    return _mmengine_http(get_torchvision_models()[name],
                          map_location=map_location)


def _is_local(filename: str) -> bool:
    return '://' not in filename


def _is_refusal(error: Exception) -> bool:
    """Whether ``torch.load`` refused a global (not a malformed file)."""
    return bool(re.search(r'GLOBAL [\w.]+|[Uu]nsupported global|'
                          r'unrecognized function', str(error)))


def _refusal(filename: str, error: Exception) -> UnsafeCheckpointError:
    """Build the message for a checkpoint that ``weights_only`` refused."""
    offending = []
    if _is_local(filename):
        try:
            offending = torch.serialization.get_unsafe_globals_in_checkpoint(
                filename)
        except Exception:  # not a zip checkpoint: fall back to the message
            offending = []
    if not offending:
        offending = re.findall(r'GLOBAL ([\w.]+)', str(error))
    if not offending:
        found = re.search(r'unrecognized function (.+?)(?: which|$)',
                          str(error))
        offending = [found.group(1)] if found else ['<unknown>']
    return UnsafeCheckpointError(
        f'Refused to load checkpoint {filename!r} for safety: it contains '
        f'Python objects outside the allow-list of aten_mm checkpoints '
        f'({", ".join(sorted(set(offending)))}). Nothing in it was executed '
        f'(torch.load ran with weights_only=True). A checkpoint written by '
        f'mmengine/aten_mm never needs these; only if you wrote the file '
        f'yourself and trust it, convert it to a plain state_dict. '
        f'(torch: {str(error).splitlines()[-1][:300]})')


def _source(filename: str) -> Union[str, io.BytesIO]:
    """What ``torch.load`` reads: a local path, or the bytes of a remote
    file (``http(s)://``, ``s3://`` ... through mmengine's file backends).
    """
    if _is_local(filename):
        path = osp.expanduser(filename)
        if osp.isdir(path):
            raise ValueError(f'Checkpoint {filename!r} is a directory; '
                             'expected a .pth file.')
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'Checkpoint file not found: {filename!r}')
        if osp.getsize(path) == 0:
            raise ValueError(
                f'Checkpoint {filename!r} is empty (0 bytes); it was '
                'probably interrupted while being written.')
        return path
    try:
        return io.BytesIO(fileio.get(filename))
    except Exception as e:  # unknown prefix, network error ...
        raise ValueError(
            f'Cannot read checkpoint {filename!r}: {type(e).__name__}: {e}. '
            'The safe loader reads local files and what mmengine\'s file '
            'backends read (http(s)://, s3:// ...); download the file and '
            'pass its local path.') from None


def safe_torch_load(filename: str,
                    map_location: Union[str, Callable, None] = 'cpu'
                    ) -> dict:
    """Load a checkpoint with ``torch.load(..., weights_only=True)``.

    ``weights_only=True`` is passed explicitly, so it holds whatever the
    environment says (torch's environment switch only changes the
    *default* of ``weights_only``); the allow-list is :func:`safe_globals`.
    mmengine's own loader is not used: it calls ``torch.load`` without
    ``weights_only``.

    Args:
        filename (str): A local path, or a URL mmengine's file backends
            read (``http(s)://``, ``s3://`` ...).
        map_location (str | callable | None): As in :func:`torch.load`.
            Defaults to ``'cpu'``.

    Returns:
        dict: The checkpoint (``state_dict``, ``meta`` ... for ours).

    Raises:
        FileNotFoundError: the local file does not exist.
        ValueError: the file is a folder, empty, truncated, not a
            checkpoint, or does not hold a dict.
        UnsafeCheckpointError: it holds objects outside the allow-list.
    """
    install_safe_globals()
    filename = str(filename)
    source = _source(filename)
    try:
        checkpoint = torch.load(source, map_location=map_location,
                                weights_only=True)
    except Exception as e:  # torch raises many types for a bad file
        if isinstance(e, pickle.UnpicklingError) and _is_refusal(e):
            raise _refusal(filename, e) from None
        lines = str(e).strip().splitlines()
        detail = (f'torch.load failed with {type(e).__name__}: '
                  f'{lines[-1][:200] if lines else ""}')
        raise ValueError(
            f'Checkpoint {filename!r} is truncated or not a PyTorch '
            f'checkpoint ({detail}).') from None
    if not isinstance(checkpoint, dict):
        raise ValueError(
            f'Checkpoint {filename!r} holds a {type(checkpoint).__name__}; '
            'expected a dict (a state_dict, or a checkpoint with '
            '"state_dict").')
    return checkpoint


def check_resumable(checkpoint: dict, filename: str) -> None:
    """Refuse to resume from a checkpoint that holds only weights.

    mmengine's ``Runner.resume`` reads ``meta['epoch']``, ``meta['iter']``
    and ``message_hub``; a plain state dict would fail there with a bare
    ``KeyError``.

    Args:
        checkpoint (dict): As returned by :func:`safe_torch_load`.
        filename (str): Its path, for the message.

    Raises:
        ValueError: naming the file and what is missing.
    """
    meta = checkpoint.get('meta')
    missing = [f'meta.{k}' for k in ('epoch', 'iter')
               if not isinstance(meta, dict) or k not in meta]
    missing += [k for k in ('state_dict', 'message_hub')
                if k not in checkpoint]
    if missing:
        raise ValueError(
            f'Cannot resume from {filename!r}: it is not a training '
            f'checkpoint written by the Runner (no {", ".join(missing)}). '
            'To start a new training from its weights, use '
            f'--cfg-options load_from={filename} instead of --resume.')


def _tensor_kind(value) -> str:
    return 'float' if value.is_floating_point() else str(value.dtype)


def state_dict_report(model: torch.nn.Module, state_dict: dict) -> dict:
    """Compare a state dict with a model's parameters and buffers.

    Args:
        model (nn.Module): The model (wrappers are unwrapped).
        state_dict (dict): ``{name: tensor}`` with keys already revised.

    Returns:
        dict: ``missing_keys`` (in the model, not in the checkpoint),
        ``unexpected_keys`` (the opposite), ``mismatched_shapes``
        (``[(key, ckpt_shape, model_shape)]``), ``mismatched_dtypes``
        (``[(key, ckpt_type, model_dtype)]``: not a tensor, or another kind
        of number -- any float precision loads into a float) and
        ``loadable`` (the keys that load), each sorted.
    """
    if is_model_wrapper(model):
        model = model.module
    own = model.state_dict()
    missing = sorted(k for k in own if k not in state_dict)
    unexpected = sorted(k for k in state_dict if k not in own)
    shapes, dtypes, loadable = [], [], []
    for k in sorted(own):
        if k not in state_dict:
            continue
        value = state_dict[k]
        if not isinstance(value, torch.Tensor):
            dtypes.append((k, type(value).__name__, str(own[k].dtype)))
        elif _tensor_kind(value) != _tensor_kind(own[k]):
            dtypes.append((k, str(value.dtype), str(own[k].dtype)))
        elif tuple(value.shape) != tuple(own[k].shape):
            shapes.append((k, tuple(value.shape), tuple(own[k].shape)))
        else:
            loadable.append(k)
    return dict(missing_keys=missing, unexpected_keys=unexpected,
                mismatched_shapes=shapes, mismatched_dtypes=dtypes,
                loadable=loadable)


def _listing(keys, limit: int = 20) -> str:
    keys = [str(k) for k in keys]
    more = f' ... (+{len(keys) - limit} more)' if len(keys) > limit else ''
    return ', '.join(keys[:limit]) + more


def _submodule_hint(model: torch.nn.Module, state_dict: dict) -> str:
    """A hint when the keys are those of one sub-module of ``model`` (a
    per-frame parser's checkpoint for a video model's ``detector``)."""
    if is_model_wrapper(model):
        model = model.module
    own = model.state_dict()
    for child, _ in model.named_children():
        if any(f'{child}.{k}' in own for k in state_dict):
            return (f' Its keys are those of the sub-module "{child}" '
                    f'alone (e.g. a per-frame parser\'s checkpoint for a '
                    'video model): it initialises a training of this model '
                    f'through model.{child}.init_cfg=dict(type='
                    "'Pretrained', checkpoint=...), not its testing.")
    return ''


def load_checkpoint_to_model(model: torch.nn.Module,
                             checkpoint: dict,
                             filename: str = '<checkpoint>',
                             strict: bool = False,
                             logger: Optional[logging.Logger] = None,
                             revise_keys: list = [(r'^module\.', '')],
                             allow_nonfinite: bool = False) -> dict:
    """Load a loaded checkpoint's weights into ``model`` and report keys.

    Only the entries that match the model in name, shape and kind of
    number are loaded (through mmengine's public
    :func:`mmengine.runner.load_state_dict`); the others are listed in one
    warning naming the file. Two cases are refused outright, since
    evaluating such a model only produces meaningless numbers: a
    checkpoint of which no entry matches the model, and non-finite
    (NaN/inf) values in the weights that would be loaded.

    Args:
        model (nn.Module): The model.
        checkpoint (dict): As returned by :func:`safe_torch_load`.
        filename (str): Its path, for messages.
        strict (bool): Raise if any key is missing, unexpected or has
            another shape or dtype. Defaults to False (load what matches,
            warn).
        logger (logging.Logger | str | None): Where to warn ('current'
            when None).
        revise_keys (list): ``(pattern, replacement)`` regexes applied to
            the checkpoint's keys. Defaults to stripping ``module.``.
        allow_nonfinite (bool): Load NaN/inf weights instead of refusing
            them. Defaults to False.

    Returns:
        dict: The report of :func:`state_dict_report`.

    Raises:
        ValueError: naming the file, when no entry matches, when a weight
            is not finite, or (``strict``) when the keys disagree.
    """
    state_dict = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state_dict, dict):
        raise ValueError(f'Checkpoint {filename!r}: "state_dict" is a '
                         f'{type(state_dict).__name__}, not a dict.')
    revised = {}
    for key, value in state_dict.items():
        key = str(key)
        for pattern, replacement in revise_keys:
            key = re.sub(pattern, replacement, key)
        revised[key] = value
    report = state_dict_report(model, revised)
    name = type(model.module if is_model_wrapper(model) else model).__name__
    if not report['loadable'] and report['missing_keys']:
        raise ValueError(
            f'Checkpoint {filename!r} has no weight that matches the model '
            f'{name} ({len(revised)} entries, e.g. '
            f'{_listing(sorted(revised), 5)}; the model expects e.g. '
            f'{_listing(report["missing_keys"], 5)}). Was it written for '
            'another config?' + _submodule_hint(model, revised))
    nonfinite = [k for k in report['loadable']
                 if revised[k].is_floating_point()
                 and not bool(torch.isfinite(revised[k]).all())]
    if nonfinite and not allow_nonfinite:
        raise ValueError(
            f'Checkpoint {filename!r} has NaN/inf values in '
            f'{len(nonfinite)} weight(s): {_listing(nonfinite, 5)}. A '
            'model with them predicts nothing meaningful (was the training '
            'diverging?).')
    problems = []
    if report['missing_keys']:
        problems.append(f'missing keys (in the model, not in the '
                        f'checkpoint): {_listing(report["missing_keys"])}')
    if report['unexpected_keys']:
        problems.append(
            f'unexpected keys (in the checkpoint, not in the model): '
            f'{_listing(report["unexpected_keys"])}')
    if report['mismatched_shapes']:
        problems.append('shape mismatches (key: checkpoint vs model): ' +
                        _listing(f'{k}: {a} vs {b}' for k, a, b in
                                 report['mismatched_shapes']))
    if report['mismatched_dtypes']:
        problems.append('type mismatches, not loaded (key: checkpoint vs '
                        'model): ' +
                        _listing(f'{k}: {a} vs {b}' for k, a, b in
                                 report['mismatched_dtypes']))
    if problems:
        msg = (f'Checkpoint {filename!r} does not match the model {name} '
               '(was it written for another config?):\n  ' +
               '\n  '.join(problems))
        if strict:
            raise ValueError(msg)
        print_log(msg, logger=logger or 'current', level=logging.WARNING)
    # The entries that match; the report above already lists the others.
    load_state_dict(model, {k: revised[k] for k in report['loadable']},
                    strict=False, logger='silent')
    return report


def load_checkpoint(model: torch.nn.Module,
                    filename: str,
                    map_location: Union[str, Callable, None] = 'cpu',
                    strict: bool = False,
                    logger: Optional[logging.Logger] = None,
                    revise_keys: list = [(r'^module\.', '')]) -> dict:
    """Safely load a checkpoint file into ``model``.

    Same signature and return value as
    :func:`mmengine.runner.load_checkpoint`, but the file is read with
    :func:`safe_torch_load` and checked by :func:`load_checkpoint_to_model`.

    Args:
        model (nn.Module): The model.
        filename (str): Local path or URL of the checkpoint.
        map_location (str | callable | None): As in :func:`torch.load`.
        strict (bool): Raise on missing/unexpected/mis-shaped keys.
        logger (logging.Logger | str | None): Where to warn.
        revise_keys (list): Regexes applied to the checkpoint's keys.

    Returns:
        dict: The checkpoint. Disagreeing keys are logged as a warning
        (use :func:`load_checkpoint_to_model` to get them as lists).
    """
    checkpoint = safe_torch_load(filename, map_location=map_location)
    load_checkpoint_to_model(model, checkpoint, filename=filename,
                             strict=strict, logger=logger,
                             revise_keys=revise_keys)
    return checkpoint
