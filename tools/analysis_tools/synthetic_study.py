#!/usr/bin/env python
"""Synthetic accuracy study: the paper's Table 1 in miniature (issue 8/10).

One command trains the per-frame Parsing R-CNN, DFF and ATEN tiny configs
(and the efficient ATEN variant when its config exists) on the same
synthetic VIP set with the same budget (iterations, optimiser, schedule)
and seed, evaluates each on the held-out val videos — on all annotated
frames and on the degraded ones only (motion blur, defocus, noise: where
the paper's temporal encoder should help, §4.3 and §5.2) — measures the
stream-inference speed (frames per second on the same frames), and writes

- ``<work-dir>/study.json``: settings, machine, date, command and per
  config the numbers (``all``/``degraded``: ``mIoU``, ``APr``,
  ``APr_vol``, ``APr_vol_nanmean``, ``num_frames``; ``fps``);
- the markdown table (``--doc``, default ``docs/synthetic_study.md``);
- the speed/accuracy plot (fps vs mIoU and vs AP^r_vol), a PNG next to
  the markdown file and in the work dir.

``python tools/analysis_tools/synthetic_study.py --budget-min 4``
"""
import argparse
import datetime
import json
import os
import os.path as osp
import shutil
import sys
import time

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools', 'misc'))
import run_demo  # noqa: E402  (the demo's train/test/config helpers)

#: per-frame, DFF, ATEN, efficient ATEN (skipped when absent)
DEFAULT_CONFIGS = (
    'configs/parsing_rcnn/parsing-rcnn_tiny_synthetic.py',
    'configs/dff/dff_tiny_synthetic.py',
    'configs/aten/aten_tiny_synthetic.py',
    'configs/aten/aten_tiny_efficient_synthetic.py',
)
#: the study's set: 48 videos (32 train / 8 val / 8 test; fewer training
#: videos are learnt by heart by the tiny models), 30 % of the frames
#: degraded, so that the val split holds ~20 degraded annotated frames.
STUDY_SET = dict(num_videos=48, num_frames=40, size=(256, 144),
                 annotate_every=5, degrade_ratio=0.3)
METRIC_KEYS = ('mIoU', 'APr', 'APr_vol', 'APr_vol_nanmean')
#: frames timed for fps after the warm-up frames
WARMUP_FRAMES = 6
#: everything from this line on in an existing ``--doc`` is kept
NOTES_MARKER = '<!-- notes: kept when the study rewrites this page -->'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Train per-frame / DFF / ATEN tiny configs with one '
        'budget on a synthetic set; accuracy on all and on degraded '
        'frames, fps, table and plot.')
    parser.add_argument('--work-dir', default='work_dirs/synthetic_study')
    parser.add_argument('--data-root', default='data/synthetic_vip_study',
                        help='study set; generated when absent')
    parser.add_argument('--configs', nargs='+', default=None,
                        help='configs to compare (default: per-frame, DFF, '
                        'ATEN and efficient ATEN tiny configs)')
    parser.add_argument('--budget-min', type=float, default=4.0,
                        help='training minutes per config on this machine: '
                        'turned into one iteration count for all configs '
                        '(calibrated on the slowest, ATEN)')
    parser.add_argument('--iters', type=int, default=None,
                        help='training iterations per config (overrides '
                        '--budget-min)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--lr', type=float, default=1e-3,
                        help='AdamW learning rate (all configs)')
    parser.add_argument('--fps-frames', type=int, default=40,
                        help='frames of the first val video timed for fps')
    parser.add_argument('--fps-rounds', type=int, default=3,
                        help='timing rounds over all models, back to back; '
                        'the median fps is reported')
    parser.add_argument('--reuse', action='store_true',
                        help='take the trained checkpoints and metrics '
                        'of <work-dir>/study.json and only re-time fps')
    parser.add_argument('--doc', default='docs/synthetic_study.md',
                        help='markdown file written with the table')
    parser.add_argument('--set-args', default=None,
                        help='JSON of generate_dataset arguments for a new '
                        f'set (default {json.dumps(STUDY_SET)})')
    args = parser.parse_args(argv)
    if args.configs is None:
        args.configs = [c for c in DEFAULT_CONFIGS
                        if osp.isfile(osp.join(REPO, c))]
    resolved = []
    for c in args.configs:
        path = c if osp.isfile(c) else osp.join(REPO, c)
        if not osp.isfile(path):
            parser.error(f'--configs: {c} does not exist')
        resolved.append(path)
    args.configs = resolved
    if args.iters is not None and args.iters < 1:
        parser.error('--iters must be >= 1')
    if args.budget_min <= 0:
        parser.error('--budget-min must be > 0')
    return args


