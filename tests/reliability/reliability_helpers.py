"""Shared helpers of the reliability tests (issue 9)."""
import math
import os
import os.path as osp

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PER_FRAME_CFG = osp.join(REPO, 'configs', 'parsing_rcnn',
                         'parsing-rcnn_tiny_synthetic.py')
ATEN_CFG = osp.join(REPO, 'configs', 'aten', 'aten_tiny_synthetic.py')


def synthetic_set(root, num_videos=5, num_frames=7, size=(64, 48),
                  annotate_every=3, seed=0):
    """A tiny synthetic VIP-layout set; returns its root."""
    from aten_mm.datasets.synthetic import generate_dataset
    generate_dataset(root, num_videos=num_videos, num_frames=num_frames,
                     size=size, annotate_every=annotate_every, seed=seed,
                     progress=False)
    return root


def metrics_equal(a, b):
    """Exact equality of two metric dicts (NaN equals NaN)."""
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, float) and isinstance(y, float) and math.isnan(
                x) and math.isnan(y):
            continue
        if x != y:
            return False
    return True


def tree_bytes(folder):
    """``{relative path: bytes}`` of every file under ``folder``."""
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = osp.join(root, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, folder)] = f.read()
    return out
