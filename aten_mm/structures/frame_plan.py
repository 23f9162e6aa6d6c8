"""The frame plan: key and reference frames (paper §4.1, §4.4).

All functions work on 0-based ``frame_index`` values of one video. The same
functions serve the datasets (clip mode: which frames to load for one
annotated frame) and the video models (which frames a target needs, in
both inference modes), so the two agree by construction. This module is
below both layers: it imports neither (docs/interfaces.md).

Where the key of a segment sits (``key_position``):

* ``'median'`` — ATEN (§4: "using the median frame as default"); a frame
  may depend on a later key, so stream mode waits up to half a segment.
* ``'first'`` — DFF's own schedule (Zhu et al., CVPR 2017): the key is the
  first frame of its segment, every other frame is propagated from the
  preceding key, so stream mode is causal (frame t is ready when it
  arrives).

``l`` (key-frame interval) and ``p`` (encoding range) keep the paper's
names, hence the file-wide E741 exemption.
"""
# ruff: noqa: E741
from typing import Collection, Dict, Iterable, List, Optional

import numpy as np

#: Where the key frame of a segment sits.
KEY_POSITIONS = ('median', 'first')


def _check_position(key_position: str) -> None:
    if key_position not in KEY_POSITIONS:
        raise ValueError(f'key_position must be one of {KEY_POSITIONS}, '
                         f'got {key_position!r}')


def _check_args(t: int, l: int, p: int, num_frames: int) -> None:
    if num_frames < 1:
        raise ValueError(f'num_frames must be >= 1, got {num_frames}')
    if not 0 <= t < num_frames:
        raise ValueError(
            f'frame index {t} is outside the video [0, {num_frames})')
    if l < 1:
        raise ValueError(f'key interval l must be >= 1, got {l}')
    if p < 0:
        raise ValueError(f'encoding range p must be >= 0, got {p}')


def segment_key(s: int, l: int, num_frames: int,
                key_position: str = 'median') -> int:
    """The key frame of segment ``s`` (paper §4.1).

    Segment ``s`` covers ``[s*l, min((s+1)*l, num_frames))``; with ``m`` its
    length the median key is ``s*l + m // 2`` (so a short last segment has
    its own median), the first key is ``s*l``.

    Args:
        s (int): Segment index, ``0 <= s < ceil(num_frames / l)``.
        l (int): Key-frame interval (segment length).
        num_frames (int): Number of frames of the video.
        key_position (str): ``'median'`` (ATEN) or ``'first'`` (DFF).
            Defaults to ``'median'``.

    Returns:
        int: 0-based frame index of the key frame.
    """
    start = s * l
    if key_position == 'first':
        return start
    m = min(start + l, num_frames) - start
    return start + m // 2


def order_refs(refs: List[int], key: int) -> List[int]:
    """Encoder order: furthest from ``key`` first, ties -> smaller index."""
    return sorted(refs, key=lambda r: (-abs(r - key), r))


def _pick_refs(key: int, earlier: List[int], later: Iterable[int], p: int,
               available: Optional[Collection[int]]) -> List[int]:
    """Choose ``p`` reference keys (paper §4.4).

    Args:
        key (int): The key frame the references are encoded into.
        earlier (list[int]): Candidate earlier keys, nearest first (only the
            ``p`` previous segments; out-of-video ones already removed).
        later (Iterable[int]): Candidate later keys, nearest first; read
            lazily, only as far as needed.
        p (int): Encoding range.
        available (Collection[int] | None): Frames on disk (None = all).

    Returns:
        list[int]: ``p`` reference keys in encoder order.
    """
    if p == 0:
        return []

    def ok(i):
        return available is None or i in available

    refs = [k for k in earlier if ok(k)]
    for k in later:
        if len(refs) >= p:
            break
        if ok(k):
            refs.append(k)
    if len(refs) < p:
        # Too few keys: repeat the available ones, nearest first.
        pool = sorted(refs, key=lambda r: (abs(r - key), r)) or [key]
        refs = [pool[i % len(pool)] for i in range(p)]
    return order_refs(refs, key)