def config_name(config: str) -> str:
    """Short row name of a config file (its stem)."""
    return osp.splitext(osp.basename(config))[0]


def prepare_data(args) -> dict:
    """Generate the study set unless present; returns its summary."""
    from aten_mm.datasets.synthetic import generate_dataset, is_synthetic_set
    set_args = dict(STUDY_SET)
    if args.set_args:
        set_args.update(json.loads(args.set_args))
    set_args['size'] = tuple(set_args['size'])
    if is_synthetic_set(args.data_root):
        print(f'[study] reusing the synthetic set at {args.data_root}')
        with open(osp.join(args.data_root, 'summary.json')) as f:
            summary = json.load(f)
    else:
        if osp.isdir(args.data_root) and os.listdir(args.data_root):
            raise SystemExit(f'error: {args.data_root} is not a synthetic '
                             'set; pass another --data-root')
        print(f'[study] generating the study set at {args.data_root} '
              f'{set_args}')
        summary = generate_dataset(args.data_root, seed=args.seed,
                                   **set_args)
    if not summary['splits'].get('val'):
        raise SystemExit(f'error: {args.data_root} has no val videos')
    return summary


def degraded_annotated_frames(data_root: str, videos: list) -> dict:
    """``{video: [frame_id, ...]}``: degraded frames that are annotated.

    Read from ``<root>/meta/<video>.json`` and the annotation folder
    (the frames the metric sees).
    """
    out = {}
    for video in videos:
        with open(osp.join(data_root, 'meta', f'{video}.json')) as f:
            meta = json.load(f)
        ann = osp.join(data_root, 'VIP_Fine', 'Annotations',
                       'Category_ids', video)
        annotated = {int(osp.splitext(n)[0]) for n in os.listdir(ann)}
        out[video] = sorted(set(meta['degraded_frames']) & annotated)
    return out


