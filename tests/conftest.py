"""Shared test set-up: registries, CPU threads, repository paths, and an
environment every test module and every test leaves as it found it."""
import os
import os.path as osp

import pytest
import torch

from aten_mm.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_DIR = osp.join(REPO_ROOT, 'configs')

# tiny test models run fastest (and most repeatably) on one thread
torch.set_num_threads(1)
register_all_modules(init_default_scope=True)


@pytest.fixture(scope='session')
def repo_root():
    return REPO_ROOT


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
