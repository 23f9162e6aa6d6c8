"""Generate a synthetic video human-parsing set (VIP or DAVIS layout).

:func:`generate_dataset` renders ``num_videos`` videos (see
:mod:`.scene`), makes some frames hard (occluders passing in front of
people, :mod:`.occluder`; image degradations, :mod:`.degrade`) and writes
them with :class:`.VIPWriter` or :class:`.DAVISWriter`, plus

- ``<out>/flow/<video>/<frame stem>.flo`` and ``<frame stem>_valid.png``:
  the exact backward flow from each frame but the first to the frame
  before it, and where it is valid (:mod:`.flow`);
- ``<out>/meta/<video>.json``: ``num_frames``, ``width``, ``height``,
  ``num_persons``, ``first_frame_id`` (1 for VIP, 0 for DAVIS),
  ``degraded_frames`` (sorted frame ids as in the file names),
  ``degradation`` (``{"<frame_id>": kind}``, JSON keys are strings),
  ``degradation_params``, ``occluded_frames``, ``occluded_fraction``,
  ``hard_frames`` (the union) and ``hard_kinds``
  (``{"<frame_id>": [kinds]}``); frames not in ``hard_frames`` are clean;
- ``<out>/summary.json``: the settings, splits, frame counts and class
  pixel counts (no paths or times, so two runs compare byte for byte);
- ``<out>/preview.png`` when ``preview=True``.

The layout is documented in docs/synthetic_data.md. Everything is drawn
from ``numpy.random.default_rng`` streams seeded by
``(seed, video_index, purpose)``: the same arguments give byte-identical
files, and video ``i`` does not depend on ``num_videos`` or the hard-frame
ratios. The set is written into a hidden temporary folder next to
``out_dir`` and moved in at the end, so an interrupted run never leaves a
half-written set under the final name.
"""
import json
import os
import os.path as osp
import shutil
import tempfile

import numpy as np

from aten_mm.datasets.vip_classes import VIP_CLASSES

from .degrade import apply_degradation, sample_degradations
from .fileio import write_bytes, write_flow
from .flow import backward_flow
from .preview import write_preview
from .scene import (
    MAX_PEOPLE,
    OCCLUSION_RATIO,
    PERSON_HEIGHT,
    add_occluders,
    render_frame,
    render_image,
    sample_video,
)
from .writer_davis import DAVISWriter
from .writer_vip import VIPWriter

GENERATOR = 'aten_mm.datasets.synthetic'
GENERATOR_VERSION = 2
FORMATS = ('vip', 'davis')
WRITERS = dict(vip=VIPWriter, davis=DAVISWriter)
#: Top-level entries every set has besides its writer's.
COMMON_ENTRIES = ('flow', 'meta', 'preview.png', 'summary.json')
PREVIEW_ROWS = 6
MIN_SIZE = 32
#: A frame is flagged ``occluder`` when occluders hide at least this
#: fraction of the person pixels.
OCCLUDED_MIN = 0.05


def video_name(index: int) -> str:
    """Name of the 0-based ``index``-th video, VIP style (``videos1``)."""
    return f'videos{index + 1}'


def make_video(seed: int, index: int, size: tuple, num_frames: int,
               person_height: tuple = PERSON_HEIGHT,
               max_people: int = MAX_PEOPLE,
               occlusion_ratio: float = OCCLUSION_RATIO):
    """The scene of video ``index`` (0-based) of a set with ``seed``.

    The defaults are those of :func:`generate_dataset`, so
    ``make_video(seed, i, size, T)`` is video ``i`` of a default set.

    Args:
        seed (int): Set seed.
        index (int): 0-based video index.
        size (tuple): ``(W, H)``.
        num_frames (int): Frames per video.
        person_height (tuple): ``(min, max)`` person height / H.
        max_people (int): Most people per video.
        occlusion_ratio (float): About this fraction of the frames get an
            occluder in front of a person.

    Returns:
        VideoSpec: Render its frames with :func:`.scene.render_frame`.
    """
    video = sample_video(np.random.default_rng([seed, index, 0]), size[0],
                         size[1], num_frames, max_people=max_people,
                         person_height=tuple(person_height))
    return add_occluders(np.random.default_rng([seed, index, 3]), video,
                         occlusion_ratio)


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


