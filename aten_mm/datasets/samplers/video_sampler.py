"""Val/test sampler giving each rank whole videos in frame order."""
from typing import Iterator, List, Optional, Sequence, Tuple

from mmengine.dist import get_dist_info
from torch.utils.data import Sampler

from aten_mm.registry import DATA_SAMPLERS


def video_groups(dataset) -> List[Tuple[str, List[int]]]:
    """Consecutive runs of items of one video, ``(video_id, indices)``.

    Uses ``dataset.video_groups()`` when the dataset has it (our video
    datasets), else the ``video_id`` of ``dataset.get_data_info(i)``.
    """
    if hasattr(dataset, 'video_groups'):
        return dataset.video_groups()
    groups: List[Tuple[str, List[int]]] = []
    for i in range(len(dataset)):
        vid = dataset.get_data_info(i)['video_id']
        if groups and groups[-1][0] == vid:
            groups[-1][1].append(i)
        else:
            groups.append((vid, [i]))
    return groups


def split_contiguous(sizes: Sequence[int], parts: int) -> List[int]:
    """Cut a sequence of weights into ``parts`` contiguous runs.

    Each cut is placed at the run boundary whose cumulative weight is
    nearest to ``r * total / parts`` (ties -> the later cut; cuts are
    monotone, some runs may be empty when there are fewer items than
    parts).

    Args:
        sizes (Sequence[int]): Weight of each item (frames of a video).
        parts (int): Number of runs (ranks).

    Returns:
        list[int]: ``parts + 1`` boundaries ``b`` (run r = items
        ``b[r] … b[r+1]-1``), ``b[0] = 0``, ``b[-1] = len(sizes)``.
    """
    cum = [0]
    for s in sizes:
        cum.append(cum[-1] + s)
    total = cum[-1]
    bounds = [0]
    for r in range(1, parts):
        goal = r * total / parts
        best = min(range(bounds[-1], len(cum)),
                   key=lambda b: (abs(cum[b] - goal), -b))
        bounds.append(best)
    bounds.append(len(sizes))
    return bounds


@DATA_SAMPLERS.register_module()
class VideoSampler(Sampler):
    """Whole videos per rank, each in frame order, no padding.

    Stream-mode models keep per-video state, so a video must not be split
    between ranks and its frames must come in order. The videos (runs of
    consecutive items with one ``video_id``) are cut into ``world_size``
    contiguous chunks balanced by item count (:func:`split_contiguous`);
    rank r iterates chunk r.

    Unlike mmengine's ``DefaultSampler`` nothing is padded or duplicated:
    the ranks' lengths may differ and their sum is ``len(dataset)``.
    mmengine's ``BaseMetric.evaluate(size=len(dataset))`` gathers the
    results of all ranks (``collect_results`` interleaves them and keeps
    the first ``size``), so every item is evaluated exactly once; metrics
    must identify frames by their metainfo (``video_id``, ``frame_index``),
    not by the gathered order.

    Args:
        dataset: A dataset with ``video_groups()`` or items with
            ``video_id``.
        seed (int | None): Unused (accepted because mmengine's Runner
            passes it to every sampler).
        rank (int | None): This rank; None = from ``mmengine.dist``.
        world_size (int | None): Number of ranks; None = from
            ``mmengine.dist``.
    """

    def __init__(self,
                 dataset,
                 seed: Optional[int] = None,
                 rank: Optional[int] = None,
                 world_size: Optional[int] = None):
        dist_rank, dist_world = get_dist_info()
        self.rank = dist_rank if rank is None else rank
        self.world_size = dist_world if world_size is None else world_size
        if not 0 <= self.rank < self.world_size:
            raise ValueError(f'rank {self.rank} is outside world size '
                             f'{self.world_size}')
        self.dataset = dataset
        groups = video_groups(dataset)
        bounds = split_contiguous([len(g[1]) for g in groups],
                                  self.world_size)
        mine = groups[bounds[self.rank]:bounds[self.rank + 1]]
        self.video_ids = [g[0] for g in mine]
        self.indices = [i for g in mine for i in g[1]]

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices)

    def __len__(self) -> int:
        return len(self.indices)

    def set_epoch(self, epoch: int) -> None:
        """No-op (deterministic order); for ``DistSamplerSeedHook``."""
