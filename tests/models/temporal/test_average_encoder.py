"""Tests of AverageEncoder (the "w/o convGRU" ablation)."""
import pytest
import torch

from aten_mm.models.temporal import AverageEncoder
from aten_mm.registry import MODELS


def test_average_is_mean_of_inputs():
    enc = MODELS.build(dict(type='AverageEncoder', in_channels=2))
    assert isinstance(enc, AverageEncoder)
    a = torch.full((1, 2, 3, 3), 1.0)
    b = torch.full((1, 2, 3, 3), 2.0)
    k = torch.full((1, 2, 3, 3), 6.0)
    assert torch.equal(enc([a, b, k]), torch.full((1, 2, 3, 3), 3.0))
    assert torch.equal(enc([k]), k)
    assert len(list(enc.parameters())) == 0
    with pytest.raises(ValueError, match='channels'):
        enc([torch.zeros(1, 3, 2, 2)])
    with pytest.raises(ValueError, match='shape'):
        enc([a, torch.zeros(1, 2, 3, 4)])
