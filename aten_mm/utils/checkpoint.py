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
the safety off: ``weights_only`` stays on for every load.
"""
import logging
import os.path as osp
import pickle
import re
from typing import Callable, Optional, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer, print_log
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import (
    _load_checkpoint,
    _load_checkpoint_to_model,
)

# The statistics methods HistoryBuffer pickles by reference.
_HISTORY_BUFFER_METHODS = ('min', 'max', 'current', 'mean')
# Scalar types the message hub can hold (ints and floats of any width).
_NUMERIC_DTYPES = ('bool', 'int8', 'int16', 'int32', 'int64', 'uint8',
                   'uint16', 'uint32', 'uint64', 'float16', 'float32',
                   'float64')
_installed = False


class UnsafeCheckpointError(RuntimeError):
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
    """Allow-list the types of our checkpoints in ``torch.load`` (once).

    Called when :mod:`aten_mm.utils` is imported, so mmengine's own loaders
    (``load_from``, ``resume``) work in ``weights_only`` mode too.
    """
    global _installed
    if not _installed:
        torch.serialization.add_safe_globals(safe_globals())
        _installed = True


def _is_local(filename: str) -> bool:
    return '://' not in filename


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


def safe_torch_load(filename: str,
                    map_location: Union[str, Callable, None] = 'cpu'
                    ) -> dict:
    """Load a checkpoint in ``weights_only`` mode with our allow-list.

    Accepts what mmengine's loader accepts (local path, ``http(s)://``,
    ``torchvision://``, ``open-mmlab://`` ...).

    Args:
        filename (str): The checkpoint.
        map_location (str | callable | None): As in :func:`torch.load`.
            Defaults to ``'cpu'``.

    Returns:
        dict: The checkpoint (``state_dict``, ``meta`` ... for ours).

    Raises:
        FileNotFoundError: the local file does not exist.
        ValueError: the file is empty, truncated or not a checkpoint.
        UnsafeCheckpointError: it holds objects outside the allow-list.
    """
    install_safe_globals()
    filename = str(filename)
    if _is_local(filename):
        path = osp.expanduser(filename)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'Checkpoint file not found: {filename!r}')
        if osp.getsize(path) == 0:
            raise ValueError(
                f'Checkpoint {filename!r} is empty (0 bytes); it was '
                'probably interrupted while being written.')
    try:
        return _load_checkpoint(filename, map_location=map_location)
    except pickle.UnpicklingError as e:
        if 'weights_only' in str(e) or 'GLOBAL' in str(e) or \
                'Unsupported' in str(e):
            raise _refusal(filename, e) from None
        raise ValueError(
            f'Checkpoint {filename!r} is corrupt: {e}') from None
    except (RuntimeError, EOFError) as e:
        if isinstance(e, UnsafeCheckpointError):
            raise
        msg = str(e)
        if isinstance(e, EOFError) or 'zip archive' in msg or \
                'PytorchStreamReader' in msg or 'central directory' in msg:
            raise ValueError(
                f'Checkpoint {filename!r} is truncated or not a PyTorch '
                f'checkpoint ({msg.splitlines()[0] if msg else "EOF"}).'
            ) from None
        raise


def state_dict_report(model: torch.nn.Module, state_dict: dict) -> dict:
    """Compare a state dict with a model's parameters and buffers.

    Args:
        model (nn.Module): The model (wrappers are unwrapped).
        state_dict (dict): ``{name: tensor}`` with keys already revised.

    Returns:
        dict: ``missing_keys`` (in the model, not in the checkpoint),
        ``unexpected_keys`` (the opposite) and ``mismatched_shapes``
        (``[(key, ckpt_shape, model_shape)]``), each sorted.
    """
    if is_model_wrapper(model):
        model = model.module
    own = model.state_dict()
    missing = sorted(k for k in own if k not in state_dict)
    unexpected = sorted(k for k in state_dict if k not in own)
    mismatched = sorted(
        (k, tuple(state_dict[k].shape), tuple(own[k].shape))
        for k in own
        if k in state_dict and hasattr(state_dict[k], 'shape')
        and tuple(state_dict[k].shape) != tuple(own[k].shape))
    return dict(missing_keys=missing, unexpected_keys=unexpected,
                mismatched_shapes=mismatched)


def _listing(keys, limit: int = 20) -> str:
    keys = [str(k) for k in keys]
    more = f' ... (+{len(keys) - limit} more)' if len(keys) > limit else ''
    return ', '.join(keys[:limit]) + more


def load_checkpoint_to_model(model: torch.nn.Module,
                             checkpoint: dict,
                             filename: str = '<checkpoint>',
                             strict: bool = False,
                             logger: Optional[logging.Logger] = None,
                             revise_keys: list = [(r'^module\.', '')]
                             ) -> dict:
    """Load a loaded checkpoint's weights into ``model`` and report keys.

    Args:
        model (nn.Module): The model.
        checkpoint (dict): As returned by :func:`safe_torch_load`.
        filename (str): Its path, for messages.
        strict (bool): Raise if any key is missing, unexpected or has
            another shape. Defaults to False (load what matches, warn).
        logger (logging.Logger | str | None): Where to warn ('current'
            when None).
        revise_keys (list): ``(pattern, replacement)`` regexes applied to
            the checkpoint's keys. Defaults to stripping ``module.``.

    Returns:
        dict: The report of :func:`state_dict_report`.

    Raises:
        ValueError: ``strict`` and the keys disagree, naming the file.
    """
    state_dict = checkpoint.get('state_dict', checkpoint)
    revised = {}
    for key, value in state_dict.items():
        for pattern, replacement in revise_keys:
            key = re.sub(pattern, replacement, key)
        revised[key] = value
    report = state_dict_report(model, revised)
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
    if problems:
        msg = (f'Checkpoint {filename!r} does not match the model '
               f'{type(model).__name__} (was it written for another '
               'config?):\n  ' + '\n  '.join(problems))
        if strict:
            raise ValueError(msg)
        print_log(msg, logger=logger or 'current', level=logging.WARNING)
    # mmengine loads what matches; its own report is the same as ours.
    _load_checkpoint_to_model(model, checkpoint, strict=False,
                              logger='silent', revise_keys=revise_keys)
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
    :func:`safe_torch_load` and disagreeing keys are reported clearly.

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
