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

from mmengine.config import Config, DictAction

from aten_mm.utils.user_error import UserError

from .config import load_config
from .launch import build_runner, default_work_dir, setup_cpu_distributed

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


def load_run_config(args: argparse.Namespace) -> Config:
    """The config of ``args.config`` with the run flags applied.

    Loads the file with ``--cfg-options`` (checked key by key), sets
    ``launcher`` and the work dir (``--work-dir``, the config's own, or
    ``work_dirs/<config name>``).

    Args:
        args (argparse.Namespace): With ``config``, ``cfg_options``,
            ``launcher`` and ``work_dir``.

    Returns:
        Config: The config, to be completed by the tool.
    """
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    default_work_dir(cfg, args.config, args.work_dir)
    return cfg


def build_run_runner(cfg: Config):
    """Prepare CPU-only distribution if needed and build the runner.

    Args:
        cfg (Config): Full config with ``launcher`` set.

    Returns:
        Runner: The runner.
    """
    setup_cpu_distributed(cfg)
    return build_runner(cfg)


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
