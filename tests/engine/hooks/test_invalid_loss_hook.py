"""InvalidLossGuardHook: stop at the NaN iteration, before it is saved."""
import os
import os.path as osp

import pytest
import torch
from tiny_train import TinyModel, build_runner

from aten_mm.utils import load_checkpoint


@pytest.fixture(autouse=True)
def _restore_determinism():
    flag = torch.are_deterministic_algorithms_enabled()
    yield
    torch.use_deterministic_algorithms(flag)


def test_nan_loss_stops_before_checkpoint(tmp_path):
    work = str(tmp_path)
    k = 6  # 1-based iteration 6 = epoch 2, batch 2 (4 batches per epoch)
    runner = build_runner(
        work, 3, nan_at_iter=k, name='nan',
        # a checkpoint after EVERY iteration: the guard must run first
        checkpoint=dict(type='CheckpointHook', interval=1, by_epoch=False))
    with pytest.raises(FloatingPointError) as info:
        runner.train()
    msg = str(info.value)
    last = osp.join(work, f'iter_{k - 1}.pth')
    assert f'iteration {k} (epoch 2, batch 2' in msg
    assert 'loss=nan' in msg and last in msg
    saved = sorted(f for f in os.listdir(work) if f.endswith('.pth'))
    assert saved == sorted(f'iter_{i}.pth' for i in range(1, k))
    with open(osp.join(work, 'last_checkpoint')) as f:
        assert f.read().strip() == last
    model = TinyModel()
    load_checkpoint(model, last)
    assert all(torch.isfinite(v).all() for v in model.state_dict().values())
    # The model in memory did take the NaN step: exactly what was not saved.
    assert not all(
        torch.isfinite(v).all() for v in runner.model.state_dict().values())


def test_finite_losses_pass_and_no_checkpoint_message():
    from aten_mm.engine.hooks import InvalidLossGuardHook
    hook = InvalidLossGuardHook()
    assert hook._bad_terms(dict(loss=torch.tensor(1.0), acc=float('nan'))) \
        == {}
    bad = hook._bad_terms(
        dict(loss=torch.tensor(float('inf')), loss_mask=torch.tensor(2.0)))
    assert bad == dict(loss=float('inf'))
    with pytest.raises(ValueError, match='interval'):
        InvalidLossGuardHook(interval=0)