def _read_summary(path: str):
    """The summary of a set written by this generator at ``path``, or
    None."""
    summary = osp.join(path, 'summary.json')
    if not osp.isfile(summary):
        return None
    try:
        with open(summary) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get('generator') != GENERATOR:
        return None
    return data


def is_synthetic_set(path: str) -> bool:
    """Whether ``path`` holds a set written by this generator."""
    return _read_summary(path) is not None


def set_entries(fmt: str) -> tuple:
    """Top-level names a set of format ``fmt`` writes into its folder."""
    return tuple(sorted(WRITERS[fmt].entries + COMMON_ENTRIES))


def _check_args(num_videos, num_frames, size, annotate_every, seed, fmt,
                degrade_ratio, occlusion_ratio, person_height, max_people):
    def need(ok, msg):
        if not ok:
            raise ValueError(msg)

    def is_ratio(x):
        return isinstance(x, (int, float)) and 0.0 <= x <= 1.0

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
    need(is_ratio(degrade_ratio),
         f'degrade_ratio must be in [0, 1], got {degrade_ratio!r}')
    need(is_ratio(occlusion_ratio),
         f'occlusion_ratio must be in [0, 1], got {occlusion_ratio!r}')
    need(isinstance(person_height, (tuple, list)) and
         len(person_height) == 2 and
         all(isinstance(x, (int, float)) for x in person_height) and
         0.05 <= person_height[0] <= person_height[1] <= 1.5,
         'person_height must be (min, max) fractions of the frame height '
         f'with 0.05 <= min <= max <= 1.5, got {person_height!r}')
    need(isinstance(max_people, int) and 1 <= max_people <= 12,
         f'max_people must be an int in [1, 12], got {max_people!r}')


def _replaced_entries(out_dir: str, fmt: str, overwrite: bool) -> list:
    """Top-level entries of ``out_dir`` the new set replaces.

    Raises:
        FileExistsError: ``out_dir`` is a file, or a non-empty folder that
            is not a synthetic set and ``overwrite`` is False.
    """
    if osp.exists(out_dir) and not osp.isdir(out_dir):
        raise FileExistsError(f'{out_dir} exists and is not a folder')
    if not osp.isdir(out_dir) or not os.listdir(out_dir):
        return []
    new = set(set_entries(fmt))
    previous = _read_summary(out_dir)
    if previous is not None:
        # what the previous set wrote (a summary cannot name other files)
        known = {e for f in FORMATS for e in set_entries(f)}
        old = previous.get('entries')
        old = set(old) if isinstance(old, list) and all(
            isinstance(e, str) for e in old) else set()
        if previous.get('format') in FORMATS:
            old |= set(set_entries(previous['format']))
        new |= old & known
    elif not overwrite:
        clash = sorted(e for e in new if osp.lexists(osp.join(out_dir, e)))
        detail = (f'; --overwrite would replace {", ".join(clash)}'
                  if clash else '')
        raise FileExistsError(
            f'{out_dir} is not empty and is not a synthetic set (no '
            f'summary.json from {GENERATOR}); choose another folder or '
            f'pass overwrite=True (--overwrite){detail}. Only the '
            f'generator\'s own entries ({", ".join(sorted(new))}) are '
            'ever replaced; other files are kept')
    return sorted(e for e in new if osp.lexists(osp.join(out_dir, e)))


