"""fuse_instance_parsing on a hand-made 6x10 frame
(docs/vip_protocol.md §7)."""
import pytest
import torch

from aten_mm.models.post_processing import fuse_instance_parsing


def _box(rows, cols, h=6, w=10):
    m = torch.zeros(h, w, dtype=torch.bool)
    m[rows, cols] = True
    return m


@pytest.fixture
def frame():
    p0 = _box(slice(0, 2), slice(0, 5))  # 10 px, score 0.9
    p1 = _box(slice(0, 2), slice(5, 10))  # 10 px, score 0.95
    p2 = _box(slice(2, 3), slice(0, 7)) | _box(slice(1, 2), slice(2, 5))
    p3 = _box(slice(3, 4), slice(0, 8)) | _box(slice(1, 2), slice(8, 10))
    p4 = _box(slice(4, 5), slice(0, 10))  # below score_thr
    p5 = _box(slice(5, 6), slice(0, 5))  # score exactly 0.7
    masks = torch.stack([p0, p1, p2, p3, p4, p5])
    scores = torch.tensor([0.9, 0.95, 0.8, 0.75, 0.65, 0.7])
    part_map = torch.zeros(6, 10, dtype=torch.long)
    part_map[0] = 2
    part_map[1] = 13
    part_map[2] = 5
    part_map[3] = 9
    part_map[5, :5] = 16
    prob = torch.full((6, 10), 0.5)
    prob[0, 5:] = 0.8
    prob[0, :2] = 1.0
    return masks, scores, part_map, prob


def test_persons(frame):
    out = fuse_instance_parsing(*frame)
    # order 0.95, 0.9, (0.8: 7/10 survive = 0.7 -> dropped), 0.75 (8/10
    # survive, kept), (0.65 < thr), 0.7 (>= thr, kept)
    assert out['keep_inds'].tolist() == [1, 0, 3, 5]
    assert torch.allclose(out['person_scores'],
                          torch.tensor([0.95, 0.9, 0.75, 0.7]))
    masks = out['person_masks']
    assert masks.dtype == torch.bool and masks.shape == (4, 6, 10)
    assert masks.sum(0).max() == 1  # non-overlapping
    # person 3 lost the 2 pixels taken by person 1
    assert torch.equal(masks[2], _box(slice(3, 4), slice(0, 8)))
    assert torch.equal(masks[0], frame[0][1])


def test_parts(frame):
    out = fuse_instance_parsing(*frame)
    # class-major, ascending person id; row 2 (class 5) lies on the dropped
    # person only and row 3 cols 8-9 on nobody -> dropped
    assert out['part_labels'].tolist() == [2, 2, 9, 13, 13, 16]
    assert out['part_person_ids'].tolist() == [1, 2, 3, 1, 2, 4]
    # hair of person 2: mean(1, 1, .5, .5, .5) = .7, x .9
    expected = torch.tensor(
        [0.8 * 0.95, 0.7 * 0.9, 0.5 * 0.75, 0.5 * 0.95, 0.5 * 0.9, 0.35])
    assert torch.allclose(out['part_scores'], expected, atol=1e-6)
    assert torch.equal(out['part_masks'][2], _box(slice(3, 4), slice(0, 8)))
    assert torch.equal(out['part_masks'][1], _box(slice(0, 1), slice(0, 5)))


def test_thresholds_are_configurable(frame):
    out = fuse_instance_parsing(*frame, score_thr=0.6, overlap_thr=0.5)
    # now 0.8 (0.7 survives > 0.5) and 0.65 (ranked last) are kept too
    assert out['keep_inds'].tolist() == [1, 0, 2, 3, 5, 4]


def test_equal_scores_keep_their_order():
    """Persons with equal scores are visited in input order (stable sort):
    ids and kept persons do not depend on the sort's tie-breaking."""
    n, w = 40, 40
    masks = torch.stack([_box(0, slice(i, i + 1), h=2, w=w)
                         for i in range(n)])
    # two score levels, interleaved: 0.8 at even, 0.9 at odd indices
    scores = torch.tensor([0.8, 0.9] * (n // 2))
    part_map = torch.ones(2, w, dtype=torch.long)
    out = fuse_instance_parsing(masks, scores, part_map, torch.ones(2, w))
    assert out['keep_inds'].tolist() == (list(range(1, n, 2)) +
                                         list(range(0, n, 2)))
    # equal scores, overlapping masks: the person listed first claims the
    # pixels, the other keeps 1 of 11 pixels and is dropped
    first = _box(slice(0, 2), slice(0, 5))
    second = first | _box(2, 0)
    frame = (torch.ones(6, 10, dtype=torch.long), torch.ones(6, 10))
    for masks, kept in (((first, second), 0), ((second, first), 0)):
        out = fuse_instance_parsing(torch.stack(masks),
                                    torch.tensor([0.8, 0.8]), *frame)
        assert out['keep_inds'].tolist() == [kept]


def test_no_person():
    out = fuse_instance_parsing(
        torch.zeros(0, 4, 5, dtype=torch.bool), torch.zeros(0),
        torch.ones(4, 5, dtype=torch.long), torch.ones(4, 5))
    assert out['person_masks'].shape == (0, 4, 5)
    assert out['part_masks'].shape == (0, 4, 5)
    assert len(out['part_scores']) == 0
