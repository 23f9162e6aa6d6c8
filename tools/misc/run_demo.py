#!/usr/bin/env python
"""The ``make demo`` main job: data -> train -> evaluate -> render.

Steps (each prints its progress; a failing step prints what failed and
the job exits non-zero):

1. :func:`step_data` — generate the synthetic VIP set (with its preview)
   under ``--data-root`` unless it is already there; print its summary.
2. :func:`step_train` — train the tiny ATEN config (l = 3, p = 2, paper
   §4) on the train split on the CPU (:func:`aten_mm.apis.train_run`,
   mmengine's Runner, as ``tools/train.py``); skipped with
   ``--skip-train --checkpoint CKPT``.
3. :func:`step_eval` — evaluate the checkpoint on the val split
   (:func:`aten_mm.apis.evaluate_run`, as ``tools/test.py``): the VIP
   table of paper Table 1 (mIoU, AP^r, AP^r_vol, docs/vip_protocol.md)
   and ``metrics.json``.
4. :func:`step_render` — stream inference over a held-out (test split)
   video (:func:`aten_mm.apis.render_video`, as ``demo/video_demo.py``):
   an overlay mp4.

``--quick`` trains 2 iterations on whatever set ``--data-root`` holds (for
the tests); the default budget is that of
``configs/aten/aten_tiny_demo_synthetic.py`` (a few minutes on 2 cores).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
import traceback

from aten_mm.apis.cli import USER_ERRORS, run_tool
from aten_mm.apis.render import render_video
from aten_mm.apis.run_config import (
    RunError,
    data_overrides,
    evaluate_run,
    merge_dicts,
    train_run,
    write_run_config,
)
from aten_mm.datasets.synthetic import generate_dataset, is_synthetic_set
from aten_mm.datasets.synthetic.preview import load_vip_samples, write_preview

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_CONFIG = 'configs/aten/aten_tiny_demo_synthetic.py'
#: ``--quick``: 2 iterations, every one logged (the tests' budget); an
#: iteration loop whatever the config's loop is
QUICK_OVERRIDES = dict(
    train_cfg=dict(_delete_=True, type='IterBasedTrainLoop', max_iters=2,
                   val_interval=10**9),
    default_hooks=dict(logger=dict(interval=1),
                       checkpoint=dict(by_epoch=False, interval=2)),
    log_processor=dict(by_epoch=False))
#: the demo's synthetic set: many short videos, so that the tiny model
#: sees enough backgrounds to generalise to the held-out videos (with the
#: generator's default 8 training videos it learns their backgrounds by
#: heart: val mIoU stays near the all-background level)
#: (no ground-truth flow: the demo trains no flow net; it would add ~550 MB)
DEMO_SET = dict(num_videos=48, num_frames=40, size=(256, 144),
                annotate_every=5, degrade_ratio=0.2, flow=False)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='aten_mm demo on synthetic data: generate -> train -> '
        'evaluate -> render.')
    parser.add_argument('--work-dir', required=True,
                        help='folder for the demo outputs')
    parser.add_argument('--data-root', default='data/synthetic_vip_demo',
                        help='synthetic VIP set; generated with the demo\'s '
                        'settings when absent (default: '
                        'data/synthetic_vip_demo)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the synthetic set when generated and '
                        'of the training run')
    parser.add_argument('--config', default=None,
                        help=f'model config (default: {DEMO_CONFIG})')
    parser.add_argument('--skip-train', action='store_true',
                        help='do not train; evaluate and render '
                        '--checkpoint')
    parser.add_argument('--checkpoint', default=None,
                        help='checkpoint to use with --skip-train')
    parser.add_argument('--quick', action='store_true',
                        help='a tiny budget (2 iterations): checks that every '
                        'step runs, the numbers mean nothing')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads (default: torch\'s, one '
                        'per core); on a machine shared with other jobs '
                        '1 avoids OpenMP oversubscription, which can slow '
                        'training down several times')
    parser.add_argument('--video', default=None,
                        help='test-split video to render (default: the '
                        'first one)')
    args = parser.parse_args(argv)
    if args.threads is not None and args.threads < 1:
        parser.error('--threads must be >= 1')
    if args.skip_train and not args.checkpoint:
        parser.error('--skip-train needs --checkpoint CKPT')
    if args.checkpoint and not args.skip_train:
        parser.error('--checkpoint is only used with --skip-train')
    if args.checkpoint and not osp.isfile(args.checkpoint):
        parser.error(f'--checkpoint {args.checkpoint} does not exist')
    if args.config is None:
        args.config = osp.join(REPO, DEMO_CONFIG)
    if not osp.isfile(args.config):
        parser.error(f'--config {args.config} does not exist')
    return args


def _load_summary(root: str) -> dict:
    with open(osp.join(root, 'summary.json')) as f:
        return json.load(f)


def print_summary(summary: dict, root: str) -> None:
    """Print videos, frames, annotated frames per split and class pixels."""
    print(f'synthetic {summary["format"].upper()} set at {root} '
          f'(seed {summary["seed"]}, {summary["width"]}x'
          f'{summary["height"]}, annotated every '
          f'{summary["annotate_every"]} frames)')
    print(f'{"split":<6} {"videos":>6} {"frames":>7} {"annotated":>9}')
    for split, videos in summary['splits'].items():
        print(f'{split:<6} {len(videos):>6} {summary["frames"][split]:>7} '
              f'{summary["annotated_frames"][split]:>9}')
    counts = summary['class_pixel_counts']
    total = max(1, sum(counts.values()))
    print('class pixel counts over the annotated frames:')
    for i, (name, n) in enumerate(counts.items()):
        print(f'  {i:>2} {name:<14} {n:>10} {100 * n / total:6.2f}%')
    missing = [c for c, n in list(counts.items())[1:] if n == 0]
    if missing:
        print(f'  classes absent: {", ".join(missing)}')


def step_data(args) -> dict:
    """Step 1: make sure the synthetic VIP set exists; print its summary.

    Args:
        args (argparse.Namespace): ``data_root``, ``seed``, ``work_dir``.

    Returns:
        dict: The set's summary (``summary.json``) with ``preview_path``.
    """
    root = args.data_root
    if osp.isdir(root) and os.listdir(root) and not is_synthetic_set(root):
        raise ValueError(f'{root} exists but is not a synthetic set (no '
                         'summary.json from aten_mm.datasets.synthetic); '
                         'pass another --data-root')
    if is_synthetic_set(root):
        summary = _load_summary(root)
        if summary['format'] != 'vip':
            raise ValueError(f'{root} holds a {summary["format"]} set; '
                             'the demo needs the VIP layout')
        print(f'[data] reusing the synthetic set at {root}')
        differs = {k: summary.get(k) for k in ('num_videos', 'num_frames',
                                               'annotate_every')
                   if summary.get(k) != DEMO_SET[k]}
        if differs:
            print(f'[data] note: this set has {differs}, the demo\'s own '
                  f'set {DEMO_SET}: the numbers will differ from the '
                  'documented ones (remove the folder to regenerate)')
        preview = osp.join(root, 'preview.png')
        if not osp.isfile(preview):
            write_preview(preview, load_vip_samples(root))
    else:
        print(f'[data] generating the synthetic VIP set at {root}')
        summary = generate_dataset(root, seed=args.seed, preview=True,
                                   **DEMO_SET)
        preview = summary['preview_path']
    summary['preview_path'] = osp.abspath(preview)
    print_summary(summary, root)
    print(f'[data] preview: {summary["preview_path"]}')
    with open(osp.join(args.work_dir, 'data_summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    return summary


def write_demo_config(args) -> str:
    """``<work_dir>/demo_config.py``: ``--config`` on ``--data-root``
    (val split evaluated), seeded, one checkpoint kept, no validation
    during training (step 3 evaluates once), ``--quick``'s budget."""
    overrides = data_overrides(args.data_root, 'val')
    overrides['randomness'] = dict(seed=args.seed)
    overrides['train_cfg'] = dict(val_begin=10**9)
    overrides['default_hooks'] = dict(checkpoint=dict(max_keep_ckpts=1))
    if args.quick:
        overrides = merge_dicts(overrides, QUICK_OVERRIDES)
    return write_run_config(
        args.config, osp.join(args.work_dir, 'demo_config.py'), overrides)


