"""TupleNeck: a single-map neck becomes a 1-tuple, sequences pass."""
import pytest
import torch

from aten_mm.models.segmentors import TupleNeck


def test_single_tensor_neck_becomes_one_tuple():
    torch.manual_seed(0)
    inner = dict(type='VideoDeepLabV3Plus', in_channels=8,
                 low_level_in_channels=4, channels=8, low_level_channels=4,
                 out_channels=6, output_stride=8)
    neck = TupleNeck(neck=inner).eval()
    feats = [torch.randn(2, 4, 16, 16), torch.randn(2, 4, 8, 8),
             torch.randn(2, 8, 8, 8), torch.randn(2, 8, 8, 8)]
    out = neck(feats)
    assert isinstance(out, tuple) and len(out) == 1
    # the tuple holds exactly the wrapped neck's map, batch intact
    assert torch.equal(out[0], neck.neck(feats))
    assert out[0].shape == (2, 6, 16, 16)


def test_sequence_neck_passes_through():
    neck = TupleNeck(neck=dict(type='mmseg.MultiLevelNeck',
                               in_channels=[4, 4], out_channels=4,
                               scales=[1, 1]))
    feats = [torch.randn(1, 4, 8, 8), torch.randn(1, 4, 4, 4)]
    out = neck(feats)
    expected = neck.neck(feats)
    assert type(out) is type(expected) and len(out) == 2
    for a, b in zip(out, expected):
        assert torch.equal(a, b)


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match='TupleNeck'):
        TupleNeck(neck='VideoDeepLabV3Plus')
