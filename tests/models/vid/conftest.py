"""Helpers of the video-model tests: tiny models, synthetic videos, samples.
"""
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.config import Config
from mmengine.structures import InstanceData, PixelData

from aten_mm.registry import MODELS

MODEL_CFG_DIR = osp.join(
    osp.dirname(__file__), '..', '..', '..', 'configs', '_base_', 'models')


def build_tiny(name, **overrides):
    """Build ``configs/_base_/models/<name>.py`` (eval mode, seeded)."""
    cfg = Config.fromfile(osp.join(MODEL_CFG_DIR, f'{name}.py')).model
    for key, value in overrides.items():  # replace, do not merge
        cfg[key] = value
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    return model.eval()


def synthetic_video(n, h=64, w=64, seed=0):
    """A smooth random texture panning right by 2 px per frame.

    Returns:
        Tensor: ``(n, 3, h, w)`` float frames (already 'preprocessed').
    """
    g = torch.Generator().manual_seed(seed)
    base = torch.randn(1, 3, h, w + 2 * n, generator=g)
    base = F.avg_pool2d(base, 5, 1, 2) * 3
    return torch.stack([base[0, :, :, 2 * t:2 * t + w] for t in range(n)])


def video_sample(t, n, h=64, w=64, video_id='v0', **meta):
    """Data sample of frame ``t`` of an ``n``-frame video."""
    info = dict(video_id=video_id, video_length=n, frame_index=t,
                frame_id=t, img_shape=(h, w), ori_shape=(h, w),
                pad_shape=(h, w), batch_input_shape=(h, w),
                scale_factor=(1., 1.))
    info.update(meta)
    return DetDataSample(metainfo=info)


def stream_sample(t, n, h=64, w=64, video_id='v0', **meta):
    """Data sample of frame ``t`` fed in stream mode (``stream=True``)."""
    return video_sample(t, n, h, w, video_id, stream=True, **meta)


def clip_of(model, video, t, **meta):
    """Clip-mode input ``(1, F, 3, H, W)`` and sample for target ``t``.

    The plan is the model's own (:meth:`plan`), which is what the dataset
    computes with the same frame-plan function.
    """
    n, _, h, w = video.shape
    plan = model.plan(t, n)
    clip = sorted({t, plan['key'], *plan['refs']})
    sample = video_sample(t, n, h, w, key_frame_index=plan['key'],
                          ref_frame_indices=plan['refs'],
                          clip_frame_indices=clip, **meta)
    return video[clip][None], sample


def feat_of(model, video, t):
    """Clip-mode target feature F_t (``mode='tensor'``) of frame ``t``."""
    inputs, sample = clip_of(model, video, t)
    return model(inputs, [sample], mode='tensor')


def light_heads(model):
    """Replace N_parse's person branch by the parsing head alone.

    Each output sample gets ``pred_sem_seg`` (the real parsing head) and
    ``feat`` (the feature it was computed from), which keeps the tests fast
    while comparing exactly what the heads receive.
    """
    det = model.detector

    def predict_from_feat(feat, samples, rescale=True):
        parsings = det.parsing_head.predict(feat, samples, rescale=rescale)
        for i, (sample, parsing) in enumerate(zip(samples, parsings)):
            sample.pred_sem_seg = parsing
            sample.feat = feat[i:i + 1].detach().clone()
        return samples

    det.predict_from_feat = predict_from_feat
    return model


def stream_results(model, video):
    """Feed ``video`` frame by frame in stream mode (then flush).

    Returns:
        dict: ``frame_index -> DetDataSample`` of every released frame.
    """
    out = {}
    n = video.size(0)
    with torch.no_grad():
        for t in range(n):
            for res in model.predict(video[t][None, None],
                                     [stream_sample(t, n)]):
                out[res.frame_index] = res
        for res in model.stream_flush():
            out[res.frame_index] = res
    return out


def person_scene(h=64, w=64, seed=0):
    """Ground truth of one frame: two rectangular persons of 3 parts.

    Returns:
        tuple: ``gt_instances`` (InstanceData) and ``gt_sem_seg``
        (PixelData) at ``(h, w)``.
    """
    persons = ((4, 6, 26, 60), (34, 10, 58, 62))
    seg = np.zeros((h, w), np.int64)
    masks = np.zeros((len(persons), h, w), np.uint8)
    for i, (x1, y1, x2, y2) in enumerate(persons):
        bounds = np.linspace(y1, y2, 4).astype(int)
        for label, top, bottom in zip((2, 5, 9), bounds, bounds[1:]):
            seg[top:bottom, x1:x2] = label
        masks[i, y1:y2, x1:x2] = 1
    gt = InstanceData(
        bboxes=torch.tensor(persons, dtype=torch.float32),
        labels=torch.zeros(len(persons), dtype=torch.long),
        masks=BitmapMasks(masks, h, w))
    return gt, PixelData(sem_seg=torch.from_numpy(seg)[None])


def scene_video(n, h=64, w=64):
    """Frames whose colours follow :func:`person_scene` (plus noise)."""
    _, seg = person_scene(h, w)
    colours = torch.randn(20, 3, generator=torch.Generator().manual_seed(1))
    frame = colours[seg.sem_seg[0]].permute(2, 0, 1)
    noise = torch.randn(n, 3, h, w,
                        generator=torch.Generator().manual_seed(2))
    return frame[None] + 0.1 * noise


def training_clip(model, n=9, t=5, h=64, w=64):
    """A clip of :func:`scene_video` with ground truth for target ``t``."""
    video = scene_video(n, h, w)
    inputs, sample = clip_of(model, video, t)
    sample.gt_instances, sample.gt_sem_seg = person_scene(h, w)
    return inputs, sample


def train_losses(model, inputs, sample, steps=8, lr=0.01):
    """SGD steps on one clip; returns the total loss of every step."""
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.SGD(params, lr=lr, momentum=0.9)
    values = []
    for _ in range(steps):
        loss, _ = model.parse_losses(model.loss(inputs, [sample]))
        optim.zero_grad()
        loss.backward()
        optim.step()
        values.append(loss.item())
    return values


@pytest.fixture(autouse=True)
def _single_thread():
    """Run these tiny models on one thread (restored afterwards).

    Their convolutions are too small to gain from a second thread, and on a
    shared 2-core machine two OpenMP threads were measured ~30x slower than
    one here (threads spinning while the other core is busy).
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def vid_helpers():
    """The helpers above, as a namespace."""
    import types
    return types.SimpleNamespace(
        build_tiny=build_tiny, synthetic_video=synthetic_video,
        video_sample=video_sample, stream_sample=stream_sample,
        clip_of=clip_of, feat_of=feat_of, stream_results=stream_results,
        light_heads=light_heads,
        training_clip=training_clip, train_losses=train_losses)
