#!/usr/bin/env python
"""Synthetic accuracy study: the paper's Table 1 and §5.4 in miniature.

Runs in parts, so that a small machine can run it over several sittings:

- one part trains and evaluates ONE model with ONE seed and writes
  ``<work-dir>/runs/<model>/seed_<S>.json``::

      python tools/analysis_tools/synthetic_study.py --model aten --seed 1

  ``--model`` is a study name (``per-frame``, ``dff``, ``aten``,
  ``aten-efficient``, ``fgfa``, ``aten-p1``, ``aten-avg``,
  ``aten-noalign``: the tiny configs of
  :data:`aten_mm.utils.benchmark.study.STUDY_MODELS`) or a config file.
  Every model trains ``--iters`` iterations on the same set with the
  config's optimiser and the same iteration schedule. With ``--init
  per-frame`` (the default, paper §5.1) a video model's detector starts
  from the per-frame run of the same seed (run ``--model per-frame``
  first) and is fine-tuned end to end; ``--init scratch`` starts it from
  random weights. With ``--detector-checkpoint CKPT`` every part, the
  per-frame model too, starts from one trained per-frame model and is
  fine-tuned for ``--iters`` (a study of well-trained starts; give it a
  ``--work-dir`` of its own: the merge refuses to mix starts). The run
  is evaluated on the annotated val frames: all, clean, hard and each
  kind of hard frame (the set's meta files), and its stream-mode fps
  measured (:func:`aten_mm.utils.benchmark.stream_fps`);
- ``--merge`` gathers every per-run JSON into ``--json`` (default
  ``docs/synthetic_study.json``) and the page ``--doc`` (default
  ``docs/synthetic_study.md``: schema, mean ± std over seeds, the
  paper's claims answered yes / no; the hand-written notes after the
  notes marker are kept);
- ``--all`` runs every part that has no result yet (the main models with
  every ``--seeds``, FGFA and the ablations with the first) and merges;
- ``--retime`` times the fps of every finished part again, back to back
  in one process (parts run at different times see different machine
  loads), and updates their result files; ``--merge`` afterwards.
"""
import argparse
import datetime
import json
import os
import os.path as osp
import sys
import time

import numpy as np

from aten_mm.apis.run_config import (
    data_overrides,
    evaluate_run,
    train_run,
    write_run_config,
)
from aten_mm.utils.benchmark import study

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

#: the study's set: 48 videos (32 train / 8 val / 8 test), 30 % of the
#: frames degraded, so that the val split holds ~20 degraded annotated
#: frames (and the generator's occluded frames).
STUDY_SET = dict(num_videos=48, num_frames=40, size=(256, 144),
                 annotate_every=5, degrade_ratio=0.3)
#: the summary keys that describe the set (the same for every run)
SET_KEYS = ('generator_version', 'num_videos', 'num_frames', 'width',
            'height', 'annotate_every', 'degrade_ratio', 'occlusion_ratio',
            'person_height', 'max_people', 'seed', 'annotated_frames',
            'hard_frames')
#: everything from this line on in an existing ``--doc`` is kept
NOTES_MARKER = '<!-- notes: kept when the study rewrites this page -->'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Synthetic study in parts: train + evaluate one model '
        'with one seed (--model, --seed), --merge the parts into the '
        'JSON and the page, or --all.')
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument('--model', help='study model name ('
                      + ', '.join(study.STUDY_MODELS) + ') or config file')
    mode.add_argument('--merge', action='store_true',
                      help='merge <work-dir>/runs/*/seed_*.json')
    mode.add_argument('--all', action='store_true',
                      help='run the missing parts, then merge')
    mode.add_argument('--retime', action='store_true', help='time the '
                      'fps of the finished parts again, back to back')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the part (--model)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2],
                        help='seeds of --all (FGFA and the ablations: the '
                        'first only)')
    parser.add_argument('--work-dir', default='work_dirs/synthetic_study')
    parser.add_argument('--data-root', default='data/synthetic_vip_study',
                        help='study set; generated when absent')
    parser.add_argument('--set-args', default=None,
                        help='JSON of generate_dataset arguments for a new '
                        f'set (default {json.dumps(STUDY_SET)})')
    for flag, default, text in (
            ('--iters', 512, 'training iterations of every run'),
            ('--fps-frames', 40, 'frames of the first val video timed'),
            ('--fps-warmup', 6, 'frames run before the timed ones'),
            ('--fps-rounds', 3, 'timing rounds (the median fps is kept)')):
        parser.add_argument(flag, type=int, default=default, help=text)
    parser.add_argument('--init', choices=['per-frame', 'scratch'],
                        default='per-frame', help="start of a video "
                        "model's detector: the per-frame run of the same "
                        'seed, or random')
    parser.add_argument('--detector-checkpoint', help='a trained '
                        'per-frame Parsing R-CNN every part starts from: '
                        'the per-frame model is fine-tuned from it, a video '
                        "model's detector initialised with it (--init is "
                        'then not used); use a --work-dir of its own')
    parser.add_argument('--flow-checkpoint', help='FlowNet-S checkpoint '
                        'of the video models (configs/flownet)')
    parser.add_argument('--lr', type=float, help="override the configs' lr")
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing result of the part')
    parser.add_argument('--json', default='docs/synthetic_study.json',
                        help='merged record (--merge, --all)')
    parser.add_argument('--doc', default='docs/synthetic_study.md',
                        help='page written by --merge / --all')
    args = parser.parse_args(argv)
    if min(args.iters, args.fps_frames, args.fps_rounds) < 1 or \
            not 0 <= args.fps_warmup <= args.fps_frames:
        parser.error('expected --iters, --fps-frames and --fps-rounds >= 1 '
                     'and 0 <= --fps-warmup <= --fps-frames')
    for flag in ('detector_checkpoint', 'flow_checkpoint'):
        path = getattr(args, flag)
        if path and not osp.isfile(path):
            parser.error(f"--{flag.replace('_', '-')}: {path} does not "
                         'exist')
    if args.detector_checkpoint:
        problem = detector_checkpoint_problem(args.detector_checkpoint)
        if problem:
            parser.error(f'--detector-checkpoint: {args.detector_checkpoint}'
                         f' {problem}')
    return args


