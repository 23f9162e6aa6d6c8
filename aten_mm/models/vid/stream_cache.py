"""Per-video state of the stream-mode inference (paper Algorithm 1).

Stream mode receives the frames of a video one by one, in order. A frame
can only be parsed once every frame its feature depends on has arrived:
for ATEN its key frame and the ``p`` reference keys (which at a video's
start are *later* keys, paper §4.4), for FGFA its ``±K`` neighbours. The
cache therefore holds

* ``pending``: the frames that arrived but are not parsed yet (image and
  data sample), in frame order;
* ``entries``: the per-frame records the model keeps for later frames
  (ATEN/DFF: the key frames' images and raw features; FGFA: every frame's
  image and feature), keyed by ``frame_index``;
* ``memo``: one derived result the model may reuse across frames (ATEN: the
  encoded key feature F̄_k of the current key).

Nothing here grows with the video's length: entries no longer needed by a
pending or a future frame are dropped by :meth:`StreamCache.evict`.
"""
from collections import OrderedDict, deque
from typing import Any, Dict, Iterable, Optional


class StreamResults(list):
    """The results a stream-mode ``predict`` call released (maybe none).

    mmengine's ``ValLoop``/``TestLoop`` read ``outputs[-1]`` to look for a
    loss element before handing the outputs to the evaluator; an empty
    ``StreamResults`` answers None there (instead of raising IndexError),
    so a call that released no frame is an empty evaluator step. Any
    other use behaves as a plain list.
    """

    def __getitem__(self, index):
        if index == -1 and not self:
            return None
        return super().__getitem__(index)


class StreamCache:
    """Bounded state of one video in stream mode.

    Args:
        video_id (str | None): The video this state belongs to.
        video_length (int): Number of frames of the video (from the data
            sample's ``video_length``).
    """

    def __init__(self, video_id: Optional[str] = None,
                 video_length: int = 0) -> None:
        self.video_id = video_id
        self.video_length = int(video_length)
        self.last_index = -1
        self.pending: deque = deque()
        self.entries: 'OrderedDict[int, Dict[str, Any]]' = OrderedDict()
        self.memo: Dict[str, Any] = {}

    def __len__(self) -> int:
        """Number of cached per-frame entries."""
        return len(self.entries)

    def accepts(self, video_id: str, frame_index: int) -> bool:
        """Whether a frame continues this video (else a new video starts).

        Args:
            video_id (str): ``video_id`` of the incoming frame.
            frame_index (int): Its 0-based index.

        Returns:
            bool: False when the video changes or ``frame_index == 0``.
        """
        return (self.video_id is not None and video_id == self.video_id
                and frame_index != 0)

    def evict(self, keep: Iterable[int]) -> None:
        """Drop every entry whose frame index is not in ``keep``.

        Args:
            keep (Iterable[int]): Frame indices still needed.
        """
        keep = set(keep)
        for idx in [i for i in self.entries if i not in keep]:
            del self.entries[idx]
