"""ATENRunner: exact resume after SIGKILL, atomic checkpoint writes."""
import os
import os.path as osp
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.fileio import LocalBackend
from mmengine.hooks import Hook
from mmengine.runner import Runner
from tiny_train import TinyModel, build_runner, weights

from aten_mm.engine.hooks import StepReseedHook
from aten_mm.engine.runner import ATENRunner
from aten_mm.registry import MODELS, RUNNERS
from aten_mm.utils import safe_torch_load

HERE = osp.dirname(osp.abspath(__file__))


@pytest.fixture(autouse=True)
def _restore_determinism():
    """The runs set torch.use_deterministic_algorithms(True); undo it."""
    flag = torch.are_deterministic_algorithms_enabled()
    yield
    torch.use_deterministic_algorithms(flag)


def _read_last(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def test_sigkill_then_resume_equals_uninterrupted(tmp_path):
    # Reference: 4 epochs without interruption.
    ref = build_runner(str(tmp_path / 'ref'), 4, name='ref')
    ref.train()
    expected = weights(ref)

    # A real process, SIGKILLed right after the epoch-2 checkpoint.
    work = str(tmp_path / 'killed')
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.run(
        [sys.executable, osp.join(HERE, 'tiny_train.py'), work, '4',
         '--kill-at-epoch', '2'],
        env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert _read_last(work) == osp.join(work, 'epoch_2.pth')
    assert not osp.exists(osp.join(work, 'epoch_3.pth'))

    resumed = build_runner(work, 4, resume=True, name='resumed')
    resumed.train()
    assert resumed.epoch == 4 and resumed.iter == ref.iter == 16
    got = weights(resumed)
    for key in expected:
        assert torch.equal(got[key], expected[key]), key
    # The optimizer state (momentum) and lr schedule agree too.
    assert resumed.optim_wrapper.get_lr() == ref.optim_wrapper.get_lr()


def test_plain_mmengine_resume_is_not_exact_with_dropout(tmp_path):
    """Control: without ATENRunner's re-seeding the dropout draws differ,
    so the test above would catch a missing RNG restoration."""
    ref = build_runner(str(tmp_path / 'a'), 4, runner_cls=Runner, name='pa')
    ref.train()
    work = str(tmp_path / 'b')
    build_runner(work, 2, runner_cls=Runner, name='pb').train()
    resumed = build_runner(work, 4, runner_cls=Runner, resume=True,
                           name='pc')
    resumed.train()
    got, expected = weights(resumed), weights(ref)
    assert any(not torch.equal(got[k], expected[k]) for k in expected)


def _half_then_crash(monkeypatch, crash_on_call):
    """Make the n-th checkpoint write stop half-way with an exception."""
    original = LocalBackend.put
    calls = []

    def put(self, obj, filepath):
        calls.append(filepath)
        if len(calls) == crash_on_call:
            with open(filepath, 'wb') as f:
                f.write(obj[:len(obj) // 2])
            raise KeyboardInterrupt('killed while saving')
        return original(self, obj, filepath)

    monkeypatch.setattr(LocalBackend, 'put', put)


def test_crash_while_saving_keeps_previous_checkpoint(tmp_path, monkeypatch):
    work = str(tmp_path / 'w')
    _half_then_crash(monkeypatch, crash_on_call=2)
    runner = build_runner(work, 3, name='crash')
    with pytest.raises(KeyboardInterrupt):
        runner.train()
    assert sorted(f for f in os.listdir(work) if 'pth' in f) == [
        'epoch_1.pth'
    ]  # no truncated epoch_2.pth, no leftover temp file
    assert _read_last(work) == osp.join(work, 'epoch_1.pth')
    ckpt = safe_torch_load(osp.join(work, 'epoch_1.pth'))
    assert ckpt['meta']['epoch'] == 1


def test_plain_mmengine_save_leaves_truncated_file(tmp_path, monkeypatch):
    """Control: mmengine's own save leaves a truncated epoch_2.pth."""
    work = str(tmp_path / 'w')
    _half_then_crash(monkeypatch, crash_on_call=2)
    runner = build_runner(work, 3, runner_cls=Runner, name='crash_plain')
    with pytest.raises(KeyboardInterrupt):
        runner.train()
    with pytest.raises(ValueError, match='truncated'):
        safe_torch_load(osp.join(work, 'epoch_2.pth'))


def test_runner_type_builds_aten_runner(tmp_path):
    if 'TinyTrainModel' not in MODELS.module_dict:
        MODELS.register_module('TinyTrainModel', module=TinyModel)
    cfg = dict(
        runner_type='ATENRunner',
        model=dict(type='TinyTrainModel'),
        work_dir=str(tmp_path),
        default_scope='aten_mm',
        experiment_name='build')
    runner = RUNNERS.build(cfg)
    assert type(runner) is ATENRunner


class _AugmentedDataset(torch.utils.data.Dataset):
    """TinyDataset's samples plus numpy noise drawn in ``__getitem__`` (the
    main process's random augmentation)."""

    def __len__(self):
        return 8

    def __getitem__(self, index):
        import numpy as np
        g = torch.Generator().manual_seed(index)
        noise = torch.from_numpy(np.random.randn(4).astype('float32'))
        return dict(inputs=torch.randn(4, generator=g) + noise,
                    target=torch.randn((), generator=g))


def _iter_runner(work_dir, max_iters, resume=False, name='it'):
    torch.manual_seed(0)
    return ATENRunner(
        model=TinyModel(), work_dir=work_dir, experiment_name=name,
        train_dataloader=dict(
            dataset=_AugmentedDataset(),
            sampler=dict(type='InfiniteSampler', shuffle=True),
            batch_size=2, num_workers=0,
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05,
                                          momentum=0.9)),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', by_epoch=False,
                            interval=4),
            logger=dict(type='LoggerHook', interval=100)),
        randomness=dict(seed=0, deterministic=True), resume=resume,
        default_scope='aten_mm')


def _interrupted_iter_run(tmp_path, tag):
    work = str(tmp_path / f'resumed_{tag}')
    _iter_runner(work, 4, name=f'{tag}a').train()
    assert _read_last(work).endswith('iter_4.pth')
    runner = _iter_runner(work, 8, resume=True, name=f'{tag}b')
    runner.train()
    assert runner.iter == 8
    return weights(runner)


def test_iteration_based_resume_reproduces_main_process_augmentation(
        tmp_path, monkeypatch):
    """Iteration-based loop, random augmentation with numpy in the main
    process, dropout: 4 iterations + resume to 8 equals 8 uninterrupted
    iterations exactly; without re-seeding each batch fetch it differs
    (mmengine fetches and drops the 4 trained batches on resume)."""
    straight = _iter_runner(str(tmp_path / 'straight'), 8, name='s')
    straight.train()
    expected = weights(straight)
    resumed = _interrupted_iter_run(tmp_path, 'ok')
    assert all(torch.equal(expected[k], resumed[k]) for k in expected)

    monkeypatch.setattr(StepReseedHook, 'before_train', Hook.before_train)
    unseeded = _interrupted_iter_run(tmp_path, 'control')
    assert not all(torch.equal(expected[k], unseeded[k]) for k in expected)


def _resume_twice(tmp_path, tag, diff_rank_seed):
    """Resume epoch_2 of a 4-epoch run without a configured seed, twice,
    each time after drawing a different fresh seed for the new run."""
    got = []
    for i in range(2):
        np.random.seed(100 + i)  # the new run's fresh seed comes from here
        runner = build_runner(str(tmp_path / f'{tag}{i}'), 4, resume=True,
                              load_from=str(tmp_path / 'ref' /
                                            'epoch_2.pth'),
                              seed=None, name=f'{tag}{i}',
                              diff_rank_seed=diff_rank_seed)
        runner.train()
        assert runner.epoch == 4 and runner.iter == 16
        got.append(weights(runner))
    return got


@pytest.mark.parametrize('diff_rank_seed', [False, True])
def test_resume_without_configured_seed_is_exact(tmp_path, monkeypatch,
                                                 diff_rank_seed):
    """No ``randomness.seed`` (no shipped config sets one): mmengine builds
    the shuffling sampler with the new run's fresh seed before the resume
    restores the checkpoint's. Resuming one checkpoint twice gives the
    same weights, those of the uninterrupted run; with mmengine's own
    resume (the control) both differ. With ``diff_rank_seed`` the sampler
    seed is not the run seed: only the one saved with the checkpoint
    restores it."""
    np.random.seed(99)
    tag = f'ns{int(diff_rank_seed)}'
    ref = build_runner(str(tmp_path / 'ref'), 4, seed=None,
                       name=f'{tag}ref', diff_rank_seed=diff_rank_seed)
    ref.train()
    expected = weights(ref)
    first, second = _resume_twice(tmp_path, tag, diff_rank_seed)
    for key in expected:
        assert torch.equal(first[key], second[key]), key
        assert torch.equal(first[key], expected[key]), key

    monkeypatch.setattr(ATENRunner, 'resume', Runner.resume)
    first, second = _resume_twice(tmp_path, f'plain{tag}', diff_rank_seed)
    assert not all(torch.equal(first[k], second[k]) for k in expected)
    assert not all(torch.equal(first[k], expected[k]) for k in expected)


def test_step_reseed_hook_is_a_default_hook(tmp_path):
    """ATENRunner registers the re-seeding hook by default, before every
    other hook; a config can turn it off."""
    runner = build_runner(str(tmp_path / 'a'), 1, name='hooks_a')
    reseed = [h for h in runner.hooks if isinstance(h, StepReseedHook)]
    assert len(reseed) == 1 and runner.hooks[0] is reseed[0]
    runner = ATENRunner(
        model=TinyModel(), work_dir=str(tmp_path / 'b'),
        experiment_name='hooks_b', default_scope='aten_mm',
        default_hooks=dict(step_reseed=None))
    assert not any(isinstance(h, StepReseedHook) for h in runner.hooks)
