"""FlowAligner / IdentityAligner: Eq. (3), (6) in one module."""
import pytest
import torch

from aten_mm.registry import MODELS


class _Flow(torch.nn.Module):
    """Constant integer flow (dx, dy) and a scale field 3 (or none)."""

    def __init__(self, dx, dy, scale=True):
        super().__init__()
        self.dx, self.dy, self.scale = dx, dy, scale
        self.calls = []

    def forward(self, cur, ref):
        self.calls.append((cur, ref))
        n = cur.size(0)
        flow = torch.zeros(n, 2, 4, 5)
        flow[:, 0], flow[:, 1] = self.dx, self.dy
        return flow, (torch.full((n, 2, 4, 5), 3.0) if self.scale else None)


def test_flow_aligner_warps_and_scales():
    aligner = MODELS.build(dict(type='FlowAligner'))
    feats = torch.arange(2 * 2 * 4 * 5, dtype=torch.float32).view(2, 2, 4, 5)
    cur = torch.randn(1, 3, 16, 20)
    refs = torch.randn(2, 3, 16, 20)
    motion = _Flow(1, 0)
    out = aligner(motion, feats, cur, refs)
    # out(p) = feats(p + (1, 0)) * 3; the last column samples outside -> 0
    expected = torch.zeros_like(feats)
    expected[..., :-1] = feats[..., 1:] * 3
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=0)
    # one current frame is shared by every reference (flow cur -> ref)
    (c, r), = motion.calls
    assert c.shape == (2, 3, 16, 20) and torch.equal(c[1], cur[0])
    assert torch.equal(r, refs)
    # use_scale=False (FGFA) ignores a scale field, none is fine too
    plain = MODELS.build(dict(type='FlowAligner', use_scale=False))
    torch.testing.assert_close(plain(motion, feats, cur, refs),
                               expected / 3, atol=1e-5, rtol=0)
    torch.testing.assert_close(
        aligner(_Flow(1, 0, scale=False), feats, cur, refs), expected / 3,
        atol=1e-5, rtol=0)


def test_flow_aligner_errors_and_identity():
    aligner = MODELS.build(dict(type='FlowAligner'))
    feats = torch.randn(1, 2, 8, 10)  # not the flow's 4 x 5 grid
    frames = torch.randn(1, 3, 16, 20)
    with pytest.raises(ValueError, match='feat_stride'):
        aligner(_Flow(0, 0), feats, frames, frames)
    with pytest.raises(ValueError, match='flow network'):
        aligner(None, feats, frames, frames)
    identity = MODELS.build(dict(type='IdentityAligner'))
    assert identity(None, feats, frames, frames) is feats
    assert aligner.needs_motion and not identity.needs_motion

