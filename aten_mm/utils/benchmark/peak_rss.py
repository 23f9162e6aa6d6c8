"""Peak memory of a Python script run in a subprocess of its own.

The child is ``python .../peak_rss.py SCRIPT ARGS...`` (this file, run by
its path so that the child imports nothing but the standard library before
the script: importing ``aten_mm`` would load torch and add its ~300 MiB to
every peak): :func:`child_main` runs the script as ``__main__``
(:func:`runpy.run_path`) and, however it ends, writes the peak resident set
size of its own address space (``VmHWM``, reset by ``exec``) to the file
named by ``$ATEN_PEAK_RSS_FILE``. The script finds its imports through
``PYTHONPATH`` or the installed packages (not through its own folder).
"""
import os
import runpy
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional

#: The environment variable naming the file the child writes its peak to.
PEAK_FILE_ENV = 'ATEN_PEAK_RSS_FILE'
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))


def child_env(env: Optional[Dict] = None) -> Dict:
    """A copy of ``env`` (default: this process's environment) whose
    ``PYTHONPATH`` starts with the folder holding this copy of
    ``aten_mm``, so that a child Python imports the same package."""
    env = dict(os.environ if env is None else env)
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (_ROOT, env.get('PYTHONPATH')) if p)
    return env


def child_main() -> None:
    """Entry of the measured child: run ``sys.argv[1]`` as ``__main__``
    with ``sys.argv[1:]`` as its arguments, then write ``VmHWM`` (KiB) to
    ``$ATEN_PEAK_RSS_FILE``, also when the script raises or exits."""
    sys.argv = sys.argv[1:]
    try:
        runpy.run_path(sys.argv[0], run_name='__main__')
    finally:
        with open('/proc/self/status') as f:
            kib = [line.split()[1] for line in f
                   if line.startswith('VmHWM')]
        with open(os.environ[PEAK_FILE_ENV], 'w') as f:
            f.write(kib[0])


def run_measured(script: str, args: List[str], env: Optional[Dict] = None,
                 log: str = os.devnull) -> Dict:
    """Run a Python script in a subprocess; exit code, peak RSS, time.

    The peak is the child's own ``VmHWM`` (Linux), read by the child itself
    at its end (:func:`child_main`). Not ``ru_maxrss`` of ``os.wait4`` or
    ``RUSAGE_CHILDREN``: those include the memory of the (large) parent the
    child was forked from before its ``exec``.

    Args:
        script (str): The Python file (run as ``__main__``).
        args (list[str]): Its command-line arguments.
        env (dict, optional): Environment (default: this one); it must let
            the child import ``aten_mm``.
        log (str): File for the child's stdout and stderr.

    Returns:
        dict: ``returncode``, ``peak_rss_mb`` (NaN when the child could not
        write it) and ``seconds`` (wall time).
    """
    with tempfile.NamedTemporaryFile('r', suffix='.rss') as peak:
        env = child_env(env)
        env[PEAK_FILE_ENV] = peak.name
        start = time.perf_counter()
        with open(log, 'w') as f:
            code = subprocess.call(
                [sys.executable, os.path.abspath(__file__), script, *args],
                stdout=f, stderr=subprocess.STDOUT, env=env)
        seconds = time.perf_counter() - start
        text = peak.read().strip()
    return dict(returncode=code,
                peak_rss_mb=int(text) / 1024.0 if text else float('nan'),
                seconds=seconds)


if __name__ == '__main__':
    child_main()
