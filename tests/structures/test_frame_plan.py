"""Key-frame clip sampling (paper §4.4, docs/interfaces.md)."""
# ruff: noqa: E741  (l = the paper's key-frame interval)
import sys

import numpy as np
import pytest

from aten_mm.structures.frame_plan import (
    clip_indices,
    key_clip_indices,
    key_offsets,
    neighbor_clip_indices,
    random_key_clip_indices,
    segment_key,
)


@pytest.mark.parametrize('t,l,p,n,key,refs', [
    # l = 3, 10 frames: segments [0,3) [3,6) [6,9) [9,10), keys 1 4 7 9
    (0, 3, 2, 10, 1, [7, 4]),   # first frame: only later keys exist
    (1, 3, 2, 10, 1, [7, 4]),   # the key itself
    (4, 3, 2, 10, 4, [1, 7]),   # one earlier + one later, tie -> smaller
    (8, 3, 2, 10, 7, [1, 4]),   # two earlier keys, furthest first
    (9, 3, 2, 10, 9, [4, 7]),   # last frame = short last segment (m = 1)
    (10, 3, 2, 11, 10, [4, 7]),  # partial last segment [9, 11): key 9 + 1
    (3, 3, 1, 10, 4, [1]),      # p = 1
    (0, 3, 1, 10, 1, [4]),
    (7, 10, 0, 25, 5, []),      # DFF, p = 0
    (22, 10, 0, 25, 22, []),    # l = 10, last segment [20, 25): key 22
    (0, 3, 2, 4, 1, [3, 3]),    # 2 segments only: repeat the later key
    (1, 3, 2, 2, 1, [1, 1]),    # 1 segment: repeat the key itself
    (0, 3, 3, 7, 1, [6, 4, 4]),  # 3 keys: nearest repeated
    (5, 1, 2, 8, 5, [3, 4]),    # l = 1: every frame a key
])
def test_key_clip_indices(t, l, p, n, key, refs):
    out = key_clip_indices(t, l, p, n)
    assert out == dict(key=key, refs=refs)


def test_segment_key_is_median():
    assert [segment_key(s, 3, 10) for s in range(4)] == [1, 4, 7, 9]
    assert [segment_key(s, 10, 25) for s in range(3)] == [5, 15, 22]


def test_available_frames_vip_layout():
    # real VIP: raw frames only +-10 around annotated index 25
    avail = set(range(15, 36))
    assert key_clip_indices(25, 3, 2, 100, avail) == dict(key=25,
                                                          refs=[19, 22])
    # l = 10: key 25; segment 0 key 5 not on disk -> later key 35
    assert key_clip_indices(25, 10, 2, 100, avail) == dict(key=25,
                                                           refs=[15, 35])
    # nothing else available: the key itself is repeated
    assert key_clip_indices(25, 10, 2, 100, {25}) == dict(key=25,
                                                          refs=[25, 25])


