"""A hand-made set with exactly known backward flow (for the flow tests).

Every video: a camera pan over a large smooth random texture (background
flow = the pan step) and one textured square ("the person") moving with
its own velocity; frames ``t`` carry the backward flow of ``t`` into
``t - 1`` (``mmcv.flowwrite``), the validity mask (background pixels whose
``t - 1`` position was under the square are invalid) and, on annotated
frames, the person mask. Importable helper (conftest is not).
"""
import os
import os.path as osp

import cv2
import mmcv
import numpy as np


def _texture(rng, h, w):
    noise = rng.uniform(0, 255, (h // 4 + 1, w // 4 + 1, 3)).astype(
        np.float32)
    tex = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(tex, 0, 255).astype(np.uint8)


def _write(path, data=None, img=None):
    os.makedirs(osp.dirname(path), exist_ok=True)
    if img is not None:
        assert cv2.imwrite(path, img)
    else:
        with open(path, 'w') as f:
            f.write(data)


def write_flow_set(root, layout='vip', splits=None, num_frames=4,
                   size=(96, 64), pan=(2, 1), move=(-3, 2), square=20,
                   annotate_every=2, seed=0):
    """Write the set; return ``{(video, stem): (flow, valid, person)}``.

    Args:
        root (str): Output root.
        layout (str): ``'vip'`` or ``'davis'``.
        splits (dict): ``{split: [videos]}``. Defaults to one train and one
            val video.
        num_frames (int): Frames per video.
        size (tuple): (W, H).
        pan (tuple): Camera step (px per frame) of the texture window.
        move (tuple): Square velocity (px per frame, in the frame).
        square (int): Side of the square.
        annotate_every (int): Frames 0, K, 2K... have a person mask (VIP;
            DAVIS: every frame).
        seed (int): Texture seed.

    Returns:
        dict: Expected (H, W, 2) flow, (H, W) valid and (H, W) person mask
        (None when not annotated) per frame with a flow file.
    """
    splits = splits or {'train': ['vid0'], 'val': ['vid1']}
    w, h = size
    rng = np.random.default_rng(seed)
    expected = {}
    for split, videos in splits.items():
        if layout == 'vip':
            _write(osp.join(root, 'VIP_Fine', 'lists',
                            f'{split}_videos.txt'), '\n'.join(videos) + '\n')
        else:
            _write(osp.join(root, 'ImageSets', '2016', f'{split}.txt'),
                   '\n'.join(videos) + '\n')
        for video in videos:
            big = _texture(rng, h + num_frames * abs(pan[1]) + 8,
                           w + num_frames * abs(pan[0]) + 8)
            sq_tex = _texture(rng, square, square)
            y0, x0 = 4, 4
            prev_sq = None
            for t in range(num_frames):
                oy = y0 + t * pan[1] if pan[1] >= 0 else \
                    y0 + (num_frames - t) * -pan[1]
                ox = x0 + t * pan[0] if pan[0] >= 0 else \
                    x0 + (num_frames - t) * -pan[0]
                img = big[oy:oy + h, ox:ox + w].copy()
                sx = w // 3 + t * move[0]
                sy = h // 4 + t * move[1]
                img[sy:sy + square, sx:sx + square] = sq_tex
                person = np.zeros((h, w), bool)
                person[sy:sy + square, sx:sx + square] = True
                if layout == 'vip':
                    stem = f'{t + 1:012d}'
                    frame = osp.join(root, 'VIP_Sequence', video,
                                     stem + '.jpg')
                    ann = osp.join(root, 'VIP_Fine', 'Annotations',
                                   'Human_ids', video, stem + '.png')
                    annotated = t % annotate_every == 0
                else:
                    stem = f'{t:05d}'
                    frame = osp.join(root, 'JPEGImages', '480p', video,
                                     stem + '.jpg')
                    ann = osp.join(root, 'Annotations', '480p', video,
                                   stem + '.png')
                    annotated = True
                _write(frame, img=img)
                if annotated:
                    value = 1 if layout == 'vip' else 255
                    _write(ann, img=(person * value).astype(np.uint8))
                if t > 0:
                    flow = np.zeros((h, w, 2), np.float32)
                    flow[...] = (pan[0], pan[1])
                    flow[person] = (-move[0], -move[1])
                    # background whose t-1 position was under the square
                    ys, xs = np.mgrid[0:h, 0:w]
                    px, py = xs + pan[0], ys + pan[1]
                    psx, psy = prev_sq
                    hidden = ((px >= psx) & (px < psx + square) &
                              (py >= psy) & (py < psy + square))
                    valid = ~(hidden & ~person)
                    # content that comes from outside frame t-1
                    tx, ty = xs + flow[..., 0], ys + flow[..., 1]
                    valid &= (tx >= 0) & (tx <= w - 1) & (ty >= 0) & (
                        ty <= h - 1)
                    out = osp.join(root, 'flow', video, stem + '.flo')
                    os.makedirs(osp.dirname(out), exist_ok=True)
                    mmcv.flowwrite(flow, out)
                    _write(osp.join(root, 'flow', video,
                                    stem + '_valid.png'),
                           img=(valid * 255).astype(np.uint8))
                    expected[(video, stem)] = (flow, valid,
                                               person if annotated else None)
                prev_sq = (sx, sy)
    return expected
