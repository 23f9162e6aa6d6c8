"""Same seed, same numbers on CPU (issue 9, item 4).

The tiny per-frame Parsing R-CNN is trained for a few iterations through
:func:`aten_mm.apis.train_model` (what ``tools/train.py`` runs; random
flip and photometric distortion on, SGD with momentum) and validated,
twice with ``randomness=dict(seed=0, deterministic=True)``: weights and
metric dicts must be identical. A run with another seed is the control
that the comparison can see a difference.
"""
import json
import os.path as osp

import pytest
import torch
from reliability_helpers import (
    PER_FRAME_CFG,
    metrics_equal,
    synthetic_set,
)

from aten_mm.apis import train_model


@pytest.fixture(autouse=True)
def _restore_determinism():
    """The runs switch torch.use_deterministic_algorithms on; undo it."""
    flag = torch.are_deterministic_algorithms_enabled()
    yield
    torch.use_deterministic_algorithms(flag)


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('determinism')
    # 4 videos -> 2 train / 1 val / 1 test; frames 1, 3, 5 annotated:
    # 6 training frames, batch 2 -> 3 iterations per epoch
    root = synthetic_set(str(tmp / 'set'), num_videos=4, num_frames=5,
                         annotate_every=2, seed=3)
    return tmp, root


def _train(tmp, root, seed, run):
    cfg = osp.join(str(tmp), f'seed{seed}.py')
    with open(cfg, 'w') as f:
        f.write(f'_base_ = [{PER_FRAME_CFG!r}]\n'
                f'randomness = dict(seed={seed}, deterministic=True)\n')
    work = str(tmp / run)
    opts = {'visualizer.name': f'det_{run}', 'train_cfg.max_epochs': 1,
            'train_cfg.val_interval': 1}
    for split in ('train', 'val'):
        opts[f'{split}_dataloader.dataset.data_root'] = root
    runner = train_model(cfg, work_dir=work, cfg_options=opts)
    assert runner.iter == 3
    path = osp.join(work, runner.timestamp, 'vis_data', 'scalars.json')
    with open(path) as f:
        log = [json.loads(line) for line in f if line.strip()]
    (metrics, ) = [e for e in log if 'vip/mIoU' in e]
    metrics = {k: v for k, v in metrics.items() if k.startswith('vip/')}
    weights = {k: v.detach().clone()
               for k, v in runner.model.state_dict().items()}
    return metrics, weights


def test_same_seed_identical_weights_and_metrics(setup):
    tmp, root = setup
    m1, w1 = _train(tmp, root, 0, 'a')
    m2, w2 = _train(tmp, root, 0, 'b')
    assert len(m1) == 46 and 0 < m1['vip/mIoU'] < 100
    assert metrics_equal(m1, m2), (m1, m2)
    assert w1.keys() == w2.keys()
    for key in w1:
        assert torch.equal(w1[key], w2[key]), key
    # Control: another seed trains to other weights and numbers.
    m3, w3 = _train(tmp, root, 1, 'c')
    assert not metrics_equal(m1, m3)
    assert any(not torch.equal(w1[k], w3[k]) for k in w1
               if w1[k].is_floating_point())
