"""Text files of the user: read as UTF-8, write strict JSON.

:func:`read_text` reads a list, config or marker file and names a file
that is not UTF-8 text (instead of a bare ``UnicodeDecodeError``).

Python's :func:`json.dump` writes ``NaN`` / ``Infinity`` by default, which
is not JSON (a strict reader such as ``jq`` or JavaScript's ``JSON.parse``
refuses the file); :func:`dump_json` writes a score that is undefined
(e.g. the AP of a class without ground truth) as ``null`` instead.
"""
import json
import math
from typing import Any


def read_text(path: str) -> str:
    """The UTF-8 text of ``path``.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: it is not UTF-8 text, naming it.
    """
    try:
        with open(path, encoding='utf-8') as f:
            return f.read()
    except UnicodeDecodeError as e:
        raise ValueError(f'{path} is not UTF-8 text ({e.reason} at byte '
                         f'{e.start})') from None


def finite_or_none(obj: Any) -> Any:
    """A copy of ``obj`` (dicts, lists, tuples, numbers, numpy scalars)
    with every non-finite float replaced by None.

    Args:
        obj: A JSON-like value.

    Returns:
        The same structure; tuples become lists.
    """
    if isinstance(obj, dict):
        return {k: finite_or_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_or_none(v) for v in obj]
    if hasattr(obj, 'item') and callable(obj.item) and getattr(
            obj, 'ndim', 1) == 0:
        obj = obj.item()  # numpy / torch scalar
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def dump_json(obj: Any, path: str) -> None:
    """Write ``obj`` to ``path`` as strict JSON (non-finite -> null).

    Args:
        obj: A JSON-like value.
        path (str): The output file.
    """
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(finite_or_none(obj), f, indent=2, allow_nan=False)
