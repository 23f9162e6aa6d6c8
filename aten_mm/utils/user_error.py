"""The one error type of user mistakes, reported as one ``error:`` line.

A wrong path, a file that is not what it should be, a config key that does
not exist: the message names the file/key and what was expected, and the
tools (:func:`aten_mm.apis.cli.run_tool`) print it as one ``error: ...``
line instead of a traceback.
"""


class UserError(Exception):
    """A mistake in the user's input (config, file, argument).

    Subclasses add the built-in base a caller may already catch:
    :class:`aten_mm.utils.config_check.ConfigError` is a ``ValueError``,
    :class:`aten_mm.utils.checkpoint.UnsafeCheckpointError` a
    ``RuntimeError``. Bad data files raise ``ValueError`` /
    ``FileNotFoundError`` naming the file and line, which the tools report
    the same way.
    """

