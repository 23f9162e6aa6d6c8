"""Shared assets of the demo tests: synthetic frames, a short video and
the tiny per-frame model's random weights saved as a checkpoint."""
import glob
import os.path as osp

import cv2
import pytest
import torch
from demo_helpers import CONFIG


@pytest.fixture(scope='session')
def assets(tmp_path_factory):
    from aten_mm.apis import init_model
    from aten_mm.datasets.synthetic import generate_dataset
    tmp = tmp_path_factory.mktemp('demo')
    root = str(tmp / 'synthetic')
    generate_dataset(root, num_videos=2, num_frames=6, size=(96, 64),
                     annotate_every=5, seed=1, progress=False)
    folder = osp.join(root, 'VIP_Sequence', 'videos1')
    files = sorted(glob.glob(folder + '/*.jpg'))
    frames = [cv2.imread(p) for p in files]
    video = str(tmp / 'clip.mp4')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             (96, 64))
    for frame in frames:
        writer.write(frame)
    writer.release()
    torch.manual_seed(0)
    model = init_model(CONFIG)
    ckpt = str(tmp / 'tiny.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    return dict(tmp=tmp, folder=folder, files=files, frames=frames,
                video=video, ckpt=ckpt, num_frames=len(frames))
