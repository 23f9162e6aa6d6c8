"""mmengine Runner with atomic checkpoints and exact resume."""
import functools
import os
import os.path as osp

from mmengine.dist import master_only
from mmengine.fileio import LocalBackend, get_file_backend
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from mmengine.runner.base_loop import BaseLoop

from aten_mm.registry import MODELS, RUNNERS
from aten_mm.utils.checkpoint import (
    check_resumable,
    load_checkpoint_to_model,
    safe_torch_load,
)
from aten_mm.utils.config_check import build_with_context

#: Key of the training sampler's seed in the message hub's runtime info,
#: saved in every checkpoint (``checkpoint['message_hub']``).
SAMPLER_SEED_KEY = 'train_sampler_seed'


@RUNNERS.register_module()
class ATENRunner(Runner):
    """Runner used by every aten_mm config (``runner_type='ATENRunner'``).

    Additions to :class:`mmengine.runner.Runner`; the first two are needed
    so that a training killed at any moment resumes to exactly the weights
    of an uninterrupted run, whether or not the config sets a seed:

    * **Atomic checkpoints.** :meth:`save_checkpoint` writes to a temporary
      file in the same folder, flushes it to disk and renames it onto the
      final name with :func:`os.replace` (atomic on POSIX). A kill while
      saving leaves at most a ``*.tmp`` file, never a truncated
      ``epoch_N.pth``; ``CheckpointHook`` updates ``last_checkpoint`` only
      after the save returned, so it always names a complete file.
    * **Exact resume.** mmengine builds the training sampler (and the
      worker seeding) with the run's seed *before* :meth:`resume` restores
      the checkpoint's seed: without ``randomness.seed`` in the config the
      resumed run shuffles with a fresh random seed, so two resumes of one
      checkpoint give different weights. :meth:`resume` gives the sampler
      the seed it had in the interrupted run (saved with the checkpoint)
      and re-seeds the workers from the restored run seed. The global
      generators are re-seeded per step by
      :class:`~aten_mm.engine.hooks.StepReseedHook`, which this runner
      registers by default (``default_hooks['step_reseed']``).
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

    def register_default_hooks(self, hooks=None) -> None:
        """mmengine's default hooks plus ``step_reseed``
        (:class:`~aten_mm.engine.hooks.StepReseedHook`); a config turns it
        off with ``default_hooks=dict(step_reseed=None)``.

        Args:
            hooks (dict, optional): The config's ``default_hooks``.
        """
        from .hooks import StepReseedHook
        hooks = dict(hooks or {})
        hooks.setdefault('step_reseed', dict(type=StepReseedHook))
        if hooks['step_reseed'] is None:
            del hooks['step_reseed']  # mmengine refuses None for its own
        super().register_default_hooks(hooks)

    def load_or_resume(self) -> None:
        """Load or resume as mmengine does, then record the training
        sampler's seed in the message hub, so that every checkpoint saves
        it."""
        super().load_or_resume()
        seed = self._train_sampler_seed()
        if seed is not None:
            self.message_hub.update_info(SAMPLER_SEED_KEY, seed)

    def resume(self, filename: str, *args, **kwargs) -> None:
        """Resume as mmengine does, then shuffle as the interrupted run did.

        A checkpoint without the training state (a plain state dict) is
        refused naming the file. The sampler gets the seed saved with the
        checkpoint (checkpoints without one: the restored run seed, which
        is what mmengine gives the sampler unless
        ``randomness.diff_rank_seed`` is set); the
        workers are seeded from the restored run seed; an iteration-based
        loop's iterator, created with the old seed, is created again.

        Args:
            filename (str): The checkpoint.
            *args: Passed to :meth:`mmengine.runner.Runner.resume`.
            **kwargs: Passed to :meth:`mmengine.runner.Runner.resume`.
        """
        self.message_hub.pop_info(SAMPLER_SEED_KEY)
        self._resuming = True
        try:
            super().resume(filename, *args, **kwargs)
        finally:
            self._resuming = False
        seed = self.message_hub.get_info(SAMPLER_SEED_KEY)
        if seed is None and not self._randomness_cfg.get(
                'diff_rank_seed', False):
            seed = self.seed
        if seed is not None:
            self._restore_train_seeds(seed)

    def _train_samplers(self) -> list:
        """The training sampler(s) that hold a ``seed``."""
        loader = self.train_loop.dataloader
        found = []
        for sampler in (getattr(loader, 'sampler', None),
                        getattr(getattr(loader, 'batch_sampler', None),
                                'sampler', None)):
            if hasattr(sampler, 'seed') and all(sampler is not s
                                                for s in found):
                found.append(sampler)
        return found

    def _train_sampler_seed(self):
        """The training sampler's seed; None before the train loop is
        built (``val``/``test``) or for a sampler without one."""
        if not isinstance(self._train_loop, BaseLoop):
            return None
        samplers = self._train_samplers()
        return samplers[0].seed if samplers else None

    def _restore_train_seeds(self, sampler_seed: int) -> None:
        """Give the training sampler ``sampler_seed`` and the workers the
        run seed, and restart an iteration-based loop's iterator."""
        loop = self.train_loop
        loader = loop.dataloader
        for sampler in self._train_samplers():
            sampler.seed = sampler_seed
            if hasattr(sampler, '_indices_of_rank'):  # InfiniteSampler
                sampler.indices = sampler._indices_of_rank()
        init_fn = getattr(loader, 'worker_init_fn', None)
        if isinstance(init_fn, functools.partial) and \
                'seed' in init_fn.keywords:
            loader.worker_init_fn = functools.partial(
                init_fn.func, *init_fn.args,
                **dict(init_fn.keywords, seed=self.seed))
        if hasattr(loop, 'dataloader_iterator'):
            # created by the loop with the old seed (worker processes may
            # have fetched ahead): start it again
            loader._iterator = None  # persistent workers' cached iterator
            loop.dataloader_iterator = type(loop.dataloader_iterator)(
                loader)

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
