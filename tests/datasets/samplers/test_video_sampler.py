"""VideoSampler: whole videos per rank, frame order, nothing lost/doubled."""
import pytest
import torch.multiprocessing as mp

from aten_mm.datasets import VIPDataset
from aten_mm.datasets.samplers import VideoSampler, split_contiguous


class FakeVideos:
    """Items ``(video_id, frame_index)`` of videos with given lengths."""

    def __init__(self, lengths):
        self.items = [dict(video_id=f'v{v}', frame_index=t)
                      for v, n in enumerate(lengths) for t in range(n)]

    def __len__(self):
        return len(self.items)

    def get_data_info(self, i):
        return dict(self.items[i])


def check_partition(dataset, world_size):
    per_rank = [list(VideoSampler(dataset, rank=r, world_size=world_size))
                for r in range(world_size)]
    # rank 0 then rank 1 ... is exactly the dataset order: no loss, no
    # duplicate, frame order kept
    assert sum(per_rank, []) == list(range(len(dataset)))
    owner = {}
    for r, idx in enumerate(per_rank):
        for i in idx:
            vid = dataset.get_data_info(i)['video_id']
            assert owner.setdefault(vid, r) == r  # whole videos per rank
    return [len(idx) for idx in per_rank]


def test_split_contiguous():
    assert split_contiguous([5, 5, 5, 5], 2) == [0, 2, 4]
    assert split_contiguous([10, 1, 1, 1, 1], 2) == [0, 1, 5]
    # cumulative 0 3 4 7 8, goals 2.67 and 5.33 -> cuts after 3 and 4
    assert split_contiguous([3, 1, 3, 1], 3) == [0, 1, 2, 4]
    assert split_contiguous([4], 3) == [0, 0, 1, 1]


def test_two_ranks_fake_and_real(synthetic_vip):
    assert check_partition(FakeVideos([5, 5, 5, 5]), 2) == [10, 10]
    assert check_partition(FakeVideos([7, 2, 3, 6]), 2) == [9, 9]
    assert check_partition(FakeVideos([4]), 2) == [4, 0]
    root, summary = synthetic_vip
    ds = VIPDataset(data_root=root, split='train',
                    clip_cfg=dict(mode='stream'))
    assert check_partition(ds, 2) == [10, 10]
    assert len(VideoSampler(ds, rank=0, world_size=1)) == len(ds)
    with pytest.raises(ValueError, match='rank 2'):
        VideoSampler(ds, rank=2, world_size=2)


def _worker(rank, world_size, init_file, lengths, queue):
    import torch.distributed as dist
    from mmengine.evaluator import BaseMetric

    # rendezvous through a file: no port to pick (a port found free and
    # released before gloo binds it can be taken in between)
    dist.init_process_group('gloo', init_method=f'file://{init_file}',
                            rank=rank, world_size=world_size)

    class Collect(BaseMetric):

        def process(self, data_batch, data_samples):
            self.results.extend(data_samples)

        def compute_metrics(self, results):
            queue.put(results)
            return {}

    dataset = FakeVideos(lengths)
    metric = Collect()
    for i in VideoSampler(dataset):  # rank/world size from mmengine.dist
        metric.process(None, [dataset.get_data_info(i)])
    metric.evaluate(size=len(dataset))
    dist.destroy_process_group()


def test_evaluator_gets_every_frame_once_over_two_processes(tmp_path):
    init_file = str(tmp_path / 'rendezvous')
    lengths = [7, 2, 3, 6, 1]
    ctx = mp.get_context('fork')
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker,
                         args=(r, 2, init_file, lengths, queue))
             for r in range(2)]
    for p in procs:
        p.start()
    results = queue.get(timeout=600)  # a hang guard only
    for p in procs:
        p.join(timeout=600)
        assert p.exitcode == 0
    got = sorted((r['video_id'], r['frame_index']) for r in results)
    want = sorted((f'v{v}', t) for v, n in enumerate(lengths)
                  for t in range(n))
    assert got == want