def test_random_offsets_follow_paper():
    rng = np.random.RandomState(0)
    l, p, n, t = 3, 2, 30, 13
    seen = set()
    for _ in range(200):
        out = random_key_clip_indices(t, l, p, n, rng=rng)
        k = out['key']
        assert -(l // 2) <= t - k < l - l // 2
        assert out['refs'] == [k - 2 * l, k - l]
        seen.add(t - k)
    assert seen == {-1, 0, 1}
    # first frame: key -1 does not exist, keys 0 and 1 only
    keys = {random_key_clip_indices(0, 3, 2, n, rng=rng)['key']
            for _ in range(100)}
    assert keys == {0, 1}
    # only frame 14 and the target on disk: key must be one of them
    for _ in range(20):
        out = random_key_clip_indices(13, 3, 1, n, {13, 14}, rng=rng)
        assert out['key'] in (13, 14)


def test_neighbors_and_single():
    assert neighbor_clip_indices(5, 2, 10) == dict(key=5, refs=[3, 4, 6, 7])
    # at the start: t-2 missing -> nearest earlier (0) repeated
    assert neighbor_clip_indices(1, 2, 10) == dict(key=1, refs=[0, 0, 2, 3])
    assert neighbor_clip_indices(9, 1, 10) == dict(key=9, refs=[8, 9])
    out = clip_indices(4, 10, dict(mode='single'))
    assert out == dict(key=4, refs=[], clip=[4])
    out = clip_indices(0, 10, dict(mode='key', key_interval=3, num_refs=2))
    assert out['clip'] == [0, 1, 4, 7]


def test_neighbors_with_frames_missing_on_disk():
    """FGFA's ``±k`` neighbours where raw frames are missing: each missing
    neighbour becomes the nearest available frame on its side, the target
    itself where that side has none."""
    # frames 2, 7 and 8 missing: t-3 -> 3, t+2 and t+3 -> 6
    assert neighbor_clip_indices(5, 3, 10, {3, 4, 5, 6, 9}) == dict(
        key=5, refs=[3, 3, 4, 6, 6, 6])
    # nothing before the target on disk: the target itself
    assert neighbor_clip_indices(5, 1, 10, {5, 6}) == dict(key=5,
                                                           refs=[5, 6])
    out = clip_indices(5, 10, dict(mode='neighbors', num_neighbors=1),
                       {5, 6})
    assert out['clip'] == [5, 6]


class _PickRng:
    """A random source whose ``randint`` returns a chosen index."""

    def __init__(self, index):
        self.index = index

    def randint(self, n):
        assert 0 <= self.index < n
        return self.index


def test_training_key_falls_back_to_later_keys_at_video_start():
    """The training key's references at a video's start (paper §4.4): the
    keys k - l, k - 2l that do not exist are replaced by k + l, k + 2l."""
    l, p, n = 3, 2, 30
    # t = 1: offsets -1, 0, 1 -> keys 2, 1, 0; no earlier key exists
    for index, key in enumerate((2, 1, 0)):
        out = random_key_clip_indices(1, l, p, n, rng=_PickRng(index))
        assert out == dict(key=key, refs=[key + 2 * l, key + l])
    # t = 2, key 3: one earlier key (0) and one later (6), tie -> smaller
    out = random_key_clip_indices(2, l, p, n, rng=_PickRng(0))
    assert out == dict(key=3, refs=[0, 6])
    # key 4 with frames 0..2 not on disk: earlier key 1 -> later 7 and 10
    out = random_key_clip_indices(4, l, p, n, set(range(3, n)),
                                  rng=_PickRng(1))
    assert out == dict(key=4, refs=[10, 7])


def test_bad_arguments():
    with pytest.raises(ValueError, match='outside the video'):
        key_clip_indices(10, 3, 2, 10)
    with pytest.raises(ValueError, match='key interval'):
        key_clip_indices(0, 0, 2, 10)
    with pytest.raises(ValueError, match='mode'):
        clip_indices(0, 10, dict(mode='nope'))


def test_open_ended_stream_length_is_cheap(monkeypatch):
    """A stream of unknown length passes a huge ``num_frames``: the later
    keys must be read lazily (only as many as needed). Counted, not timed:
    every key the sampler computes goes through ``segment_key``; an eager
    list of the later keys would compute 3e8 of them."""
    module = sys.modules[key_clip_indices.__module__]
    computed = []

    def counting_segment_key(s, l, num_frames, *args, **kwargs):
        computed.append(s)
        assert len(computed) <= 4, 'later keys computed eagerly'
        return segment_key(s, l, num_frames, *args, **kwargs)

    monkeypatch.setattr(module, 'segment_key', counting_segment_key)
    for t in range(30):
        computed.clear()
        out = key_clip_indices(t, 3, 2, 10**9)
        # the key, its two references and at most one key looked ahead
        assert len(computed) <= 4
    # frame 29: segment 9, key 28, earlier keys 25 and 22 (furthest first)
    assert out == dict(key=28, refs=[22, 25])
    # frame 0 at the start of an open-ended stream uses later keys 4 and 7
    computed.clear()
    assert key_clip_indices(0, 3, 2, 10**9) == dict(key=1, refs=[7, 4])


def test_first_frame_keys_dff_schedule():
    """DFF: the key is the first frame of its segment (causal)."""
    assert [segment_key(s, 10, 25, 'first') for s in range(3)] == [0, 10, 20]
    for t in range(25):
        out = key_clip_indices(t, 10, 0, 25, key_position='first')
        assert out == dict(key=t - t % 10, refs=[])
    # p > 0 keeps the §4.4 rule on the first-frame keys
    assert key_clip_indices(7, 3, 2, 10, key_position='first') == dict(
        key=6, refs=[0, 3])
    out = clip_indices(13, 30, dict(mode='key', key_interval=10, num_refs=0,
                                    key_position='first'))
    assert out == dict(key=10, refs=[], clip=[10, 13])
    with pytest.raises(ValueError, match='key_position'):
        key_clip_indices(0, 3, 2, 10, key_position='last')


def test_training_key_offsets_dff_lie_before_the_target():
    """DFF training: the key at most l - 1 frames before the target, i.e.
    key - target in [-(l - 1), 0]; every offset is drawn."""
    assert list(key_offsets(10, 'first')) == list(range(10))
    assert list(key_offsets(3, 'median')) == [-1, 0, 1]
    rng = np.random.RandomState(0)
    l, t = 10, 37
    seen = set()
    for _ in range(400):
        out = random_key_clip_indices(t, l, 0, 60, rng=rng,
                                      key_position='first')
        seen.add(out['key'] - t)
    assert seen == set(range(-(l - 1), 1))
    # near the video's start only keys >= 0 exist
    keys = {random_key_clip_indices(2, l, 0, 60, rng=rng,
                                    key_position='first')['key']
            for _ in range(100)}
    assert keys == {0, 1, 2}