def step_train(args, summary: dict) -> dict:
    """Step 2: train the demo config on the train split.

    Args:
        args (argparse.Namespace): ``config``, ``work_dir``, ``data_root``,
            ``seed``, ``quick``.
        summary (dict): The set's summary (for the progress line).

    Returns:
        dict: See :func:`aten_mm.apis.train_run`.
    """
    print(f'[train] {osp.relpath(args.config)} on the train split '
          f'({len(summary["splits"]["train"])} videos, '
          f'{summary["annotated_frames"]["train"]} annotated frames)'
          + (' -- quick budget' if args.quick else ''), flush=True)
    out = train_run(args.run_config, osp.join(args.work_dir, 'train'))
    print(f'[train] done: {out["iters"]} iterations in '
          f'{out["train_s"] / 60:.1f} min; checkpoint {out["checkpoint"]}',
          flush=True)
    return out


def step_eval(args, checkpoint: str) -> dict:
    """Step 3: evaluate ``checkpoint`` on the val split; write
    ``<work_dir>/metrics.json``.

    Returns:
        dict: ``metrics`` (the VIP numbers in %) and ``metrics_path``.
    """
    print(f'[eval] VIP metrics of {checkpoint} on the val split',
          flush=True)
    metrics = evaluate_run(args.run_config, checkpoint,
                           osp.join(args.work_dir, 'eval'))
    path = osp.abspath(osp.join(args.work_dir, 'metrics.json'))
    record = dict(config=osp.abspath(args.config), checkpoint=checkpoint,
                  data_root=osp.abspath(args.data_root), split='val',
                  metrics=metrics)
    with open(path, 'w') as f:
        json.dump(record, f, indent=2)
    print('[eval] ' + '  '.join(
        f'{k} {metrics.get("vip/" + k, float("nan")):.1f}'
        for k in ('mIoU', 'APr', 'APr_vol', 'APr_vol_nanmean')), flush=True)
    return dict(metrics=metrics, metrics_path=path)


