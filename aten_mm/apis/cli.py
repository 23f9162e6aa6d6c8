"""Command-line pieces shared by the tools.

:func:`run_tool` is the error wrapper of every entry point under
``tools/`` and ``demo/``. The run flags of ``tools/train.py`` and
``tools/test.py`` follow MMDetection 3.x's tools: ``--cfg-options``,
``--launcher`` and ``--local-rank`` (also ``--local_rank``).
"""
import argparse
import os
import sys
from typing import Callable, Optional, Sequence

from mmengine.config import DictAction

from aten_mm.utils.user_error import UserError

#: The errors that the tools print as one ``error: ...`` line: every
#: :class:`UserError` (a bad config or key, a refused checkpoint ...), a
#: ``ValueError`` (a file that is not what it should be: the readers name
#: the file and line), an ``OSError`` (a missing file or folder, no
#: permission, a full disk: the message names the path) and a NaN/inf
#: loss (``FloatingPointError``, naming the iteration and the last good
#: checkpoint).
USER_ERRORS = (UserError, ValueError, OSError, FloatingPointError)

#: Set this environment variable to 1 to get the traceback of a user error.
TRACEBACK_ENV = 'ATEN_MM_TRACEBACK'


def positive_int(what: str = 'an integer') -> Callable[[str], int]:
    """An argparse ``type`` accepting integers >= 1.

    Args:
        what (str): What the value counts, for the message
            (``expected <what> >= 1, got '...'``).

    Returns:
        Callable: The converter.
    """

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(
                f'expected {what} >= 1, got {text!r}')
        return value

    return convert


def add_run_args(parser: argparse.ArgumentParser,
                 cfg_options_example: str) -> None:
    """Add ``--cfg-options``, ``--launcher`` and ``--local-rank``.

    Args:
        parser (argparse.ArgumentParser): Parser to extend in place.
        cfg_options_example (str): A ``key=value`` shown in the help of
            ``--cfg-options``.
    """
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help=f'override config keys, e.g. {cfg_options_example}; '
        '"key=[a,b]" gives a list, quote values with spaces')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank, older ones --local_rank
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def parse_run_args(parser: argparse.ArgumentParser,
                   argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` and export ``LOCAL_RANK`` when the launcher did not.

    Args:
        parser (argparse.ArgumentParser): Parser with :func:`add_run_args`.
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def finish_distributed() -> None:
    """End a distributed run cleanly: all ranks meet, then the process
    group is destroyed before the interpreter exits.

    Without it gloo's background threads may still be alive while Python
    tears the process down, and a rank can abort at exit ("terminate
    called without an active exception") after all its work is done. A
    no-op outside a distributed run.
    """
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def run_tool(main: Callable[[], object]) -> None:
    """Call ``main()``; a user error exits with one ``error: ...`` line.

    The errors of :data:`USER_ERRORS` end the program with status 1 and
    ``error: <message>`` on stderr (no traceback; set
    ``ATEN_MM_TRACEBACK=1`` to see it); anything else (a bug) propagates
    with its traceback.

    Args:
        main (Callable): The tool's entry point.
    """
    try:
        main()
    except USER_ERRORS as e:
        if os.environ.get(TRACEBACK_ENV) == '1':
            raise
        sys.exit(f'error: {e}')