#: weights every per-frame Parsing R-CNN checkpoint holds
DETECTOR_PREFIXES = ('backbone.', 'neck.', 'rpn_head.', 'roi_head.',
                     'parsing_head.')


def detector_checkpoint_problem(path: str) -> str:
    """Why ``path`` is not a per-frame Parsing R-CNN checkpoint (its
    weights load as a whole model or as a video model's ``detector``), or
    '' when it is one."""
    from aten_mm.utils.checkpoint import (
        UnsafeCheckpointError,
        safe_torch_load,
    )
    try:
        ckpt = safe_torch_load(path)
    except (ValueError, OSError, UnsafeCheckpointError) as e:
        return f'cannot be read: {e}'
    state = ckpt.get('state_dict', ckpt)
    missing = [p for p in DETECTOR_PREFIXES
               if not any(str(k).startswith(p) for k in state)]
    if missing:
        return ('is not a per-frame Parsing R-CNN checkpoint: no '
                + ', '.join(f'{p}*' for p in missing) + ' weights (e.g. '
                'checkpoints/parsing-rcnn_tiny_synthetic-*.pth or a '
                'tools/train.py run of configs/parsing_rcnn/)')
    return ''


def resolve_model(model: str) -> tuple:
    """``(name, config path)`` of a study name or a config file."""
    if model in study.STUDY_MODELS:
        return model, osp.join(REPO, study.STUDY_MODELS[model])
    if osp.isfile(model):
        return osp.splitext(osp.basename(model))[0], osp.abspath(model)
    raise FileNotFoundError(f'--model: {model} is neither a study model ('
                            + ', '.join(study.STUDY_MODELS)
                            + ') nor a config file')


def prepare_data(args) -> dict:
    """Generate the study set unless present; returns its summary."""
    from aten_mm.datasets.synthetic import generate_dataset, is_synthetic_set
    set_args = dict(STUDY_SET)
    if args.set_args:
        set_args.update(json.loads(args.set_args))
    set_args['size'] = tuple(set_args['size'])
    if is_synthetic_set(args.data_root):
        with open(osp.join(args.data_root, 'summary.json')) as f:
            summary = json.load(f)
    else:
        if osp.isdir(args.data_root) and os.listdir(args.data_root):
            raise FileExistsError(f'{args.data_root} is not a synthetic '
                                  'set; pass another --data-root')
        print(f'[study] generating the study set at {args.data_root} '
              f'{set_args}', flush=True)
        summary = generate_dataset(args.data_root, seed=0, **set_args)
    if not summary['splits'].get('val'):
        raise ValueError(f'{args.data_root} has no val videos')
    return summary


