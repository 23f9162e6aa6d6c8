"""Generate a synthetic video human-parsing set (VIP or DAVIS layout).

:func:`generate_dataset` renders ``num_videos`` videos (see
:mod:`.scene`), degrades a fraction of their frames (:mod:`.degrade`) and
writes them with :class:`.VIPWriter` or :class:`.DAVISWriter`, plus

- ``<out>/meta/<video>.json``: ``num_frames``, ``width``, ``height``,
  ``num_persons``, ``first_frame_id`` (1 for VIP, 0 for DAVIS),
  ``degraded_frames`` (sorted frame ids as in the file names) and
  ``degradation`` (``{"<frame_id>": kind}``, JSON keys are strings);
- ``<out>/summary.json``: the settings, splits, frame counts and class
  pixel counts (no paths or times, so two runs compare byte for byte);
- ``<out>/preview.png`` when ``preview=True``.

Everything is drawn from ``numpy.random.default_rng`` streams seeded by
``(seed, video_index, purpose)``: the same arguments give byte-identical
files, and video ``i`` does not depend on ``num_videos`` or
``degrade_ratio``. The set is written into a hidden temporary folder next
to ``out_dir`` and renamed at the end, so an interrupted run never leaves
a half-written set under the final name.
"""
import json
import os
import os.path as osp
import shutil
import tempfile

import numpy as np

from aten_mm.datasets.vip_classes import VIP_CLASSES

from .degrade import apply_degradation, sample_degradations
from .fileio import write_bytes
from .preview import write_preview
from .scene import render_image, render_labels, sample_video
from .writer_davis import DAVISWriter
from .writer_vip import VIPWriter

GENERATOR = 'aten_mm.datasets.synthetic'
FORMATS = ('vip', 'davis')
PREVIEW_ROWS = 6
MIN_SIZE = 32


def video_name(index: int) -> str:
    """Name of the 0-based ``index``-th video, VIP style (``videos1``)."""
    return f'videos{index + 1}'


def make_video(seed: int, index: int, size: tuple, num_frames: int):
    """The scene of video ``index`` (0-based) of a set with ``seed``.

    Args:
        seed (int): Set seed.
        index (int): 0-based video index.
        size (tuple): ``(W, H)``.
        num_frames (int): Frames per video.

    Returns:
        VideoSpec: Render its frames with :func:`.scene.render_labels`.
    """
    return sample_video(np.random.default_rng([seed, index, 0]), size[0],
                        size[1], num_frames)


def split_videos(names: list) -> dict:
    """Deterministic train/val/test split of the videos, in order.

    About 1/6 of the videos go to val and 1/6 to test (at least one each
    from 3 videos on), the first ones to train: 12 videos → 8 / 2 / 2,
    3 → 1 / 1 / 1.

    Args:
        names (list): Video names in generation order.

    Returns:
        dict: ``{'train': [...], 'val': [...], 'test': [...]}``.
    """
    n = len(names)
    n_eval = 0 if n < 2 else max(1, int(round(n / 6)))
    n_val = n_eval
    n_test = n_eval if n >= 3 else 0
    n_train = n - n_val - n_test
    return dict(train=list(names[:n_train]),
                val=list(names[n_train:n_train + n_val]),
                test=list(names[n_train + n_val:]))


def is_synthetic_set(path: str) -> bool:
    """Whether ``path`` holds a set written by this generator."""
    summary = osp.join(path, 'summary.json')
    if not osp.isfile(summary):
        return False
    try:
        with open(summary) as f:
            return json.load(f).get('generator') == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False


def _check_args(num_videos, num_frames, size, annotate_every, seed, fmt,
                degrade_ratio):
    def need(ok, msg):
        if not ok:
            raise ValueError(msg)

    need(isinstance(num_videos, int) and num_videos >= 1,
         f'num_videos must be an int >= 1, got {num_videos!r}')
    need(isinstance(num_frames, int) and num_frames >= 1,
         f'num_frames must be an int >= 1, got {num_frames!r}')
    need(isinstance(size, (tuple, list)) and len(size) == 2 and
         all(isinstance(x, int) and x >= MIN_SIZE for x in size),
         f'size must be (W, H) ints >= {MIN_SIZE}, got {size!r}')
    need(isinstance(annotate_every, int) and annotate_every >= 1,
         f'annotate_every must be an int >= 1, got {annotate_every!r}')
    need(isinstance(seed, int) and seed >= 0,
         f'seed must be an int >= 0, got {seed!r}')
    need(fmt in FORMATS, f'fmt must be one of {FORMATS}, got {fmt!r}')
    need(isinstance(degrade_ratio, (int, float)) and
         0.0 <= degrade_ratio <= 1.0,
         f'degrade_ratio must be in [0, 1], got {degrade_ratio!r}')


def _check_target(out_dir: str, overwrite: bool) -> None:
    if osp.exists(out_dir) and not osp.isdir(out_dir):
        raise FileExistsError(f'{out_dir} exists and is not a folder')
    if (osp.isdir(out_dir) and os.listdir(out_dir) and not overwrite
            and not is_synthetic_set(out_dir)):
        raise FileExistsError(
            f'{out_dir} is not empty and is not a synthetic set (no '
            f'summary.json from {GENERATOR}); choose another folder or '
            'pass overwrite=True (--overwrite) to replace it')


def _json_bytes(obj) -> bytes:
    return (json.dumps(obj, indent=2) + '\n').encode()


