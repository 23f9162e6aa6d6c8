"""Shared test set-up: registries, CPU threads, repository paths, the
loader of command-line scripts, and an environment every test module and
every test leaves as it found it.

This file is the only place of the repository that edits ``sys.path`` or
imports a file by its path:

* the helper modules that tests of several folders share
  (``tests/engine/tiny_train.py``, ``tests/datasets/flow_pair_fixture.py``,
  ``tests/demo/demo_helpers.py``, ``tests/reliability/
  reliability_helpers.py``) are imported by name from any test file (a
  ``tests`` package cannot be used: mmsegmentation installs one);
* :func:`load_tool` imports a script of ``tools/`` or ``demo/`` (not a
  package) for the tests of its command line (``parse_args``,
  ``main(argv)``); everything else is tested through ``aten_mm``.
"""
import importlib.util
import os
import os.path as osp
import re
import sys

import pytest
import torch

from aten_mm.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_DIR = osp.join(REPO_ROOT, 'configs')
TESTS_DIR = osp.join(REPO_ROOT, 'tests')

for _folder in ('engine', 'datasets', 'demo', 'reliability'):
    if osp.join(TESTS_DIR, _folder) not in sys.path:
        sys.path.insert(0, osp.join(TESTS_DIR, _folder))


def load_tool(relpath: str):
    """Import a script of the repository as a module, to test its command
    line.

    Args:
        relpath (str): Path from the repository root, e.g.
            ``'tools/train.py'`` (independent of the working directory).

    Returns:
        module: A fresh module (``parse_args``, ``main(argv)`` ...).
    """
    path = osp.join(REPO_ROOT, relpath)
    if not osp.isfile(path):
        raise FileNotFoundError(f'no script {path}')
    name = 'tool_' + re.sub(r'\W', '_', osp.splitext(relpath)[0])
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

# tiny test models run fastest (and most repeatably) on one thread
torch.set_num_threads(1)
register_all_modules(init_default_scope=True)


@pytest.fixture(scope='session')
def repo_root():
    return REPO_ROOT


@pytest.fixture(name='load_tool', scope='session')
def load_tool_fixture():
    """:func:`load_tool` for the tests: a module-scoped fixture of a test
    file loads its script with it, e.g. ``load_tool('tools/test.py')``."""
    return load_tool


def _restore_environ(saved):
    for key in set(os.environ) - set(saved):
        del os.environ[key]
    for key, value in saved.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


@pytest.fixture(autouse=True, scope='module')
def _environ_per_module():
    """Undo what a module's fixtures write into ``os.environ`` (the tools
    called in-process export ``LOCAL_RANK``, as a launcher would)."""
    saved = dict(os.environ)
    yield
    _restore_environ(saved)


@pytest.fixture(autouse=True)
def _environ_per_test():
    """Undo what a test writes into ``os.environ``."""
    saved = dict(os.environ)
    yield
    _restore_environ(saved)
