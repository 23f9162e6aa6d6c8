"""mmengine Runner with atomic checkpoints and exactly resumable RNG."""
import os
import os.path as osp
import random

import numpy as np
import torch
from mmengine.dist import get_rank, master_only
from mmengine.fileio import LocalBackend, get_file_backend
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from aten_mm.registry import MODELS, RUNNERS
from aten_mm.utils.checkpoint import (
    check_resumable,
    load_checkpoint_to_model,
    safe_torch_load,
)
from aten_mm.utils.config_check import build_with_context

# Tags mixed into the per-step seeds so that epoch and iteration seeds
# never coincide.
_EPOCH_TAG = 0x45504F43
_ITER_TAG = 0x49544552
_BATCH_TAG = 0x42415443


class _ReseedingIterator:
    """Re-seed the generators before every training batch is fetched.

    mmengine's ``IterBasedTrainLoop`` fetches batch i *before* the hooks of
    iteration i run, and on resume it fetches (and drops) the batches of the
    already trained iterations. With the generators re-seeded from
    ``(seed, batch index)`` right before each fetch, random augmentation in
    the main process (``num_workers=0``) draws the same numbers for batch i
    in a resumed and in an uninterrupted run.

    Args:
        iterator: The loop's ``dataloader_iterator``.
        reseed (Callable[[int, int], None]): ``ATENRunner._reseed``.
    """

    def __init__(self, iterator, reseed) -> None:
        self._iterator = iterator
        self._reseed = reseed
        self._count = 0

    def __iter__(self):
        return self

    def __next__(self):
        self._reseed(_BATCH_TAG, self._count)
        self._count += 1
        return next(self._iterator)

    def __getattr__(self, name):
        return getattr(self._iterator, name)


