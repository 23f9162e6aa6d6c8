"""Tests of the VIP writer's part-instance encoding and frame naming."""
import numpy as np

from aten_mm.datasets.synthetic.writer_vip import (
    VIPWriter,
    instance_map,
    vip_frame_name,
)


def test_instance_map_hand_computed():
    cat = np.array([[0, 5], [14, 5]], np.uint8)
    hum = np.array([[0, 1], [2, 1]], np.uint8)
    ids, rows = instance_map(cat, hum)
    assert ids.dtype == np.uint8
    np.testing.assert_array_equal(ids, [[0, 5], [34, 5]])
    assert rows == [(5, 5, 1), (34, 14, 2)]


def test_instance_map_uses_uint16_beyond_255():
    cat = np.array([[19, 1]], np.uint8)
    hum = np.array([[14, 1]], np.uint8)
    ids, rows = instance_map(cat, hum)
    assert ids.dtype == np.uint16
    assert ids.tolist() == [[279, 1]]
    assert rows == [(1, 1, 1), (279, 19, 14)]


def test_frame_names_and_annotated_frames():
    assert vip_frame_name(0) == '000000000001'
    w = VIPWriter('unused', annotate_every=5)
    assert [t for t in range(12) if w.annotated(t)] == [0, 5, 10]
