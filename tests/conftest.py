"""Shared test set-up: registries, CPU threads, repository paths."""
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