def generate_dataset(out_dir: str,
                     num_videos: int = 12,
                     num_frames: int = 40,
                     size: tuple = (256, 144),
                     annotate_every: int = 5,
                     seed: int = 0,
                     fmt: str = 'vip',
                     degrade_ratio: float = 0.2,
                     preview: bool = False,
                     progress: bool = True,
                     overwrite: bool = False) -> dict:
    """Render and write a synthetic video human-parsing set.

    Args:
        out_dir (str): Output folder. It may be absent, empty or a previous
            synthetic set (replaced); anything else needs ``overwrite``.
        num_videos (int): Number of videos (``videos1`` …).
        num_frames (int): Frames per video.
        size (tuple): Frame size ``(W, H)``.
        annotate_every (int): K: VIP frames 1, 1 + K, … are annotated.
        seed (int): Random seed (>= 0).
        fmt (str): ``'vip'`` (vip_protocol.md §1) or ``'davis'``
            (davis_protocol.md).
        degrade_ratio (float): Fraction of frames per video degraded by
            motion blur, defocus or noise.
        preview (bool): Also write ``<out_dir>/preview.png``.
        progress (bool): Show a progress bar (one step per video).
        overwrite (bool): Replace a non-empty folder that is not a
            synthetic set.

    Returns:
        dict: The summary, also written to ``<out_dir>/summary.json``, with
        ``preview_path`` (absolute, or None) added.
    """
    _check_args(num_videos, num_frames, size, annotate_every, seed, fmt,
                degrade_ratio)
    out_dir = osp.abspath(out_dir)
    _check_target(out_dir, overwrite)
    parent, base = osp.split(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f'.{base}.tmp-', dir=parent)
    try:
        summary = _generate(tmp, num_videos, num_frames, tuple(size),
                            annotate_every, seed, fmt, float(degrade_ratio),
                            preview, progress)
        old = None
        if osp.exists(out_dir):
            old = tempfile.mkdtemp(prefix=f'.{base}.old-', dir=parent)
            os.rename(out_dir, osp.join(old, base))
        os.rename(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    summary['preview_path'] = (osp.join(out_dir, summary['preview'])
                               if summary['preview'] else None)
    return summary


def _generate(root, num_videos, num_frames, size, annotate_every, seed, fmt,
              degrade_ratio, preview, progress) -> dict:
    width, height = size
    writer = (VIPWriter(root, annotate_every) if fmt == 'vip' else
              DAVISWriter(root))
    names = [video_name(i) for i in range(num_videos)]
    splits = split_videos(names)
    if fmt == 'davis':  # DAVIS-2016 has train and val only
        splits = dict(train=splits['train'],
                      val=splits['val'] + splits['test'])
    split_of = {v: s for s, vs in splits.items() for v in vs}
    class_pixels = np.zeros(len(VIP_CLASSES), np.int64)
    annotated = dict.fromkeys(splits, 0)
    persons, degraded_total, samples = {}, 0, []
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(num_videos)
    for i, name in enumerate(names):
        video = make_video(seed, i, size, num_frames)
        plan = sample_degradations(np.random.default_rng([seed, i, 1]),
                                   num_frames, degrade_ratio, width)
        persons[name] = len(video.tracks)
        ann_frames = [t for t in range(num_frames) if writer.annotated(t)]
        sample_t = ann_frames[len(ann_frames) // 2]
        for t in range(num_frames):
            cat, hum, poses = render_labels(video, t)
            img = render_image(video, t, cat, hum, poses,
                               np.random.default_rng([seed, i, 2, t]))
            if t in plan:
                img = apply_degradation(img, **plan[t])
            writer.write_frame(name, t, img, cat, hum)
            if writer.annotated(t):
                annotated[split_of[name]] += 1
                class_pixels += np.bincount(cat.ravel(),
                                            minlength=len(VIP_CLASSES))
            if preview and t == sample_t and i < PREVIEW_ROWS:
                fid = t + writer.first_frame_id
                samples.append((f'{name} #{fid}', img, cat, hum))
        if bar is not None:
            bar.update()
        first = writer.first_frame_id
        meta = dict(
            num_frames=num_frames, width=width, height=height,
            num_persons=len(video.tracks), first_frame_id=first,
            degraded_frames=[t + first for t in sorted(plan)],
            degradation={str(t + first): plan[t]['kind']
                         for t in sorted(plan)},
            degradation_params={str(t + first): plan[t]
                                for t in sorted(plan)})
        degraded_total += len(plan)
        write_bytes(osp.join(root, 'meta', name + '.json'), _json_bytes(meta))
    if bar is not None:
        print()
    writer.write_lists(splits, num_frames)
    summary = dict(
        generator=GENERATOR, format_version=1, format=fmt, seed=seed,
        num_videos=num_videos, num_frames=num_frames, width=width,
        height=height, annotate_every=annotate_every if fmt == 'vip' else 1,
        degrade_ratio=degrade_ratio, splits=splits,
        frames={s: len(v) * num_frames for s, v in splits.items()},
        annotated_frames=annotated, num_persons=persons,
        degraded_frames=degraded_total,
        class_pixel_counts={c: int(n) for c, n in
                            zip(VIP_CLASSES, class_pixels)},
        preview='preview.png' if preview else None)
    if preview:
        write_preview(osp.join(root, 'preview.png'), samples)
    write_bytes(osp.join(root, 'summary.json'), _json_bytes(summary))
    return summary