def count_video_frames(path: str) -> int:
    """Number of frames OpenCV decodes from a video file."""
    import cv2
    cap = cv2.VideoCapture(path)
    count = 0
    while cap.isOpened():
        ok, _ = cap.read()
        if not ok:
            break
        count += 1
    cap.release()
    return count


def step_render(args, summary: dict, checkpoint: str) -> dict:
    """Step 4: render a held-out (test split) video with the video demo.

    Returns:
        dict: ``video`` (its name), ``mp4`` (the overlay video) and
        ``frames`` (frames written, checked by reading it back).
    """
    test_videos = summary['splits'].get('test') or []
    video = args.video or (test_videos[0] if test_videos else None)
    if video is None:
        raise RunError(f'the set at {args.data_root} has no test-split '
                        'video to render; pass --video')
    if args.video and args.video not in test_videos:
        print(f'[render] note: {video} is not in the test split '
              f'{test_videos}', flush=True)
    folder = osp.join(args.data_root, 'VIP_Sequence', video)
    if not osp.isdir(folder):
        raise RunError(f'no frames folder {folder}')
    num_frames = len([n for n in os.listdir(folder)
                      if n.lower().endswith(('.jpg', '.png'))])
    out = osp.abspath(osp.join(args.work_dir, f'demo_{video}.mp4'))
    print(f'[render] {video} ({num_frames} frames) -> {out}', flush=True)
    render_video(folder, args.run_config, checkpoint, out=out,
                 side_by_side=True, fps=10.0,
                 overwrite=True)  # the job's own file of a rerun
    written = count_video_frames(out) if osp.isfile(out) else 0
    if written != num_frames:
        raise RunError(f'{out} has {written} readable frames, expected '
                        f'{num_frames}')
    return dict(video=video, mp4=out, frames=written)


def run_step(name: str, fn, *args):
    """Run one step; any failure becomes a clear message and exit 1."""
    start = time.perf_counter()
    try:
        out = fn(*args)
    except SystemExit as e:
        if e.code in (0, None):
            raise
        print(f'[{name}] FAILED: {e.code}', file=sys.stderr, flush=True)
        sys.exit(1)
    except Exception as e:  # noqa: BLE001 - report any failure, then exit
        if not isinstance(e, USER_ERRORS):  # a bug: show where
            traceback.print_exc()
        print(f'[{name}] FAILED: {type(e).__name__}: {e}', file=sys.stderr,
              flush=True)
        sys.exit(1)
    print(f'[{name}] step took {time.perf_counter() - start:.0f} s',
          flush=True)
    return out


def print_outputs(results: dict) -> None:
    """Where everything went."""
    print('\n[demo] outputs:')
    rows = [('data preview', results['data']['preview_path'])]
    if 'train' in results:
        rows += [('checkpoint', results['train']['checkpoint']),
                 ('training log', results['train']['log'])]
    else:
        rows.append(('checkpoint', results['checkpoint']))
    rows += [('metrics json', results['eval']['metrics_path']),
             ('demo video', results['render']['mp4'])]
    for name, path in rows:
        print(f'  {name:<13} {path}')
    m = results['eval']['metrics']
    print(f'[demo] val: mIoU {m.get("vip/mIoU", float("nan")):.1f}  '
          f'APr {m.get("vip/APr", float("nan")):.1f}  '
          f'APr_vol {m.get("vip/APr_vol", float("nan")):.1f} '
          f'(nanmean {m.get("vip/APr_vol_nanmean", float("nan")):.1f}) %')


def main(argv=None) -> dict:
    """Run the demo; returns every step's result."""
    start = time.perf_counter()
    args = parse_args(argv)
    if args.threads is not None:
        import torch
        torch.set_num_threads(args.threads)
    os.makedirs(args.work_dir, exist_ok=True)
    results = dict(data=run_step('data', step_data, args))
    args.run_config = write_demo_config(args)
    print(f'[demo] run config: {args.run_config}')
    if args.skip_train:
        checkpoint = osp.abspath(args.checkpoint)
        results['checkpoint'] = checkpoint
        print(f'[train] skipped; using {checkpoint}')
    else:
        results['train'] = run_step('train', step_train, args,
                                    results['data'])
        checkpoint = results['train']['checkpoint']
    results['eval'] = run_step('eval', step_eval, args, checkpoint)
    results['render'] = run_step('render', step_render, args,
                                 results['data'], checkpoint)
    results['wall_s'] = time.perf_counter() - start
    print_outputs(results)
    print(f'[demo] done in {results["wall_s"] / 60:.1f} min')
    return results


if __name__ == '__main__':
    run_tool(main)
