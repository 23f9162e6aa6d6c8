"""StepReseedHook: what a training step draws depends only on the seed
and the step."""
import random

import numpy as np
import pytest
import torch
from mmengine.runner import Runner
from tiny_train import (
    StopAfterCheckpointHook,
    build_runner,
    weights,
)

from aten_mm.engine.hooks.step_reseed_hook import (
    BATCH_TAG,
    EPOCH_TAG,
    ITER_TAG,
    reseed,
)


@pytest.fixture(autouse=True)
def _restore_determinism():
    flag = torch.are_deterministic_algorithms_enabled()
    yield
    torch.use_deterministic_algorithms(flag)


def _draw():
    return (random.random(), float(np.random.rand()),
            float(torch.rand(())))


def test_reseed_depends_only_on_seed_tag_step_and_rank():
    reseed(7, ITER_TAG, 3)
    first = _draw()
    _draw()  # whatever was drawn in between
    reseed(7, ITER_TAG, 3)
    assert _draw() == first
    others = set()
    for args in ((7, ITER_TAG, 4), (8, ITER_TAG, 3), (7, EPOCH_TAG, 3),
                 (7, BATCH_TAG, 3), (7, ITER_TAG, 3, 1)):
        reseed(*args)
        others.add(_draw())
    assert first not in others and len(others) == 5


def test_hook_makes_plain_mmengine_resume_exact(tmp_path):
    """The hook alone, in mmengine's own Runner (seed configured): a run
    of 4 epochs stopped after 2 and resumed equals 4 uninterrupted epochs
    with dropout; without the hook it differs."""
    hook = [dict(type='StepReseedHook')]
    ref = build_runner(str(tmp_path / 'ref'), 4, runner_cls=Runner,
                       name='hook_ref', extra_hooks=hook)
    ref.train()
    work = str(tmp_path / 'resumed')
    build_runner(work, 4, runner_cls=Runner, name='hook_a',
                 extra_hooks=hook + [StopAfterCheckpointHook(2)]).train()
    resumed = build_runner(work, 4, runner_cls=Runner, resume=True,
                           name='hook_b', extra_hooks=hook)
    resumed.train()
    got, expected = weights(resumed), weights(ref)
    assert resumed.epoch == 4
    assert all(torch.equal(got[k], expected[k]) for k in expected)

    # control: the same runs without the hook
    plain = build_runner(str(tmp_path / 'plain'), 4, runner_cls=Runner,
                         name='hook_p')
    plain.train()
    expected = weights(plain)
    work = str(tmp_path / 'control')
    build_runner(work, 4, runner_cls=Runner, name='hook_c',
                 extra_hooks=[StopAfterCheckpointHook(2)]).train()
    control = build_runner(work, 4, runner_cls=Runner, resume=True,
                           name='hook_d')
    control.train()
    got = weights(control)
    assert not all(torch.equal(got[k], expected[k]) for k in expected)
