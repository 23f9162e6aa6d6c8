"""The stream-mode inference engine (paper Algorithm 1).

Stream mode receives the frames of a video one by one, in order (a sample
whose metainfo has ``stream=True``, docs/interfaces.md). A frame
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

:class:`StreamEngine` runs the stream for any video parser through four
hooks of the model (``is_stream_entry``, ``make_stream_entry``,
``stream_needs``, ``stream_feat``) and its ``parse_feat`` (the
detector's ``predict_from_feat``). It is the one place where delayed
results are put back in frame order: every caller (mmengine's test loop, the
:class:`~aten_mm.apis.VideoInferencer`, the benchmark) receives the
frames in order and only pairs them with what it fed.
"""
from collections import OrderedDict, deque
from typing import Any, Dict, Iterable, List, Optional

from torch import Tensor


class StreamResults(list):
    """The results a stream-mode ``predict`` call released (maybe none).

    mmengine 0.10's ``ValLoop``/``TestLoop`` read ``outputs[-1]`` to look
    for a loss element before handing the outputs to the evaluator; an
    empty ``StreamResults`` answers None there (instead of raising
    IndexError), so a call that released no frame is an empty evaluator
    step. Any other use behaves as a plain list.

    Why not a loop of our own: the stock loops already hand a variable
    number of finished samples to the evaluator, which is all stream
    evaluation needs; a custom loop would have to be named in every
    config's ``val_cfg``/``test_cfg`` and would copy mmengine's loop code
    (hooks, fp16, loss bookkeeping) for this one empty-list case.
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


class StreamEngine:
    """Stream-mode inference of one video parser (step, flush, drain).

    Holds the current video's :class:`StreamCache`; the model passes
    itself to every call (the engine keeps no reference to it).
    """

    def __init__(self) -> None:
        self.cache: Optional[StreamCache] = None

    def reset(self) -> None:
        """Forget the current video's state without parsing its frames."""
        self.cache = None

    def step(self, model, img: Tensor, data_sample,
             rescale: bool = True) -> List:
        """Feed the next frame of a video (Algorithm 1).

        The state is reset when ``video_id`` changes or ``frame_index ==
        0`` (pending frames of the previous video are flushed first).

        Args:
            model (BaseVideoParser): The video parser.
            img (Tensor): Preprocessed frame ``(3, H, W)``, ``(1, 3, H,
                W)`` or ``(1, 1, 3, H, W)``.
            data_sample (DetDataSample): Its sample, with ``video_id``,
                ``frame_index`` and ``video_length`` in the metainfo.
            rescale (bool): Results at the original size.

        Returns:
            list[DetDataSample]: The frames whose result became ready, in
            frame order (their own data samples, filled); empty while the
            frame waits for later frames.
        """
        name = type(model).__name__
        img = img.reshape(-1, *img.shape[-3:])
        if img.size(0) != 1:
            raise ValueError(f'{name}: stream mode takes one frame per '
                             f'sample, got {tuple(img.shape)}')
        meta = data_sample.metainfo
        for key in ('video_id', 'frame_index', 'video_length'):
            if key not in meta:
                raise ValueError(f'{name}: stream mode needs {key!r} in '
                                 "the data sample's metainfo")
        vid, t = meta['video_id'], int(meta['frame_index'])
        outputs = []
        cache = self.cache
        if cache is None or not cache.accepts(vid, t):
            outputs.extend(self.flush(model, rescale))
            if t != 0:
                raise ValueError(
                    f'{name}: stream mode needs the frames of a video in '
                    f'order from frame_index 0; video {vid} starts at '
                    f'frame_index {t}')
            cache = self.cache = StreamCache(vid, int(meta['video_length']))
        elif t != cache.last_index + 1:
            raise ValueError(
                f'{name}: stream mode needs the frames of video {vid} in '
                f'order; got frame_index {t} after {cache.last_index}')
        if not t < cache.video_length:
            raise ValueError(
                f'{name}: frame_index {t} of video {vid} is beyond its '
                f'video_length {cache.video_length}')
        cache.last_index = t
        cache.pending.append((t, img, data_sample))
        if model.is_stream_entry(t, cache.video_length):
            cache.entries[t] = model.make_stream_entry(t, img)
        outputs.extend(self._drain(model, cache, rescale))
        if t == cache.video_length - 1:
            self.cache = None
        return outputs

    def flush(self, model, rescale: bool = True) -> List:
        """Release the pending frames of a video that ended early.

        Normally the last frame (``frame_index == video_length - 1``)
        releases everything and this returns ``[]``. When fewer frames
        arrived, the video is treated as ending at the last frame received
        (``video_length`` = frames seen) and its pending frames are parsed.
        Frames released before the flush keep the plan of the announced
        length: with an open-ended stream (``video_length`` unknown, a
        large placeholder) a short last segment whose full-length median
        key arrived uses that key, not the median of the frames that
        exist; with the true ``video_length`` every result equals clip
        mode.

        Returns:
            list[DetDataSample]: The remaining results, in frame order.
        """
        cache, self.cache = self.cache, None
        if cache is None or not cache.pending:
            return []
        cache.video_length = cache.last_index + 1
        for t, img, _ in cache.pending:
            if t not in cache.entries and model.is_stream_entry(
                    t, cache.video_length):
                cache.entries[t] = model.make_stream_entry(t, img)
        cache.memo.clear()
        outputs = self._drain(model, cache, rescale)
        if cache.pending:
            raise RuntimeError(
                f'{type(model).__name__}: cannot finish video '
                f'{cache.video_id}: frames {[p[0] for p in cache.pending]} '
                'need frames that are no longer cached')
        return outputs

    @staticmethod
    def _drain(model, cache: StreamCache, rescale: bool) -> List:
        """Parse the pending frames whose needs are cached, then evict."""
        n = cache.video_length
        outputs = []
        while cache.pending:
            t, img, sample = cache.pending[0]
            if any(i not in cache.entries
                   for i in model.stream_needs(t, n)):
                break
            feat = model.stream_feat(t, img, cache)
            cache.pending.popleft()
            outputs.extend(model.parse_feat(feat, [sample], rescale=rescale))
        # Keep what a pending or the next frame needs; later frames need
        # no older entry than these (the plans move forward with t).
        keep = set()
        for t in [p[0] for p in cache.pending] + [cache.last_index + 1]:
            if t < n:
                keep.update(model.stream_needs(t, n))
        cache.evict(keep)
        return outputs
