"""Data sets shared by the dataset tests (made once per session)."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from aten_mm.datasets.synthetic import generate_dataset

#: 4 videos (2 train / 1 val / 1 test), 10 frames, frames 1 5 9 annotated
SYNTH = dict(num_videos=4, num_frames=10, size=(64, 48), annotate_every=4,
             seed=0, degrade_ratio=0.2, progress=False)


@pytest.fixture(scope='session')
def synthetic_vip(tmp_path_factory):
    """``(root, summary)`` of a tiny synthetic VIP-layout set."""
    root = str(tmp_path_factory.mktemp('synth_vip') / 'set')
    return root, generate_dataset(root, fmt='vip', **SYNTH)


@pytest.fixture(scope='session')
def synthetic_davis(tmp_path_factory):
    """``(root, summary)`` of a tiny synthetic DAVIS-layout set."""
    root = str(tmp_path_factory.mktemp('synth_davis') / 'set')
    return root, generate_dataset(root, fmt='davis', **SYNTH)


@pytest.fixture(scope='session')
def vip_layout():
    """The :func:`write_vip_layout` helper (conftest is not importable)."""
    return write_vip_layout


def write_vip_layout(root, videos, split='val', size=(8, 6)):
    """A hand-made VIP layout (real VIP style: sparse raw frames).

    Args:
        root (str): Dataset root.
        videos (dict): ``{video: (annotated ids, raw sequence ids)}``,
            1-based frame ids.
        split (str): Split whose ``{split}_id.txt`` lists the annotated
            frames.
        size (tuple): ``(W, H)`` of the frames.
    """
    w, h = size
    fine = osp.join(root, 'VIP_Fine')
    lines = []
    for video, (ann_ids, seq_ids) in videos.items():
        for fid in seq_ids:
            path = osp.join(root, 'VIP_Sequence', video, f'{fid:012d}.jpg')
            os.makedirs(osp.dirname(path), exist_ok=True)
            cv2.imwrite(path, np.full((h, w, 3), fid % 256, np.uint8))
        for fid in ann_ids:
            name = f'{fid:012d}'
            for sub, ext in (('Images', '.jpg'),
                             ('Annotations/Category_ids', '.png'),
                             ('Annotations/Human_ids', '.png')):
                path = osp.join(fine, sub, video, name + ext)
                os.makedirs(osp.dirname(path), exist_ok=True)
                arr = (np.full((h, w, 3), fid % 256, np.uint8)
                       if ext == '.jpg' else np.zeros((h, w), np.uint8))
                cv2.imwrite(path, arr)
            lines.append(f'{video}/{name}')
    os.makedirs(osp.join(fine, 'lists'), exist_ok=True)
    with open(osp.join(fine, 'lists', f'{split}_id.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return root
