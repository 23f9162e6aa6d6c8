"""The one error type of user mistakes, reported as one ``error:`` line.

A wrong path, a file that is not what it should be, a config key that does
not exist: the message names the file/key and what was expected, and the
tools (:func:`aten_mm.apis.cli.run_tool`) print it as one ``error: ...``
line instead of a traceback.
"""
from typing import Iterable


class UserError(Exception):
    """A mistake in the user's input (config, file, argument).

    Subclasses add the built-in base a caller may already catch:
    :class:`aten_mm.utils.config_check.ConfigError` is a ``ValueError``,
    :class:`aten_mm.utils.checkpoint.UnsafeCheckpointError` a
    ``RuntimeError``. Bad data files raise ``ValueError`` /
    ``FileNotFoundError`` naming the file and line, which the tools report
    the same way.
    """



def problem_list(head: str, problems: Iterable[str]) -> str:
    """The message of several problems: ``head``, then each problem on an
    indented line of its own.

    Args:
        head (str): What went wrong, e.g. ``'2 video(s) could not be
            extracted:'``.
        problems (Iterable[str]): One line per problem (naming its file).

    Returns:
        str: ``head + '\\n  ' + '\\n  '.join(problems)``.
    """
    return head + '\n  ' + '\n  '.join(problems)