def study_overrides(args, iters: int) -> dict:
    """The run config shared by every model: data, seed, one iteration
    budget, AdamW, the same lr schedule, metrics on all / degraded."""
    overrides = run_demo.data_overrides(args.data_root, 'val')
    warmup = max(1, min(20, iters // 10))
    evaluator = [
        dict(type='SubsetMetric', metric=dict(type='VIPMetric'),
             key='degraded', values=[True, False], prefix='all'),
        dict(type='SubsetMetric', metric=dict(type='VIPMetric'),
             key='degraded', values=[True], prefix='degraded'),
    ]
    overrides.update(
        randomness=dict(seed=args.seed),
        train_cfg=dict(_delete_=True, type='IterBasedTrainLoop',
                       max_iters=iters, val_interval=10**9,
                       val_begin=10**9),
        param_scheduler=[
            dict(type='LinearLR', start_factor=0.1, by_epoch=False,
                 begin=0, end=warmup),
            dict(type='MultiStepLR', by_epoch=False, begin=0, end=iters,
                 milestones=[max(1, int(iters * 0.8))], gamma=0.1)],
        optim_wrapper=dict(
            optimizer=dict(_delete_=True, type='AdamW', lr=args.lr,
                           weight_decay=1e-4)),
        default_hooks=dict(
            logger=dict(interval=max(1, min(20, iters // 10))),
            checkpoint=dict(by_epoch=False, interval=iters,
                            max_keep_ckpts=1)),
        log_processor=dict(by_epoch=False),
        val_evaluator=evaluator,
        test_evaluator=evaluator)
    return overrides


def calibrate_iters(config: str, args) -> int:
    """Iterations that fit ``--budget-min`` for ``config`` (the slowest):
    a few timed training steps through the real runner."""
    import torch
    from mmengine.config import Config

    from aten_mm.apis import build_runner
    path = run_demo.write_run_config(
        config, osp.join(args.work_dir, 'calibrate', 'config.py'),
        study_overrides(args, 10))
    cfg = Config.fromfile(path)
    cfg.work_dir = osp.join(args.work_dir, 'calibrate')
    runner = build_runner(cfg)
    loader = runner.build_dataloader(cfg.train_dataloader)
    optim = runner.build_optim_wrapper(cfg.optim_wrapper)
    model = runner.model
    model.train()
    def endless():
        while True:
            yield from loader

    batches = endless()
    times = []
    for _ in range(4):
        batch = next(batches)
        start = time.perf_counter()
        model.train_step(batch, optim)
        times.append(time.perf_counter() - start)
    sec = float(np.median(times[1:]))
    iters = max(10, int(args.budget_min * 60 / sec))
    print(f'[study] calibration: {sec:.2f} s/iteration for '
          f'{config_name(config)} (torch threads '
          f'{torch.get_num_threads()}) -> {iters} iterations per config')
    return iters


def measure_fps(config: str, checkpoint: str, frames: list,
                warmup: list) -> float:
    """Stream-mode frames per second of a model over ``frames``.

    Args:
        config (str): Run config.
        checkpoint (str): Trained weights.
        frames (list[np.ndarray]): The timed frames (BGR), one video.
        warmup (list[np.ndarray]): Frames run first (another video id).

    Returns:
        float: ``len(frames) / seconds``.
    """
    from aten_mm.apis import inference_frames, init_model
    model = init_model(config, checkpoint)
    for _ in inference_frames(model, warmup, 'warmup'):
        pass
    start = time.perf_counter()
    count = sum(1 for _ in inference_frames(model, frames, 'timed'))
    return count / (time.perf_counter() - start)


def read_frames(folder: str, limit: int) -> list:
    """The first ``limit`` frames (BGR) of a frames folder, in order."""
    import cv2
    names = sorted(n for n in os.listdir(folder) if n.endswith('.jpg'))
    if not names:
        raise FileNotFoundError(f'no .jpg frames in {folder}')
    return [cv2.imread(osp.join(folder, n)) for n in names[:limit]]


def pick(metrics: dict, prefix: str) -> dict:
    """``{mIoU, APr, APr_vol, APr_vol_nanmean, num_frames}`` of a prefix."""
    out = {k: metrics.get(f'{prefix}/{k}', float('nan'))
           for k in METRIC_KEYS}
    out['num_frames'] = int(metrics.get(f'{prefix}/num_samples', 0))
    return out


def run_model(config: str, args, iters: int) -> dict:
    """Train and evaluate (all / degraded) one config."""
    name = config_name(config)
    work = osp.join(args.work_dir, name)
    run_config = run_demo.write_run_config(
        config, osp.join(work, 'study_config.py'),
        study_overrides(args, iters))
    print(f'[study] {name}: training {iters} iterations', flush=True)
    trained = run_demo.train_model(run_config, osp.join(work, 'train'))
    print(f'[study] {name}: evaluating on the val split', flush=True)
    metrics = run_demo.evaluate_model(run_config, trained['checkpoint'],
                                      osp.join(work, 'eval'))
    row = dict(name=name, config=osp.relpath(config, REPO),
               run_config=osp.abspath(run_config),
               checkpoint=trained['checkpoint'], log=trained['log'],
               iters=trained['iters'], train_s=trained['train_s'],
               all=pick(metrics, 'all'), degraded=pick(metrics, 'degraded'),
               fps=float('nan'))
    return row


def time_models(rows: list, fps_frames: list, warmup_frames: list,
                rounds: int) -> None:
    """Set ``fps`` (median over ``rounds``) and ``fps_rounds`` of every
    row; the models are timed back to back in each round, so a change of
    the machine's load hits all of them alike."""
    times = {r['name']: [] for r in rows}
    for k in range(rounds):
        for r in rows:
            fps = measure_fps(r['run_config'], r['checkpoint'], fps_frames,
                              warmup_frames)
            times[r['name']].append(fps)
            print(f'[study] fps round {k + 1}/{rounds} {r["name"]}: '
                  f'{fps:.2f}', flush=True)
    for r in rows:
        r['fps_rounds'] = times[r['name']]
        r['fps'] = float(np.median(times[r['name']]))


def reuse_rows(json_path: str, configs: list) -> tuple:
    """Rows, iterations and command of a previous study (``--reuse``)."""
    if not osp.isfile(json_path):
        raise SystemExit(f'error: --reuse needs {json_path} from a '
                         'previous run')
    with open(json_path) as f:
        old = json.load(f)
    by_name = {r['name']: r for r in old['models']}
    rows = []
    for c in configs:
        row = by_name.get(config_name(c))
        if row is None or not osp.isfile(row['checkpoint']):
            raise SystemExit(f'error: --reuse: {json_path} has no trained '
                             f'{config_name(c)}')
        rows.append(row)
    print(f'[study] reusing the trained models of {json_path}')
    return rows, old['settings']['iters'], old['command']


def format_row(row: dict) -> str:
    a, d = row['all'], row['degraded']
    return (f'all mIoU {a["mIoU"]:.1f} APr {a["APr"]:.1f} APr_vol '
            f'{a["APr_vol_nanmean"]:.1f} | degraded mIoU {d["mIoU"]:.1f} '
            f'APr {d["APr"]:.1f} APr_vol {d["APr_vol_nanmean"]:.1f} | '
            f'{row["fps"]:.2f} fps')


def machine() -> str:
    """One line: CPU, cores, torch version and threads, Python."""
    import torch

    from aten_mm.utils.benchmark import machine_info
    m = machine_info(torch.get_num_threads())
    return (f'{m["cpu"]}, {m["cpu_count"]} cores, torch {m["torch"]} '
            f'({m["threads"]} threads), Python {m["python"]}')


def markdown(study: dict, plot_name: str) -> str:
    """The study page: settings, command, machine, date, table, plot."""
    s = study['settings']
    lines = [
        '# Synthetic accuracy study (paper Table 1 in miniature)', '',
        'Per-frame Parsing R-CNN, DFF and ATEN (tiny configs) trained on '
        'the same synthetic VIP set with the same budget and seed, '
        'evaluated on the held-out val videos on all annotated frames and '
        'on the degraded ones only (motion blur, defocus, noise); fps is '
        'stream inference over the same frames. Written by '
        '`tools/analysis_tools/synthetic_study.py`.', '',
        f'- command: `{study["command"]}`',
        f'- machine: {study["machine"]}',
        f'- date: {study["date"]}',
        f'- set: `{s["data_root"]}` {json.dumps(s["set"])}; val videos '
        f'{s["val_videos"]}, {s["val_annotated_frames"]} annotated '
        f'frames, {s["val_degraded_annotated_frames"]} of them degraded',
        f'- training: {s["iters"]} iterations per model, batch 2 clips, '
        f'AdamW lr {s["lr"]} (x0.1 at 80 %), seed {s["seed"]}, inputs '
        'resized to a longer side of 128 px',
        f'- fps: stream inference (`aten_mm.apis.inference_frames`) over '
        f'{s["fps_frames"]} frames of `{s["fps_video"]}` after '
        f'{WARMUP_FRAMES} warm-up frames, models timed back to back, median '
        f'of {s.get("fps_rounds", 1)} rounds, one process, CPU', '',
        'All numbers in %. APr_vol is the mean over the part classes that '
        'have ground truth in the evaluated frames (`APr_vol_nanmean`; the '
        'official mean is NaN when a class is absent).', '',
        '| model | iters | train min | mIoU | APr | APr_vol | mIoU '
        '(degraded) | APr (degraded) | APr_vol (degraded) | fps |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ]
    for r in study['models']:
        a, d = r['all'], r['degraded']
        lines.append(
            f'| {r["name"]} | {r["iters"]} | {r["train_s"] / 60:.1f} | '
            f'{a["mIoU"]:.1f} | {a["APr"]:.1f} | '
            f'{a["APr_vol_nanmean"]:.1f} | {d["mIoU"]:.1f} | '
            f'{d["APr"]:.1f} | {d["APr_vol_nanmean"]:.1f} | '
            f'{r["fps"]:.2f} |')
    lines += ['', f'![speed / accuracy]({plot_name})', '']
    return '\n'.join(lines)


def plot(study: dict, path: str) -> None:
    """fps vs mIoU and fps vs AP^r_vol, all and degraded frames."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key, label in zip(axes, ('mIoU', 'APr_vol_nanmean'),
                              ('mIoU (%)', 'AP$^r_{vol}$ (%)')):
        for i, r in enumerate(study['models']):
            for subset, marker in (('all', 'o'), ('degraded', 'x')):
                ax.scatter(r['fps'], r[subset][key], marker=marker,
                           color=plt.cm.tab10(i % 10))
            ax.annotate(r['name'].replace('_synthetic', ''),
                        (r['fps'], r['all'][key]), fontsize=7)
        ax.set_xlabel('stream fps (CPU)')
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].set_title('o: all frames, x: degraded frames')
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None) -> dict:
    """Run the study; returns the JSON record."""
    args = parse_args(argv)
    start = time.perf_counter()
    os.makedirs(args.work_dir, exist_ok=True)
    summary = prepare_data(args)
    val = summary['splits']['val']
    degraded = degraded_annotated_frames(args.data_root, val)
    num_degraded = sum(len(v) for v in degraded.values())
    print(f'[study] val: {len(val)} videos, '
          f'{summary["annotated_frames"]["val"]} annotated frames, '
          f'{num_degraded} degraded', flush=True)
    if num_degraded == 0:
        print('[study] warning: no degraded annotated frame in the val '
              'split; the degraded columns will be empty', flush=True)
    command = ('python ' + ' '.join(
        [osp.relpath(osp.abspath(sys.argv[0]), REPO)] + sys.argv[1:])
        if argv is None else 'main(' + repr(argv) + ')')
    json_path = osp.join(args.work_dir, 'study.json')
    if args.reuse:
        rows, iters, command = reuse_rows(json_path, args.configs)
    else:
        iters = args.iters
        if iters is None:
            slowest = [c for c in args.configs if 'aten' in config_name(c)]
            iters = calibrate_iters((slowest or args.configs)[-1], args)
        rows = [run_model(c, args, iters) for c in args.configs]
    folder = osp.join(args.data_root, 'VIP_Sequence', val[0])
    fps_frames = read_frames(folder, args.fps_frames)
    warmup_frames = fps_frames[:WARMUP_FRAMES]
    time_models(rows, fps_frames, warmup_frames, args.fps_rounds)
    for r in rows:
        print(f'[study] {r["name"]}: ' + format_row(r), flush=True)
    study = dict(
        command=command,
        machine=machine(),
        date=datetime.datetime.now().strftime('%Y-%m-%d %H:%M'),
        wall_min=(time.perf_counter() - start) / 60,
        settings=dict(
            data_root=args.data_root,
            set={k: summary.get(k) for k in (
                'num_videos', 'num_frames', 'width', 'height',
                'annotate_every', 'degrade_ratio', 'seed')},
            seed=args.seed, iters=iters, lr=args.lr,
            budget_min=args.budget_min, val_videos=val,
            val_annotated_frames=summary['annotated_frames']['val'],
            val_degraded_annotated_frames=num_degraded,
            degraded_frames=degraded, fps_video=val[0],
            fps_frames=len(fps_frames), fps_rounds=args.fps_rounds),
        models=rows)
    with open(json_path, 'w') as f:
        json.dump(study, f, indent=2)
    png_name = osp.splitext(osp.basename(args.doc))[0] + '.png'
    png = osp.join(args.work_dir, png_name)
    plot(study, png)
    os.makedirs(osp.dirname(osp.abspath(args.doc)), exist_ok=True)
    shutil.copy(png, osp.join(osp.dirname(osp.abspath(args.doc)), png_name))
    page = markdown(study, png_name)
    if osp.isfile(args.doc):  # keep the hand-written notes of the page
        with open(args.doc) as f:
            old = f.read()
        if NOTES_MARKER in old:
            page += '\n' + old[old.index(NOTES_MARKER):]
    with open(args.doc, 'w') as f:
        f.write(page)
    print(f'[study] done in {study["wall_min"]:.1f} min: {json_path}, '
          f'{args.doc}, {png}')
    for r in rows:
        print(f'  {r["name"]:<40} {format_row(r)}')
    return study


if __name__ == '__main__':
    from aten_mm.apis.cli import run_tool
    run_tool(main)