@RUNNERS.register_module()
class ATENRunner(Runner):
    """Runner used by every aten_mm config (``runner_type='ATENRunner'``).

    Additions to :class:`mmengine.runner.Runner`; the first two are needed
    so that a training killed at any moment resumes to exactly the weights
    of an uninterrupted run (issue 9):

    * **Atomic checkpoints.** :meth:`save_checkpoint` writes to a temporary
      file in the same folder, flushes it to disk and renames it onto the
      final name with :func:`os.replace` (atomic on POSIX). A kill while
      saving leaves at most a ``*.tmp`` file, never a truncated
      ``epoch_N.pth``; ``CheckpointHook`` updates ``last_checkpoint`` only
      after the save returned, so it always names a complete file.
    * **History-free randomness.** mmengine's resume restores weights,
      optimizer, schedulers, epoch/iteration and the sampler's shuffling
      (``DefaultSampler`` shuffles with ``seed + epoch``), but not the
      global ``random``/``numpy``/``torch`` generators: after a resume they
      restart from the initial seed, so dropout or random augmentation
      draw different numbers than in the uninterrupted run. Here the
      generators are re-seeded from ``(seed, epoch)`` before every training
      epoch and from ``(seed, iteration)`` before every training iteration,
      so what an iteration draws depends only on the seed and its index.
      With ``diff_rank_seed=True`` the rank is mixed in as well.
      In an iteration-based loop the generators are also re-seeded from
      ``(seed, batch index)`` before every batch is fetched, so random
      augmentation in the main process (``num_workers=0``) is reproduced
      although mmengine fetches and drops the trained batches on resume;
      worker processes are seeded by mmengine from the runner seed and
      replay the same sequence.
    * **Safe loading.** ``load_from`` and ``resume`` read checkpoints with
      :func:`aten_mm.utils.checkpoint.safe_torch_load` (``weights_only``
      mode, our allow-list, a clear refusal otherwise) and report the
      missing/unexpected keys of a checkpoint from another config.
    """

    def load_checkpoint(self, filename: str, map_location='cpu',
                        strict: bool = False,
                        revise_keys: list = [(r'^module.', '')]) -> dict:
        """Load ``filename`` into the model (used by load_from and resume).

        Args:
            filename (str): Local path or URL.
            map_location (str | callable): As in :func:`torch.load`.
            strict (bool): Raise on disagreeing keys.
            revise_keys (list): Regexes applied to the checkpoint's keys.

        Returns:
            dict: The checkpoint.
        """
        checkpoint = safe_torch_load(filename, map_location=map_location)
        if getattr(self, '_resuming', False):
            check_resumable(checkpoint, filename)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(
            self.model) else self.model
        load_checkpoint_to_model(model, checkpoint, filename=filename,
                                 strict=strict, logger=self.logger,
                                 revise_keys=revise_keys)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

    def resume(self, filename: str, *args, **kwargs) -> None:
        """Resume from ``filename`` (mmengine's resume, through
        :meth:`load_checkpoint`); a checkpoint without the training state
        (a plain state dict) is refused naming the file.

        Args:
            filename (str): The checkpoint.
            *args: Passed to :meth:`mmengine.runner.Runner.resume`.
            **kwargs: Passed to :meth:`mmengine.runner.Runner.resume`.
        """
        self._resuming = True
        try:
            super().resume(filename, *args, **kwargs)
        finally:
            self._resuming = False

    def _reseed(self, tag: int, step: int) -> None:
        """Seed ``random``, ``numpy`` and ``torch`` from (seed, tag, step).

        Args:
            tag (int): ``_EPOCH_TAG``, ``_ITER_TAG`` or ``_BATCH_TAG``.
            step (int): The 0-based epoch or iteration about to run.
        """
        entropy = [int(self.seed) % 2**32, tag, int(step)]
        if self._randomness_cfg.get('diff_rank_seed', False):
            entropy.append(get_rank())
        seed = int(np.random.SeedSequence(entropy).generate_state(1)[0])
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)

    def build_train_loop(self, loop):
        """Build the train loop; an iteration-based loop's batches are
        fetched through :class:`_ReseedingIterator`.

        Args:
            loop (BaseLoop | dict): The loop or its config.

        Returns:
            BaseLoop: The loop.
        """
        loop = super().build_train_loop(loop)
        if hasattr(loop, 'dataloader_iterator'):
            loop.dataloader_iterator = _ReseedingIterator(
                loop.dataloader_iterator, self._reseed)
        return loop

    def build_model(self, model):
        """Build the model; an unknown type or keyword anywhere in the
        ``model`` config raises :class:`ConfigError` naming its key path
        (e.g. ``model.backbone: unknown type 'ResNett' ...``) instead of
        mmengine's bare ``KeyError``/``TypeError``.

        Args:
            model (nn.Module | dict): The model or its config.

        Returns:
            nn.Module: The model.
        """
        if isinstance(model, dict):
            return build_with_context(MODELS, model, where='model')
        return super().build_model(model)

    def call_hook(self, fn_name: str, **kwargs) -> None:
        """Call the hooks of ``fn_name``, re-seeding before train steps.

        Args:
            fn_name (str): The hook method, e.g. ``'before_train_iter'``.
            **kwargs: Passed to the hooks.
        """
        if fn_name == 'before_train_epoch':
            self._reseed(_EPOCH_TAG, self.epoch)
        elif fn_name == 'before_train_iter':
            self._reseed(_ITER_TAG, self.iter)
        super().call_hook(fn_name, **kwargs)

    @master_only
    def save_checkpoint(self, out_dir: str, filename: str, *args,
                        **kwargs) -> None:
        """Save a checkpoint atomically (same arguments as mmengine's).

        Args:
            out_dir (str): The folder of the checkpoint.
            filename (str): Its file name, e.g. ``'epoch_3.pth'``.
            *args: Passed to :meth:`mmengine.runner.Runner.save_checkpoint`.
            **kwargs: Passed to
                :meth:`mmengine.runner.Runner.save_checkpoint`.
        """
        backend_args = kwargs.get('backend_args')
        file_client_args = kwargs.get('file_client_args')
        if file_client_args is not None or not isinstance(
                get_file_backend(out_dir, backend_args=backend_args),
                LocalBackend):
            # Remote storage (object stores) write whole objects anyway.
            super().save_checkpoint(out_dir, filename, *args, **kwargs)
            return
        final = osp.join(out_dir, filename)
        tmp_name = f'{filename}.tmp'
        tmp = osp.join(out_dir, tmp_name)
        try:
            super().save_checkpoint(out_dir, tmp_name, *args, **kwargs)
            with open(tmp, 'rb+') as f:
                os.fsync(f.fileno())
            os.replace(tmp, final)
        except BaseException:
            if osp.exists(tmp):
                os.remove(tmp)
            raise
        try:
            dir_fd = os.open(out_dir or '.', os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)
