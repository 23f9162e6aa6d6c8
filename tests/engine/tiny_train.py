"""A tiny mmengine training (2-layer MLP with dropout) for the engine tests.

Importable (``build_runner``) and runnable as a script, so a test can
SIGKILL a real training process:
``python tests/engine/tiny_train.py WORK_DIR EPOCHS --kill-at-epoch 2``.
"""
import argparse
import os
import signal
import sys

import torch
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from torch import nn
from torch.utils.data import Dataset

# Importing aten_mm installs the checkpoint allow-list and registers
# ATENRunner / InvalidLossGuardHook.
from aten_mm.engine.hooks import InvalidLossGuardHook  # noqa: F401
from aten_mm.engine.runner import ATENRunner


class TinyDataset(Dataset):
    """8 fixed random samples ``(inputs (4,), target ())``."""

    def __len__(self):
        return 8

    def __getitem__(self, index):
        g = torch.Generator().manual_seed(index)
        return dict(inputs=torch.randn(4, generator=g),
                    target=torch.randn((), generator=g))


class TinyModel(BaseModel):
    """Linear(4, 8) - ReLU - Dropout(0.5) - Linear(8, 1), MSE loss.

    Args:
        nan_at_iter (int, optional): 1-based training iteration at which
            the loss becomes NaN.
    """

    def __init__(self, nan_at_iter=None):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5),
                                 nn.Linear(8, 1))
        self.nan_at_iter = nan_at_iter
        self.calls = 0

    def forward(self, inputs, target=None, mode='tensor'):
        x = torch.stack(inputs) if isinstance(inputs, list) else inputs
        out = self.net(x).squeeze(-1)
        if mode != 'loss':
            return out
        self.calls += 1
        t = torch.stack(target) if isinstance(target, list) else target
        loss = ((out - t)**2).mean()
        if self.nan_at_iter is not None and self.calls == self.nan_at_iter:
            loss = loss * float('nan')
        return dict(loss=loss)


class KillAfterCheckpointHook(Hook):
    """SIGKILL the process right after the checkpoint of ``epoch``."""

    priority = 'LOWEST'  # after CheckpointHook (VERY_LOW)

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch + 1 == self.epoch:
            os.kill(os.getpid(), signal.SIGKILL)


class StopAfterCheckpointHook(Hook):
    """End training cleanly right after the checkpoint of ``epoch`` (an
    interruption that keeps ``max_epochs``: mmengine ends the schedulers
    at ``max_epochs``, so a shorter run is not a prefix of a longer one)."""

    priority = 'LOWEST'

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch + 1 == self.epoch:
            runner.train_loop.stop_training = True


def build_runner(work_dir, max_epochs, runner_cls=ATENRunner, resume=False,
                 kill_at_epoch=None, nan_at_iter=None, checkpoint=None,
                 name='tiny', seed=0, load_from=None,
                 diff_rank_seed=False, extra_hooks=()):
    """Build a Runner for :class:`TinyModel` (deterministic algorithms).

    Args:
        work_dir (str): Work dir (checkpoints, ``last_checkpoint``).
        max_epochs (int): Epochs to train.
        runner_cls (type): ``ATENRunner`` or mmengine's ``Runner``.
        resume (bool): Resume from ``work_dir``'s last checkpoint.
        kill_at_epoch (int, optional): SIGKILL after this epoch's checkpoint.
        nan_at_iter (int, optional): Iteration whose loss is NaN.
        checkpoint (dict, optional): CheckpointHook config.
        name (str): Experiment name (unique per runner in one process).
        seed (int, optional): ``randomness.seed``; None draws a fresh one
            (what a config without ``randomness`` does).
        load_from (str, optional): The checkpoint to resume from (with
            ``resume=True``) instead of ``work_dir``'s last one.
        diff_rank_seed (bool): ``randomness.diff_rank_seed``.
        extra_hooks (Sequence[dict]): More custom hooks.

    Returns:
        Runner: The runner (call ``.train()``).
    """
    custom_hooks = [dict(type='InvalidLossGuardHook'), *extra_hooks]
    if kill_at_epoch is not None:
        custom_hooks.append(KillAfterCheckpointHook(kill_at_epoch))
    torch.manual_seed(0)  # same initial weights in every process
    return runner_cls(
        model=TinyModel(nan_at_iter),
        work_dir=work_dir,
        experiment_name=name,
        train_dataloader=dict(
            dataset=TinyDataset(),
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_size=2,
            num_workers=0,
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(
            optimizer=dict(type='SGD', lr=0.05, momentum=0.9)),
        param_scheduler=[
            dict(type='LinearLR', start_factor=0.5, by_epoch=False,
                 begin=0, end=3),
            dict(type='MultiStepLR', milestones=[3], by_epoch=True)
        ],
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        default_hooks=dict(
            checkpoint=checkpoint or dict(type='CheckpointHook', interval=1),
            logger=dict(type='LoggerHook', interval=100)),
        custom_hooks=custom_hooks,
        randomness=dict(seed=seed, deterministic=True,
                        diff_rank_seed=diff_rank_seed),
        resume=resume,
        load_from=load_from,
        default_scope='aten_mm')


def weights(runner):
    """The model's state dict as detached CPU tensors."""
    return {k: v.detach().clone() for k, v in
            runner.model.state_dict().items()}


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('work_dir')
    parser.add_argument('epochs', type=int)
    parser.add_argument('--kill-at-epoch', type=int, default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    build_runner(args.work_dir, args.epochs,
                 kill_at_epoch=args.kill_at_epoch).train()
    sys.exit(0)
