"""Re-seed the random generators before every training step."""
import random
from typing import Callable, Iterator

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from aten_mm.registry import HOOKS

# Tags mixed into the per-step seeds so that epoch, iteration and batch
# seeds never coincide.
EPOCH_TAG = 0x45504F43
ITER_TAG = 0x49544552
BATCH_TAG = 0x42415443


def reseed(seed: int, tag: int, step: int, rank: int = None) -> None:
    """Seed ``random``, ``numpy`` and ``torch`` from (seed, tag, step).

    Args:
        seed (int): The run's seed (``runner.seed``).
        tag (int): ``EPOCH_TAG``, ``ITER_TAG`` or ``BATCH_TAG``.
        step (int): The 0-based epoch, iteration or batch about to run.
        rank (int, optional): Mixed in as well when given
            (``diff_rank_seed=True``).
    """
    entropy = [int(seed) % 2**32, tag, int(step)]
    if rank is not None:
        entropy.append(int(rank))
    value = int(np.random.SeedSequence(entropy).generate_state(1)[0])
    random.seed(value)
    np.random.seed(value)
    torch.manual_seed(value)


class ReseedingIterator:
    """Re-seed the generators before every training batch is fetched.

    mmengine's ``IterBasedTrainLoop`` fetches batch i *before* the hooks of
    iteration i run, and on resume it fetches (and drops) the batches of the
    already trained iterations. With the generators re-seeded from
    ``(seed, batch index)`` right before each fetch, random augmentation in
    the main process (``num_workers=0``) draws the same numbers for batch i
    in a resumed and in an uninterrupted run.

    Args:
        iterator (Iterator): The loop's ``dataloader_iterator``.
        reseed_batch (Callable[[int], None]): Re-seeds for a batch index.
    """

    def __init__(self, iterator: Iterator,
                 reseed_batch: Callable[[int], None]) -> None:
        self._iterator = iterator
        self._reseed_batch = reseed_batch
        self._count = 0

    def __iter__(self):
        return self

    def __next__(self):
        self._reseed_batch(self._count)
        self._count += 1
        return next(self._iterator)

    def __getattr__(self, name):
        return getattr(self._iterator, name)


@HOOKS.register_module()
class StepReseedHook(Hook):
    """Make what a training step draws depend only on the seed and the step.

    mmengine's resume restores weights, optimizer, schedulers,
    epoch/iteration and the sampler's shuffling (``DefaultSampler``
    shuffles with ``seed + epoch``), but not the global
    ``random``/``numpy``/``torch`` generators: after a resume they restart
    from the initial seed, so dropout or random augmentation draw different
    numbers than in the uninterrupted run. This hook re-seeds them from
    ``(runner.seed, epoch)`` before every training epoch and from
    ``(runner.seed, iteration)`` before every training iteration. In an
    iteration-based loop it also re-seeds from ``(runner.seed, batch
    index)`` before every batch is fetched (:class:`ReseedingIterator`),
    so random augmentation in the main process (``num_workers=0``) is
    reproduced although mmengine fetches and drops the trained batches on
    resume; worker processes are seeded by mmengine from the runner seed
    and replay the same sequence. With ``randomness.diff_rank_seed=True``
    the rank is mixed in as well.

    :class:`~aten_mm.engine.ATENRunner` registers this hook by default
    (as ``default_hooks['step_reseed']``; set it to None to turn it off).
    Its priority is ``HIGHEST``: the generators are re-seeded before any
    other hook of the step runs.
    """

    priority = 'HIGHEST'

    def _reseed(self, runner, tag: int, step: int) -> None:
        randomness = getattr(runner, '_randomness_cfg', None) or {}
        rank = get_rank() if randomness.get('diff_rank_seed') else None
        reseed(runner.seed, tag, step, rank)

    def before_train(self, runner) -> None:
        """Re-seed before every batch fetch of an iteration-based loop."""
        loop = runner.train_loop
        iterator = getattr(loop, 'dataloader_iterator', None)
        if iterator is not None and not isinstance(iterator,
                                                   ReseedingIterator):
            loop.dataloader_iterator = ReseedingIterator(
                iterator,
                lambda batch: self._reseed(runner, BATCH_TAG, batch))

    def before_train_epoch(self, runner) -> None:
        """Re-seed from ``(seed, epoch)``."""
        self._reseed(runner, EPOCH_TAG, runner.epoch)

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        """Re-seed from ``(seed, iteration)``."""
        self._reseed(runner, ITER_TAG, runner.iter)
