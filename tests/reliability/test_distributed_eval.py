"""Evaluation over 2 processes (gloo, ``test_model(launcher='pytorch')``,
what ``tools/test.py --launcher pytorch`` runs as started by
``tools/dist_test.sh``) gives exactly the numbers
of 1 process, with an odd number of videos (3 over 2 ranks): no frame lost
or counted twice (issue 9, item 4).

Clip mode with the tiny per-frame Parsing R-CNN and stream mode with the
tiny ATEN (``VideoSampler``: whole videos per rank, in frame order).
"""
import json
import math
import os
import os.path as osp

import pytest
import torch
import torch.multiprocessing as mp
from reliability_helpers import (
    REPO,
    metrics_equal,
    synthetic_set,
    tree_bytes,
)

from aten_mm.apis import init_model, test_model

#: 5 synthetic videos -> train = videos1..3 (odd), frames 1 4 annotated
NUM_FRAMES = 5
ANNOTATED = ('000000000001', '000000000004')


def _config(tmp, base, body):
    """A config file inheriting ``base`` with the test's overrides."""
    path = osp.join(str(tmp), osp.basename(base))
    with open(path, 'w') as f:
        f.write(f'_base_ = [{base!r}]\n{body}')
    return path


# Fusion threshold 0 (and box-filling masks, below): the random-weight
# model's persons are kept, so the person/part AP terms are not all zeros.
PER_FRAME = """
model = dict(test_cfg=dict(fusion=dict(score_thr=0.0)))
test_dataloader = dict(dataset=dict(split='train'))
"""
STREAM = """
model = dict(detector=dict(test_cfg=dict(
    rcnn=dict(score_thr=0.0), fusion=dict(score_thr=0.0))))
test_dataloader = dict(dataset=dict(
    split='train', clip_cfg=dict(_delete_=True, mode='stream')))
"""


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('dist')
    root = synthetic_set(str(tmp / 'set'), num_videos=5,
                         num_frames=NUM_FRAMES)
    with open(osp.join(root, 'summary.json')) as f:
        assert json.load(f)['splits']['train'] == [
            'videos1', 'videos2', 'videos3']
    cases = {}
    for name, base, body in (
            ('clip', 'configs/parsing_rcnn/parsing-rcnn_tiny_synthetic.py',
             PER_FRAME),
            ('stream', 'configs/aten/aten_tiny_synthetic.py', STREAM)):
        cfg = _config(tmp, osp.join(REPO, base), body)
        torch.manual_seed(0)
        model = init_model(cfg)
        detector = getattr(model, 'detector', model)
        # random mask logits are mostly < 0 (empty masks, no person left
        # after fusion): a positive bias gives every detection its box
        detector.roi_head.mask_head.conv_logits.bias.data.fill_(3.0)
        ckpt = str(tmp / f'{name}.pth')
        torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
        cases[name] = (cfg, ckpt)
    return dict(tmp=tmp, root=root, cases=cases)


def _rank_worker(rank, init_file, kwargs, queue):
    """One rank of ``tools/test.py --launcher pytorch`` (what
    ``tools/dist_test.sh`` starts through torchrun), in a forked process.

    The process group is joined here through a file, as torchrun's
    workers join the store their launcher already listens on: no port is
    picked and released (another process could take it in between); the
    tool finds the group initialised.
    """
    try:
        import torch.distributed as dist
        os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank),
                          WORLD_SIZE='2')
        dist.init_process_group('gloo', init_method=f'file://{init_file}',
                                rank=rank, world_size=2)
        metrics = test_model(**kwargs, launcher='pytorch')
        dist.barrier()
        dist.destroy_process_group()
        queue.put((rank, 'ok', metrics))
    except BaseException:  # report, never hang the parent
        import traceback
        queue.put((rank, 'error', traceback.format_exc()))
    finally:
        queue.close()
        queue.join_thread()  # flush the result before leaving
        os._exit(0)  # skip pytest's exit handlers in the child


def _run_two_processes(kwargs, init_file):
    """Metrics of rank 0 and 1 of a 2-process gloo evaluation."""
    ctx = mp.get_context('fork')
    queue = ctx.Queue()
    procs = [ctx.Process(target=_rank_worker,
                         args=(r, init_file, kwargs, queue))
             for r in range(2)]
    for p in procs:
        p.start()
    try:
        got = dict()
        for _ in procs:
            rank, status, value = queue.get(timeout=600)  # hang guard
            assert status == 'ok', f'rank {rank} failed:\n{value}'
            got[rank] = value
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    return got


@pytest.mark.parametrize('mode', ['clip', 'stream'])
def test_two_processes_equal_one(setup, mode):
    cfg, ckpt = setup['cases'][mode]
    tmp, root = setup['tmp'], setup['root']
    one_dir, two_dir = str(tmp / f'{mode}_1'), str(tmp / f'{mode}_2')
    one = test_model(
        cfg, ckpt, work_dir=str(tmp / f'{mode}_w1'), out_dir=one_dir,
        cfg_options={'test_dataloader.dataset.data_root': root,
                     'visualizer.name': f'dist_{mode}'})
    ranks = _run_two_processes(dict(
        config=cfg, checkpoint=ckpt, work_dir=str(tmp / f'{mode}_w2'),
        out_dir=two_dir,
        cfg_options={'test_dataloader.dataset.data_root': root,
                     'visualizer.name': f'dist2_{mode}'}),
        str(tmp / f'{mode}_rendezvous'))
    two = ranks[0]
    assert metrics_equal(ranks[1], two)  # every rank gets the same dict
    # The AP terms are real numbers (with random weights they may be 0:
    # the random boxes need not match the people), the part scores too.
    assert 0 < one['vip/mIoU'] < 100
    assert len(one) == 4 + 20 + 11 + 10 + 1
    assert math.isfinite(one['vip/APr']) and math.isfinite(
        one['vip/APr_vol_nanmean'])
    assert metrics_equal(one, two)
    # Every annotated frame of the 3 videos evaluated exactly once, with
    # byte-identical official prediction files.
    files1, files2 = tree_bytes(one_dir), tree_bytes(two_dir)
    gray = sorted(k for k in files1 if '/gray/global_' in k)
    assert gray == [f'videos{v}/gray/global_{f}.png' for v in (1, 2, 3)
                    for f in ANNOTATED]
    assert files1 == files2
    # the compared files hold detected persons (scored instances), so the
    # equality covers the person branch too
    scores = [v for k, v in files1.items() if '/gray/scores_' in k]
    assert scores and any(v.strip() for v in scores)


def test_rank_split_is_uneven_and_complete(setup):
    """What the equality above relies on: rank 0 and rank 1 get different
    numbers of whole videos (no padding, no duplicate)."""
    from mmengine.config import Config

    from aten_mm.datasets.samplers import VideoSampler
    from aten_mm.registry import DATASETS
    cfg = Config.fromfile(setup['cases']['stream'][0])
    ds_cfg = cfg.test_dataloader.dataset
    ds_cfg.data_root = setup['root']
    dataset = DATASETS.build(ds_cfg)
    assert len(dataset) == 3 * NUM_FRAMES
    ranks = [VideoSampler(dataset, rank=r, world_size=2) for r in (0, 1)]
    assert [r.video_ids for r in ranks] in (
        [['videos1'], ['videos2', 'videos3']],
        [['videos1', 'videos2'], ['videos3']])
    assert list(ranks[0]) + list(ranks[1]) == list(range(len(dataset)))
