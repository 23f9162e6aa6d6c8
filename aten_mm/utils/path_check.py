"""Names from data files must not lead outside the folders they name.

Video ids and frame names come from split list files and end up in output
paths (``tools/test.py --out-dir`` / ``--show-dir``). An id like
``/tmp/x`` or ``../../etc`` would make a writer leave the folder the user
named. :func:`check_relative_name` rejects such ids where the lists are
read, naming the list file and line; :func:`join_inside` is the second
line of defence of every writer: it joins a name to an output folder and
refuses a result outside it.
"""
import os.path as osp


def check_relative_name(name: str, source: str) -> str:
    """Return ``name`` if it is a relative path that stays where it is put.

    Args:
        name (str): A video id or frame name, e.g. ``'videos1'``.
        source (str): Where it was read, for the message, e.g.
            ``'data/VIP/lists/val_id.txt:3'``.

    Returns:
        str: ``name`` unchanged.

    Raises:
        ValueError: ``name`` is empty, absolute, has an empty, ``.`` or
            ``..`` component, a backslash or a control character.
    """
    parts = name.split('/')
    bad = (not name or osp.isabs(name) or name.startswith('~')
           or '\\' in name or any(ord(c) < 32 for c in name)
           or any(p in ('', '.', '..') for p in parts))
    if bad:
        raise ValueError(
            f'{source}: invalid name {name!r}: expected a relative name '
            'such as "videos1" (no leading "/" or "~", no "." / ".." '
            'components, no backslash); it is used to name output files.')
    return name


def join_inside(root: str, *parts: str) -> str:
    """``osp.join(root, *parts)``, refused if it resolves outside ``root``.

    Symbolic links are resolved on both sides (``osp.realpath``), so a
    link inside ``root`` that points elsewhere is refused too.

    Args:
        root (str): The output folder the user named.
        *parts (str): Names below it (video id, file name ...).

    Returns:
        str: The joined path (as joined, not resolved).

    Raises:
        ValueError: the path would be outside ``root``.
    """
    path = osp.join(root, *parts)
    real_root = osp.realpath(root)
    real = osp.realpath(path)
    if real != real_root and not real.startswith(real_root.rstrip(osp.sep)
                                                 + osp.sep):
        raise ValueError(
            f'refusing to write {path!r}: it resolves to {real!r}, outside '
            f'the output folder {root!r} (names {list(parts)!r}).')
    return path