def _install(tmp: str, out_dir: str, replaced: list) -> None:
    """Move the set written in ``tmp`` to ``out_dir``.

    Only the entries in ``replaced`` are removed from ``out_dir``; its
    other files stay. ``summary.json`` leaves first and arrives last, so a
    folder with a summary always holds a complete set.
    """
    if not osp.exists(out_dir):
        os.rename(tmp, out_dir)
        return
    parent, base = osp.split(out_dir)
    old = tempfile.mkdtemp(prefix=f'.{base}.old-', dir=parent)
    first = sorted(replaced, key=lambda e: e != 'summary.json')
    for name in first:
        os.rename(osp.join(out_dir, name), osp.join(old, name))
    names = sorted(os.listdir(tmp), key=lambda e: e == 'summary.json')
    for name in names:
        os.rename(osp.join(tmp, name), osp.join(out_dir, name))
    os.rmdir(tmp)
    shutil.rmtree(old, ignore_errors=True)


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
                     overwrite: bool = False,
                     flow: bool = True,
                     occlusion_ratio: float = OCCLUSION_RATIO,
                     person_height: tuple = PERSON_HEIGHT,
                     max_people: int = MAX_PEOPLE) -> dict:
    """Render and write a synthetic video human-parsing set.

    Args:
        out_dir (str): Output folder. It may be absent, empty or a previous
            synthetic set (whose own entries are replaced, other files are
            kept); another non-empty folder needs ``overwrite``.
        num_videos (int): Number of videos (``videos1`` …).
        num_frames (int): Frames per video.
        size (tuple): Frame size ``(W, H)``.
        annotate_every (int): K: VIP frames 1, 1 + K, … are annotated.
        seed (int): Random seed (>= 0).
        fmt (str): ``'vip'`` or ``'davis'`` (docs/synthetic_data.md).
        degrade_ratio (float): Fraction of frames per video degraded by
            heavy motion blur, defocus, noise or low light (in bursts).
        preview (bool): Also write ``<out_dir>/preview.png``.
        progress (bool): Show a progress bar (one step per video).
        overwrite (bool): Write into a non-empty folder that is not a
            synthetic set, replacing only the entries a set consists of
            (:func:`set_entries`).
        flow (bool): Write the ground-truth backward flow.
        occlusion_ratio (float): About this fraction of the frames get an
            occluder passing in front of a person.
        person_height (tuple): ``(min, max)`` person height as a fraction
            of the frame height (VIP-like default 0.5-0.95).
        max_people (int): Each video has 1..max_people people.

    Returns:
        dict: The summary, also written to ``<out_dir>/summary.json``, with
        ``preview_path`` (absolute, or None) added.
    """
    _check_args(num_videos, num_frames, size, annotate_every, seed, fmt,
                degrade_ratio, occlusion_ratio, person_height, max_people)
    out_dir = osp.abspath(out_dir)
    replaced = _replaced_entries(out_dir, fmt, overwrite)
    parent, base = osp.split(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f'.{base}.tmp-', dir=parent)
    try:
        summary = _generate(
            tmp, num_videos, num_frames, tuple(size), annotate_every, seed,
            fmt, float(degrade_ratio), preview, progress, bool(flow),
            float(occlusion_ratio),
            tuple(float(x) for x in person_height), max_people)
        _install(tmp, out_dir, replaced)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    summary['preview_path'] = (osp.join(out_dir, summary['preview'])
                               if summary['preview'] else None)
    return summary


def _video_meta(num_frames, width, height, num_persons, first, plan,
                hidden) -> dict:
    """The meta json of one video (see the module docstring)."""
    occluded = [t for t in range(num_frames) if hidden[t] >= OCCLUDED_MIN]
    hard = sorted(set(plan) | set(occluded))
    kinds = {t: (['occluder'] if t in occluded else []) +
             ([plan[t]['kind']] if t in plan else []) for t in hard}
    return dict(
        num_frames=num_frames, width=width, height=height,
        num_persons=num_persons, first_frame_id=first,
        degraded_frames=[t + first for t in sorted(plan)],
        degradation={str(t + first): plan[t]['kind'] for t in sorted(plan)},
        degradation_params={str(t + first): plan[t] for t in sorted(plan)},
        occluded_frames=[t + first for t in occluded],
        occluded_fraction={str(t + first): round(hidden[t], 4)
                           for t in range(num_frames) if hidden[t] > 0},
        hard_frames=[t + first for t in hard],
        hard_kinds={str(t + first): kinds[t] for t in hard})