def run_overrides(args, seed: int, subsets: dict, init: dict) -> dict:
    """The run config of a part: data, seed, ``--iters`` with the same
    warm-up and 10x lr step (at 75 %) for every model, the subsets'
    evaluator, and the start of a video model."""
    iters = args.iters
    overrides = data_overrides(args.data_root, 'val')
    evaluator = study.subset_evaluator(subsets)
    overrides.update(
        randomness=dict(seed=seed),
        train_cfg=dict(_delete_=True, type='IterBasedTrainLoop',
                       max_iters=iters, val_interval=10**9,
                       val_begin=10**9),
        param_scheduler=[
            dict(type='LinearLR', start_factor=0.1, by_epoch=False,
                 begin=0, end=max(1, min(20, iters // 10))),
            dict(type='MultiStepLR', by_epoch=False, begin=0, end=iters,
                 milestones=[max(1, int(iters * 0.75))], gamma=0.1)],
        default_hooks=dict(
            logger=dict(interval=max(1, min(20, iters // 10))),
            checkpoint=dict(by_epoch=False, interval=iters,
                            max_keep_ckpts=1)),
        log_processor=dict(by_epoch=False),
        val_evaluator=evaluator, test_evaluator=evaluator)
    if args.lr is not None:
        overrides['optim_wrapper'] = dict(optimizer=dict(lr=args.lr))
    overrides.update(init)
    return overrides


def part_start(args, name: str, config: str, seed: int) -> tuple:
    """``(description, run-config overrides)`` of a part's start.

    With ``--detector-checkpoint`` every part starts from it (the
    per-frame model by ``load_from``, a video model's detector by its
    ``init_cfg``). Else the per-frame model and ``--init scratch`` start
    from random weights and a video model's detector from the per-frame run
    of the same seed. A video model's FlowNet-S starts from
    ``--flow-checkpoint`` when given."""
    from aten_mm.apis.config import load_config
    ckpt = args.detector_checkpoint and osp.abspath(args.detector_checkpoint)
    start = ckpt and study.CHECKPOINT_START + osp.basename(ckpt)
    if load_config(config, check_keys=False).model.get('detector') is None:
        return (start, dict(load_from=ckpt)) if ckpt else ('scratch', {})
    model = {}
    if args.flow_checkpoint:
        model['motion'] = dict(init_cfg=dict(
            type='Pretrained', checkpoint=osp.abspath(args.flow_checkpoint)))
    if ckpt:
        model['detector'] = dict(init_cfg=dict(type='Pretrained',
                                               checkpoint=ckpt))
        return start, dict(model=model)
    if args.init == 'scratch':
        return 'scratch', dict(model=model) if model else {}
    path = part_file(args.work_dir, 'per-frame', seed)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{name} starts from the per-frame run of seed {seed}, and '
            f'{path} does not exist: run --model per-frame --seed {seed} '
            'first (or --init scratch)')
    with open(path) as f:
        ckpt = json.load(f)['checkpoint']
    model['detector'] = dict(init_cfg=dict(type='Pretrained',
                                           checkpoint=ckpt))
    return f'per-frame seed {seed}', dict(model=model)


def part_file(work_dir: str, name: str, seed: int) -> str:
    """The result file of one part."""
    return osp.join(work_dir, 'runs', name, f'seed_{seed}.json')


def time_fps(runs: list, data_root: str, video: str, args) -> list:
    """Stream fps of every run in each of ``--fps-rounds`` rounds, the runs
    timed back to back within a round (a machine load then hits all
    alike), over the first ``--fps-frames`` frames of ``video`` after its
    first ``--fps-warmup`` frames run as a video of their own.

    Args:
        runs (list[dict]): ``run_config`` and ``checkpoint`` of each run.
        data_root (str): The study set.
        video (str): A val video.
        args: ``fps_frames``, ``fps_warmup``, ``fps_rounds``.

    Returns:
        list[list[float]]: Per run, its fps in each round.
    """
    from aten_mm.utils.benchmark import stream_fps
    from aten_mm.utils.benchmark.frames import read_frames
    frames = read_frames(osp.join(data_root, 'VIP_Sequence', video),
                         args.fps_frames)
    times = [[] for _ in runs]
    for _ in range(args.fps_rounds):
        for run, fps in zip(runs, times):
            fps.append(stream_fps(run['run_config'], run['checkpoint'],
                                  frames, frames[:args.fps_warmup]))
    return times


def fps_fields(times: list, video: str, args) -> dict:
    """The fps entries of a result file."""
    return dict(fps=float(np.median(times)), fps_rounds=times,
                fps_video=video, fps_frames=args.fps_frames,
                fps_warmup=args.fps_warmup,
                fps_date=datetime.datetime.now().strftime('%Y-%m-%d %H:%M'))


def retime(args) -> list:
    """Time the fps of every finished part again, back to back in this
    process (:func:`time_fps`), and update their result files."""
    from aten_mm.utils.text_io import dump_json
    runs = study.load_runs(osp.join(args.work_dir, 'runs'))
    video = runs[0]['fps_video']
    times = time_fps(runs, runs[0]['data_root'], video, args)
    for run, fps in zip(runs, times):
        path = run.pop('file')
        run.update(fps_fields(fps, video, args))
        dump_json(run, path)
        print(f'[study] {run["model"]} seed {run["seed"]}: '
              f'{run["fps"]:.2f} fps -> {path}', flush=True)
    return runs


def run_part(args, model: str, seed: int, command: str) -> dict:
    """Train, evaluate and time one model with one seed; write its
    result file (refused when it exists, unless ``--overwrite``)."""
    import torch

    from aten_mm.utils.benchmark import machine_line
    from aten_mm.utils.text_io import dump_json
    name, config = resolve_model(model)
    out = part_file(args.work_dir, name, seed)
    if osp.exists(out) and not args.overwrite:
        raise FileExistsError(f'{out} exists (pass --overwrite to run the '
                              'part again)')
    summary = prepare_data(args)
    val = summary['splits']['val']
    subsets = study.read_subsets(args.data_root, val)
    init, init_overrides = part_start(args, name, config, seed)
    work = osp.join(args.work_dir, name, f'seed_{seed}')
    run_config = write_run_config(
        config, osp.join(work, 'study_config.py'),
        run_overrides(args, seed, subsets, init_overrides))
    print(f'[study] {name} seed {seed}: training {args.iters} iterations '
          f'(start: {init})', flush=True)
    trained = train_run(run_config, osp.join(work, 'train'))
    start = time.perf_counter()
    metrics = evaluate_run(run_config, trained['checkpoint'],
                           osp.join(work, 'eval'))
    eval_min = (time.perf_counter() - start) / 60
    fps, = time_fps([dict(run_config=run_config, **trained)],
                    args.data_root, val[0], args)
    record = dict(
        model=name, seed=seed, config=osp.relpath(config, REPO),
        run_config=osp.abspath(run_config),
        checkpoint=trained['checkpoint'], log=trained['log'], init=init,
        iters=trained['iters'], train_min=trained['train_s'] / 60,
        eval_min=eval_min, **fps_fields(fps, val[0], args),
        metrics=study.pick_metrics(metrics, subsets), command=command,
        machine=machine_line(torch.get_num_threads()),
        date=datetime.datetime.now().strftime('%Y-%m-%d %H:%M'),
        set={k: summary.get(k) for k in SET_KEYS},
        data_root=osp.abspath(args.data_root))
    os.makedirs(osp.dirname(out), exist_ok=True)
    dump_json(record, out + '.part')
    os.replace(out + '.part', out)
    miou = {k: v['mIoU'] for k, v in record['metrics'].items()
            if v['mIoU'] is not None}
    print(f'[study] {name} seed {seed}: mIoU '
          + ', '.join(f'{k} {v:.1f}' for k, v in miou.items())
          + f'; {record["fps"]:.2f} fps, {record["train_min"]:.1f} min '
          f'training -> {out}', flush=True)
    return record


def merge(args, command: str) -> dict:
    """Merge the per-run results into ``--json`` and ``--doc``."""
    from aten_mm.utils.text_io import dump_json
    merged = study.merge_runs(study.load_runs(
        osp.join(args.work_dir, 'runs')))
    merged.update(merge_command=command,
                  date=datetime.datetime.now().strftime('%Y-%m-%d %H:%M'))
    for path in (args.json, args.doc):
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    dump_json(merged, args.json)
    page = study.markdown(merged)
    if osp.isfile(args.doc):  # keep the hand-written notes of the page
        with open(args.doc, encoding='utf-8') as f:
            old = f.read()
        if NOTES_MARKER in old:
            page += '\n' + old[old.index(NOTES_MARKER):]
    with open(args.doc, 'w', encoding='utf-8') as f:
        f.write(page)
    for c in merged['claims']:
        print(f'[study] {c["claim"]}: {c["verdict"]} ({c["numbers"]})')
    print(f'[study] merged {sum(len(s) for s in merged["results"].values())}'
          f' runs -> {args.json}, {args.doc}')
    return merged


def main(argv=None) -> dict:
    """Run one part, merge, or both (``--all``); returns the record."""
    args = parse_args(argv)
    command = ('python ' + ' '.join(
        [osp.relpath(osp.abspath(sys.argv[0]), REPO)] + sys.argv[1:])
        if argv is None else 'main(' + repr(argv) + ')')
    if args.model:
        return run_part(args, args.model, args.seed, command)
    if args.retime:
        return dict(runs=retime(args))
    if args.all:
        for k, seed in enumerate(args.seeds):
            for name in study.STUDY_MODELS:
                if k and name not in study.MAIN_MODELS:
                    continue
                if osp.isfile(part_file(args.work_dir, name, seed)):
                    print(f'[study] {name} seed {seed}: done before, kept')
                    continue
                run_part(args, name, seed, command)
    return merge(args, command)


if __name__ == '__main__':
    from aten_mm.apis.cli import run_tool
    run_tool(main)
