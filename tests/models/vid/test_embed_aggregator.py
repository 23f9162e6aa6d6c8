"""EmbedAggregator: FGFA's cosine-similarity weights."""
import torch
import torch.nn.functional as F

from aten_mm.registry import MODELS


def _build():
    torch.manual_seed(0)
    return MODELS.build(dict(type='EmbedAggregator', in_channels=8,
                             channels=(4, 4, 6))).eval()


def test_weights_are_a_softmax_of_cosine_similarities():
    agg = _build()
    target = torch.randn(1, 8, 5, 5)
    feats = torch.cat([target, torch.randn(2, 8, 5, 5)])
    with torch.no_grad():
        w = agg.weights(target, feats)
        e = F.normalize(agg.embed(feats), dim=1)
        cos = (e * e[:1]).sum(1, keepdim=True)
        out = agg(target, feats)
    assert w.shape == (3, 1, 5, 5)
    torch.testing.assert_close(w.sum(0), torch.ones(1, 5, 5))
    torch.testing.assert_close(w, cos.exp() / cos.exp().sum(0))
    # the target itself has cosine 1 (or 0 where its embedding is 0), the
    # largest weight
    assert torch.all(w[0] >= w[1:] - 1e-6)
    torch.testing.assert_close(out, (w * feats).sum(0, keepdim=True))


def test_identical_frames_aggregate_to_the_frame():
    agg = _build()
    x = torch.randn(1, 8, 4, 4)
    with torch.no_grad():
        out = agg(x, x.repeat(3, 1, 1, 1))
    torch.testing.assert_close(out, x)
