"""Stop training at the first NaN/inf loss, before anything saves it."""
import math
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.runner import find_latest_checkpoint

from aten_mm.registry import HOOKS


def _as_float(value) -> Optional[float]:
    """The scalar value of a logged loss, or None if it is not a scalar."""
    if isinstance(value, torch.Tensor):
        if value.numel() == 0:
            return None
        return float(value.detach().float().mean())
    if isinstance(value, (int, float)):
        return float(value)
    return None


@HOOKS.register_module()
class InvalidLossGuardHook(Hook):
    """Raise at once when a training loss becomes NaN or infinite.

    The total loss of Eq. (7) (ATEN §4.5) is a sum of the parsing, RPN,
    box and mask terms, so one diverging term makes it non-finite; the
    optimizer step of that iteration has then already written NaN into the
    weights. The hook runs right after the iteration with a priority above
    every other hook (``VERY_HIGH``), in particular above
    :class:`~mmengine.hooks.CheckpointHook` (``VERY_LOW``), so the broken
    weights are never saved and the last checkpoint on disk stays the last
    good one.

    Args:
        interval (int): Check every ``interval`` iterations. Defaults to 1
            (checking costs one scalar comparison per logged loss).
    """

    priority = 'VERY_HIGH'

    def __init__(self, interval: int = 1) -> None:
        if interval < 1:
            raise ValueError(
                f'InvalidLossGuardHook: interval must be >= 1, got {interval}')
        self.interval = interval

    @staticmethod
    def _bad_terms(outputs) -> dict:
        """Return ``{name: value}`` of every non-finite loss in ``outputs``.

        Args:
            outputs (dict | None): The log variables returned by
                ``train_step`` (``loss`` is their sum).

        Returns:
            dict: The non-finite ``loss*`` terms (empty if all are finite).
        """
        if not isinstance(outputs, dict):
            return {}
        bad = {}
        for name, value in outputs.items():
            if 'loss' not in name:
                continue
            number = _as_float(value)
            if number is not None and not math.isfinite(number):
                bad[name] = number
        return bad

    @staticmethod
    def _last_checkpoint(runner) -> Optional[str]:
        """The last checkpoint the CheckpointHook wrote, if any."""
        last = runner.message_hub.get_info('last_ckpt')
        if last:
            return str(last)
        return find_latest_checkpoint(runner.work_dir) or None

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """Check the losses of the iteration that just ran.

        Args:
            runner (Runner): The runner of the training process.
            batch_idx (int): Index of the batch within the epoch (0-based).
            data_batch (dict | tuple | list, optional): The data batch.
            outputs (dict, optional): The log variables of ``train_step``.

        Raises:
            FloatingPointError: naming the 1-based iteration and epoch (as
                in the training log), the non-finite loss terms and the
                last good checkpoint.
        """
        if not self.every_n_train_iters(runner, self.interval):
            return
        bad = self._bad_terms(outputs)
        if not bad:
            return
        terms = ', '.join(f'{k}={v}' for k, v in bad.items())
        last = self._last_checkpoint(runner)
        where = (f'the last good checkpoint is {last}' if last else
                 'no checkpoint has been saved yet')
        raise FloatingPointError(
            f'Training stopped: non-finite loss at iteration '
            f'{runner.iter + 1} (epoch {runner.epoch + 1}, batch '
            f'{batch_idx + 1}; 1-based as in the log): {terms}. The weights '
            f'of this iteration were not saved; {where}. Lower the learning '
            'rate or enable gradient clipping (optim_wrapper.clip_grad) '
            'and resume from that checkpoint.')