def _generate(root, num_videos, num_frames, size, annotate_every, seed, fmt,
              degrade_ratio, preview, progress, flow, occlusion_ratio,
              person_height, max_people) -> dict:
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
    persons, samples = {}, []
    counts = dict(degraded_frames=0, occluded_frames=0, hard_frames=0)
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(num_videos)
    first = writer.first_frame_id
    for i, name in enumerate(names):
        video = make_video(seed, i, size, num_frames, person_height,
                           max_people, occlusion_ratio)
        plan = sample_degradations(np.random.default_rng([seed, i, 1]),
                                   num_frames, degrade_ratio, width)
        persons[name] = len(video.tracks)
        ann_frames = [t for t in range(num_frames) if writer.annotated(t)]
        sample_t = ann_frames[len(ann_frames) // 2]
        if sample_t == 0 and num_frames > 1:
            sample_t = 1  # a frame with a flow
        hidden, prev = [], None
        for t in range(num_frames):
            frame = render_frame(video, t)
            cat, hum = frame.category, frame.human
            img = render_image(video, t, cat, hum, frame,
                               np.random.default_rng([seed, i, 2, t]))
            hidden.append(frame.hidden_fraction)
            if t in plan:
                img = apply_degradation(img, **plan[t])
            writer.write_frame(name, t, img, cat, hum)
            fl = None
            if flow and prev is not None:
                fl = backward_flow(prev, frame)
                write_flow(root, name, writer.frame_stem(t), *fl)
            if writer.annotated(t):
                annotated[split_of[name]] += 1
                class_pixels += np.bincount(cat.ravel(),
                                            minlength=len(VIP_CLASSES))
            if preview and t == sample_t and i < PREVIEW_ROWS:
                samples.append(dict(title=f'{name} #{t + first}', img=img,
                                    category=cat, human=hum, flow=fl,
                                    t=t))
            prev = frame
        meta = _video_meta(num_frames, width, height, len(video.tracks),
                           first, plan, hidden)
        for s in samples:
            if 'kinds' not in s:
                s['kinds'] = meta['hard_kinds'].get(str(s['t'] + first),
                                                    [])
        for k in counts:
            counts[k] += len(meta[k])
        write_bytes(osp.join(root, 'meta', name + '.json'), _json_bytes(meta))
        if bar is not None:
            bar.update()
    if bar is not None:
        print()
    writer.write_lists(splits, num_frames)
    summary = dict(
        generator=GENERATOR, generator_version=GENERATOR_VERSION,
        format_version=1, format=fmt, seed=seed, num_videos=num_videos,
        num_frames=num_frames, width=width, height=height,
        annotate_every=annotate_every if fmt == 'vip' else 1,
        degrade_ratio=degrade_ratio, occlusion_ratio=occlusion_ratio,
        person_height=list(person_height), max_people=max_people,
        flow=flow, splits=splits,
        frames={s: len(v) * num_frames for s, v in splits.items()},
        annotated_frames=annotated, num_persons=persons,
        **counts,
        class_pixel_counts={c: int(n) for c, n in
                            zip(VIP_CLASSES, class_pixels)},
        preview='preview.png' if preview else None,
        entries=list(set_entries(fmt)))
    if preview:
        write_preview(osp.join(root, 'preview.png'), samples)
    write_bytes(osp.join(root, 'summary.json'), _json_bytes(summary))
    return summary
