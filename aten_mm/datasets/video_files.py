"""Reading a video dataset's folders, lists and per-video meta files.

Pure functions shared by the datasets (VIP, DAVIS, flow pairs) and the
evaluation tools: every error names the file and what was expected.
"""
import json
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Tuple

from aten_mm.utils.text_io import read_text


def resolve_path(root: Optional[str], path: str) -> str:
    """``path`` joined to ``root`` unless it is absolute (or root is None)."""
    if root is None or osp.isabs(path):
        return path
    return osp.join(root, path)


def require_dir(path: str, what: str) -> str:
    """Return ``path`` or raise a FileNotFoundError naming it."""
    if not osp.isdir(path):
        raise FileNotFoundError(f'{what} folder not found: {path}')
    return path


def require_file(path: str, what: str) -> str:
    """Return ``path`` or raise a FileNotFoundError naming it."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} file not found: {path}')
    return path


def read_lines(path: str, what: str) -> List[Tuple[str, str]]:
    """The non-empty stripped lines of a list file, with where they are.

    Args:
        path (str): The list file.
        what (str): What it lists, for messages (``'VIP video list'``).

    Returns:
        list[tuple[str, str]]: ``(source, line)`` with ``source`` =
        ``'<path>:<line number>'``, for messages.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: it is not UTF-8 text, or lists nothing.
    """
    text = read_text(require_file(path, what))
    lines = [(f'{path}:{i}', line.strip())
             for i, line in enumerate(text.splitlines(), start=1)
             if line.strip()]
    if not lines:
        raise ValueError(f'{what} file {path} is empty: it lists nothing')
    return lines


def read_meta(path: str) -> dict:
    """The json at ``path`` (``{}`` when absent; ValueError if invalid)."""
    if not osp.isfile(path):
        return {}
    try:
        meta = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise ValueError(f'invalid meta json {path}: {e}') from None
    if not isinstance(meta, dict):
        raise ValueError(f'invalid meta json {path}: expected an object, '
                         f'got {type(meta).__name__}')
    return meta


def frame_number(name: str) -> Optional[int]:
    """The frame number of a file stem made of ASCII digits, else None
    (``'²'`` or ``'٣'`` are digits to Python, not frame numbers)."""
    return int(name) if re.fullmatch(r'[0-9]+', name) else None


def list_frames(folder: str, suffix: str) -> Dict[int, str]:
    """``{frame_id: path}`` of the files ``<number><suffix>`` in a folder.

    A missing folder gives an empty dict (a video may have no raw frames).

    Raises:
        ValueError: a ``*<suffix>`` file whose name is not a number, or two
            files with the same number (``2.jpg`` and ``000000000002.jpg``).
    """
    frames: Dict[int, str] = {}
    if not osp.isdir(folder):
        return frames
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        stem, ext = osp.splitext(entry.name)
        if ext != suffix:
            continue
        fid = frame_number(stem)
        if fid is None:
            raise ValueError(
                f'{entry.path}: a frame file must be named by its frame '
                f'number (e.g. 000000000001{suffix}); rename or remove it')
        if fid in frames:
            raise ValueError(
                f'{frames[fid]} and {entry.path} are both frame {fid}; '
                'keep one of them')
        frames[fid] = entry.path
    return frames