def key_clip_indices(t: int,
                     l: int,
                     p: int,
                     num_frames: int,
                     available: Optional[Collection[int]] = None,
                     key_position: str = 'median') -> Dict:
    """Deterministic key and reference frames of frame ``t`` (paper §4.4).

    ``t`` lies in segment ``s = t // l`` whose key is its median (or first,
    see ``key_position``) frame. The
    references are the keys of segments ``s-1 … s-p``; where such a segment
    does not exist (index < 0) or its key is not in ``available``, the keys
    of the later segments ``s+1, s+2, …`` are used instead. When still
    fewer than ``p`` keys are found, the found ones (or the key itself) are
    repeated, nearest first.

    Args:
        t (int): 0-based index of the target frame.
        l (int): Key-frame interval (segment length), >= 1.
        p (int): Encoding range (number of reference keys), >= 0.
        num_frames (int): Number of frames of the video.
        available (Collection[int] | None): Indices of the frames that can
            be loaded (e.g. the raw frames on disk of a VIP video); None
            means every frame.
        key_position (str): ``'median'`` or ``'first'``.

    Returns:
        dict: ``key`` (int) and ``refs`` (list[int], encoder order: furthest
        from the key first, ties -> smaller index first; ``[]`` for p = 0).
    """
    _check_args(t, l, p, num_frames)
    _check_position(key_position)
    s = t // l
    num_segments = -(-num_frames // l)
    key = segment_key(s, l, num_frames, key_position)
    earlier = [segment_key(j, l, num_frames, key_position)
               for j in range(s - 1, s - p - 1, -1) if j >= 0]
    # lazy: an open-ended stream passes a huge num_frames
    later = (segment_key(j, l, num_frames, key_position)
             for j in range(s + 1, num_segments))
    return dict(key=key, refs=_pick_refs(key, earlier, later, p, available))


def key_offsets(l: int, key_position: str = 'median') -> range:
    """All training offsets ``j = t - k`` of a key schedule.

    ``'median'`` (ATEN, paper §4.4): ``-floor(l/2) <= t - k < l -
    floor(l/2)``, the target anywhere around its median key. ``'first'``
    (DFF): ``0 <= t - k <= l - 1``, the key at most ``l - 1`` frames before
    the target (never after it).

    Args:
        l (int): Key-frame interval.
        key_position (str): ``'median'`` or ``'first'``.

    Returns:
        range: The offsets ``t - k``, ascending.
    """
    _check_position(key_position)
    if key_position == 'first':
        return range(0, l)
    return range(-(l // 2), l - l // 2)


def valid_key_offsets(t: int, l: int, num_frames: int,
                      available: Optional[Collection[int]] = None,
                      key_position: str = 'median') -> List[int]:
    """Target offsets ``j = t - k`` usable for training (paper §4.4).

    The offsets of :func:`key_offsets`; an offset is usable when its key
    ``k = t - j`` lies in the video and is available.

    Returns:
        list[int]: The usable offsets, ascending.
    """
    offsets = []
    for j in key_offsets(l, key_position):
        k = t - j
        if 0 <= k < num_frames and (available is None or k in available):
            offsets.append(j)
    return offsets


def random_key_clip_indices(t: int,
                            l: int,
                            p: int,
                            num_frames: int,
                            available: Optional[Collection[int]] = None,
                            rng: Optional[np.random.RandomState] = None,
                            key_position: str = 'median') -> Dict:
    """Training clip with the target at a random position of its segment.

    Draws ``j`` uniformly from :func:`valid_key_offsets` (paper §4.4,
    ``-floor(l/2) <= t - k < l - floor(l/2)``; DFF's ``'first'`` schedule:
    ``0 <= t - k <= l - 1``) and uses the key
    ``k = t - j``; the segment grid is the one through ``k`` so the
    references are ``k - l, …, k - p*l`` with the §4.4 fallback to
    ``k + l, k + 2l, …`` and repetition as in :func:`key_clip_indices`.

    Args:
        t, l, p, num_frames, available: As :func:`key_clip_indices`.
        rng (np.random.RandomState | None): Random source; None uses the
            global numpy state (seeded per worker by mmengine).
        key_position (str): ``'median'`` or ``'first'``.

    Returns:
        dict: ``key`` and ``refs`` as :func:`key_clip_indices`.

    Raises:
        ValueError: When no offset gives an available key.
    """
    _check_args(t, l, p, num_frames)
    offsets = valid_key_offsets(t, l, num_frames, available, key_position)
    if not offsets:
        raise ValueError(f'no available key frame for frame index {t} '
                         f'(l={l}, {num_frames} frames)')
    rng = np.random if rng is None else rng
    key = t - offsets[rng.randint(len(offsets))]
    earlier = [key - i * l for i in range(1, p + 1) if key - i * l >= 0]
    later = range(key + l, num_frames, l)
    return dict(key=key, refs=_pick_refs(key, earlier, later, p, available))


def neighbor_clip_indices(t: int,
                          k: int,
                          num_frames: int,
                          available: Optional[Collection[int]] = None
                          ) -> Dict:
    """FGFA-style clip: the target and its ``±k`` neighbours.

    Neighbours outside the video or not available are replaced by the
    nearest available frame on the same side (boundary repetition; the
    target itself where none exists).

    Args:
        t (int): 0-based target index (it is the "key" of the clip).
        k (int): Number of neighbours on each side, >= 0.
        num_frames (int): Number of frames of the video.
        available (Collection[int] | None): Frames that can be loaded.

    Returns:
        dict: ``key`` = t and ``refs`` = the ``2k`` neighbours in temporal
        order (``t-k … t-1, t+1 … t+k`` after replacement).
    """
    _check_args(t, 1, k, num_frames)

    def ok(i):
        return 0 <= i < num_frames and (available is None or i in available)

    refs = []
    for side in (-1, 1):
        last = t
        side_refs = []
        for d in range(1, k + 1):
            i = t + side * d
            if ok(i):
                last = i
            side_refs.append(last)
        refs.extend(side_refs[::-1] if side < 0 else side_refs)
    return dict(key=t, refs=refs)


def clip_indices(t: int,
                 num_frames: int,
                 clip_cfg: Dict,
                 available: Optional[Collection[int]] = None,
                 random_offset: bool = False) -> Dict:
    """Dispatch on ``clip_cfg['mode']``.

    Args:
        t (int): 0-based target index.
        num_frames (int): Number of frames of the video.
        clip_cfg (dict): ``mode='key'`` with ``key_interval`` (l),
            ``num_refs`` (p; 0 = DFF) and ``key_position`` (``'median'``
            default, ``'first'`` for DFF); ``mode='neighbors'`` with
            ``num_neighbors``; ``mode='single'`` or ``mode='stream'`` (the
            target alone).
        available (Collection[int] | None): Frames that can be loaded.
        random_offset (bool): Training randomisation of the key (key mode).

    Returns:
        dict: ``key``, ``refs`` and ``clip`` (sorted distinct frame indices
        the clip needs: target, key and references).
    """
    mode = clip_cfg.get('mode', 'key')
    if mode == 'key':
        l, p = clip_cfg.get('key_interval', 3), clip_cfg.get('num_refs', 2)
        pos = clip_cfg.get('key_position', 'median')
        if random_offset:
            out = random_key_clip_indices(t, l, p, num_frames, available,
                                          key_position=pos)
        else:
            out = key_clip_indices(t, l, p, num_frames, available, pos)
    elif mode == 'neighbors':
        out = neighbor_clip_indices(t, clip_cfg.get('num_neighbors', 1),
                                    num_frames, available)
    elif mode in ('single', 'stream'):
        _check_args(t, 1, 0, num_frames)
        out = dict(key=t, refs=[])
    else:
        raise ValueError(f"clip_cfg['mode'] must be 'key', 'neighbors', "
                         f"'single' or 'stream', got {mode!r}")
    out['clip'] = sorted({t, out['key'], *out['refs']})
    return out
