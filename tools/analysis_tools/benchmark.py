"""Stream-inference speed of per-frame, DFF and ATEN configs (paper Eq. 8).

Usage::

    python tools/analysis_tools/benchmark.py CONFIG [CONFIG ...] \\
        (--video FILE | --synthetic) [--frames 30] [--warmup 3] \\
        [--size 512] [--threads 2] [--checkpoint C [C ...]] \\
        [--backend pytorch|onnxruntime ...] [--onnx-dir D ...] \\
        [--inference-mode] [--channels-last] [--interleave] --out result.json

Every config runs in a fresh subprocess (so ``peak_rss_mb`` is its own), or
with ``--interleave`` all configs in one fresh process, stepped in turn one
frame each (a drifting machine load then hits every config alike), on the
SAME frames: the frames are read (OpenCV) or rendered (synthetic
generator) once, resized to ``--size`` on the longer side and shared. A
config first gets untimed warm-up frames (at least ``--warmup``, rounded up
to whole segments that cover the stream's start-up delay ``(p + 1)·l``),
then the ``--frames`` timed frames, fed one per call in stream mode. The
Eq.-8 terms are timed inside that run (:mod:`aten_mm.utils.benchmark`).
Weights are random (every ``init_cfg`` set to None: no download) unless
``--checkpoint``; the same ``--seed`` gives every config the same detector
weights.

The JSON has ``machine`` (cpu, threads, torch version, date) and per config
``fps``, ``speedup_measured`` (fps / fps of the per-frame config of the
run: exactly 1.0 for it), ``speedup_predicted`` (Eq. 8 from the measured
terms, see :func:`aten_mm.utils.benchmark.eq8_ratio`), ``terms_ms`` (per
unit), ``units_per_segment`` next to ``eq8_counts``, ``peak_rss_mb``,
``speedup_nfeat_normalized`` (times in units of each config's own N_feat).
"""
import argparse
import json
import math
import os
import os.path as osp
import subprocess
import sys
import tempfile

import numpy as np

from aten_mm.utils import benchmark as bm
from aten_mm.utils.benchmark.frames import read_video, render_synthetic


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Stream-inference benchmark with the Eq.-8 cost model')
    parser.add_argument('configs', nargs='+', help='config files')
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument('--video', help='video file read with OpenCV')
    src.add_argument('--synthetic', action='store_true',
                     help='render frames with the synthetic generator')
    parser.add_argument('--checkpoint', nargs='+', default=None,
                        help="one checkpoint per config ('none' = random "
                        'weights for that config)')
    parser.add_argument('--backend', nargs='+', default=None,
                        choices=['pytorch', 'onnxruntime'],
                        help='one inference backend per config (default '
                        'pytorch): onnxruntime runs N_feat, FlowNet-S and '
                        'the encoder as ONNX graphs (docs/deployment.md)')
    parser.add_argument('--onnx-dir', nargs='+', default=None,
                        help="one folder of exported graphs per config "
                        "('none' = export into a temporary folder before "
                        'timing)')
    parser.add_argument('--frames', type=int, default=30,
                        help='timed frames (after warm-up)')
    parser.add_argument('--warmup', type=int, default=3,
                        help='least untimed frames before timing')
    parser.add_argument('--size', type=int, default=512,
                        help='longer side of the frames')
    parser.add_argument('--threads', type=int, default=2,
                        help='torch intra-op threads')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--inference-mode', action='store_true',
                        help='torch.inference_mode instead of no_grad')
    parser.add_argument('--channels-last', action='store_true',
                        help='channels-last model and frames')
    parser.add_argument('--no-subprocess', action='store_true',
                        help='run the configs in this process (faster '
                        'start; peak_rss_mb is then the running peak of '
                        'the whole process)')
    parser.add_argument('--interleave', action='store_true',
                        help='step all configs in turn, one frame each, '
                        'in one process: a changing machine load hits '
                        'every config alike (peak_rss_mb is then the '
                        "process's)")
    parser.add_argument('--out', required=True, help='result JSON file')
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run_worker(args) -> None:
    """Build the job's models, run their streams (one after the other, or
    in turn with ``interleave``), write the raw results (JSON list)."""
    import resource

    import torch

    with open(args.worker) as f:
        job = json.load(f)
    torch.set_num_threads(args.threads)
    frames = np.load(job['frames'])
    runs, scheds, results = [], [], []
    for item in job['items']:
        model = bm.build_model(item['config'], item['checkpoint'],
                               args.seed, args.channels_last)
        scheds.append(bm.model_schedule(model))
        samples = bm.build_samples(list(frames[item['offset']:]),
                                   model.data_preprocessor)
        if item.get('backend', 'pytorch') == 'onnxruntime':
            from aten_mm.deployment import use_onnxruntime
            use_onnxruntime(model, item.get('onnx_dir'),
                            example=samples[0][0])
        run = bm.StreamRun(model, samples, item['warmup'],
                           channels_last=args.channels_last,
                           inference_mode=args.inference_mode)
        if job['interleave']:
            runs.append(run)
        else:
            results.append(bm.run_stream(
                model, samples, item['warmup'], args.channels_last,
                args.inference_mode))
            del model, samples, run
    if job['interleave']:
        results = bm.run_interleaved(runs)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    for res, sched, item in zip(results, scheds, job['items']):
        res.update(schedule=sched, warmup=item['warmup'], peak_rss_mb=rss)
    with open(job['out'], 'w') as f:
        json.dump(results, f)


def print_table(results: list) -> None:
    """Per-config table: fps, speed-ups, per-unit terms, RSS."""
    head = (f"{'config':44s} {'fps':>6s} {'meas':>6s} {'pred':>6s} "
            f"{'norm':>6s} "
            + ' '.join(f'{t:>8s}' for t in bm.TERMS) + f" {'ovh':>6s}"
            + f" {'RSS MB':>7s}")
    print(head)
    print('-' * len(head))
    for r in results:
        def fmt(v):
            return '   n/a' if v is None else f'{v:6.2f}'
        terms = ' '.join(f"{r['terms_ms'][t]:8.1f}" for t in bm.TERMS)
        name = osp.basename(r['config'])
        if r.get('backend', 'pytorch') != 'pytorch':
            name = f"{name[:32]} [{r['backend']}]"
        print(f"{name[:44]:44s} {r['fps']:6.3f} "
              f"{fmt(r['speedup_measured'])} "
              f"{fmt(r['speedup_predicted'])} "
              f"{fmt(r.get('speedup_nfeat_normalized'))} {terms} "
              f"{r['overhead_ms_per_frame']:6.1f} {r['peak_rss_mb']:7.0f}")
    print('meas/pred: measured / Eq.-8 speed-up over the per-frame '
          'config; norm: measured, times in units of each own N_feat')
    print('terms: ms per unit (N_feat/image, F/pair, W/map, GRU/call, '
          'N_parse/frame); ovh: ms per frame outside the terms')


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.worker:
        run_worker(args)
        return {}
    for path in args.configs:
        if not osp.isfile(path):
            raise FileNotFoundError(f'config "{path}" does not exist')
    if args.frames < 1 or args.warmup < 0 or args.size < 32:
        raise ValueError('expected --frames >= 1, --warmup >= 0 and '
                         f'--size >= 32, got {args.frames}, {args.warmup}, '
                         f'{args.size}')
    ckpts = args.checkpoint or [None] * len(args.configs)
    if len(ckpts) != len(args.configs):
        raise ValueError(f'--checkpoint: give one per config '
                         f"({len(args.configs)}), 'none' for random "
                         f'weights; got {len(ckpts)}')
    ckpts = [None if c in (None, 'none') else c for c in ckpts]
    backends = args.backend or ['pytorch'] * len(args.configs)
    onnx_dirs = args.onnx_dir or [None] * len(args.configs)
    for flag, values in (('--backend', backends), ('--onnx-dir', onnx_dirs)):
        if len(values) != len(args.configs):
            raise ValueError(f'{flag}: give one per config '
                             f'({len(args.configs)}), got {len(values)}')
    onnx_dirs = [None if d in (None, 'none') else d for d in onnx_dirs]
    for c in ckpts:
        if c is not None and not osp.isfile(c):
            raise FileNotFoundError(f'--checkpoint "{c}" does not exist')
    scheds = [bm.config_schedule(c) for c in args.configs]
    warm = [bm.steady_warmup(dict(s, flow=True, encoder=False), args.warmup)
            for s in scheds]
    for s in scheds:
        if args.frames % s['l']:
            print(f"warning: --frames {args.frames} is not a multiple of "
                  f"l={s['l']}: the timed frames are not whole segments")
    lead = max(warm)
    total = lead + args.frames
    if args.video:
        frames = read_video(args.video, total, args.size)
    else:
        frames = render_synthetic(total, args.size, args.seed)
    items = [dict(config=c, checkpoint=k, offset=lead - w, warmup=w,
                  backend=b, onnx_dir=d)
             for c, k, w, b, d in zip(args.configs, ckpts, warm, backends,
                                      onnx_dirs)]
    # one fresh process per config (peak RSS of that config), or one
    # process stepping every config in turn (--interleave)
    groups = [items] if args.interleave else [[it] for it in items]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        frames_file = osp.join(tmp, 'frames.npy')
        np.save(frames_file, np.stack(frames))
        for i, group in enumerate(groups):
            job = dict(items=group, frames=frames_file,
                       interleave=args.interleave,
                       out=osp.join(tmp, f'result{i}.json'))
            job_file = osp.join(tmp, f'job{i}.json')
            with open(job_file, 'w') as f:
                json.dump(job, f)
            cmd = [sys.executable, osp.abspath(__file__), group[0]['config'],
                   '--synthetic', '--out', job['out'], '--worker', job_file,
                   '--threads', str(args.threads), '--seed', str(args.seed)]
            if args.inference_mode:
                cmd.append('--inference-mode')
            if args.channels_last:
                cmd.append('--channels-last')
            for it in group:
                print(f"[{items.index(it) + 1}/{len(items)}] "
                      f"{it['config']} (warm-up {it['warmup']}, "
                      f'{args.frames} timed frames)', flush=True)
            if args.no_subprocess:
                run_worker(parse_args(cmd[2:]))
            elif subprocess.run(cmd).returncode != 0:
                raise RuntimeError(
                    'benchmark of ' + ', '.join(it['config'] for it in group)
                    + ' failed (see the traceback above)')
            with open(job['out']) as f:
                raw = json.load(f)
            for it, res in zip(group, raw):
                res['config'] = it['config']
                res['checkpoint'] = it['checkpoint']
                res['backend'] = it['backend']
                results.append(res)
    # the reference: the first per-frame config on PyTorch (else on any
    # backend)
    per_frame = [r for r in results if r['schedule']['kind'] == 'per-frame']
    base = next((r for r in per_frame if r['backend'] == 'pytorch'),
                per_frame[0] if per_frame else None)
    out = []
    for r in results:
        res = bm.summarize(r, r['schedule'],
                           base['terms_ms'] if base else None)
        if base is None:
            res['speedup_measured'] = None
            res['speedup_predicted'] = None
        else:
            res['speedup_measured'] = res['fps'] / base['fps']
            pred, meas = res['speedup_predicted'], res['speedup_measured']
            res['prediction_error'] = meas / pred - 1.0
            # the same speed-up with every config's time counted in units
            # of its own N_feat (the identical module on identical frames):
            # robust to a machine load that drifts between configs
            own, ref = res['terms_ms']['N_feat'], base['terms_ms']['N_feat']
            if own > 0 and ref > 0:
                res['speedup_nfeat_normalized'] = (
                    (1000.0 * base['seconds'] / base['frames'] / ref) /
                    (1000.0 * res['seconds'] / res['frames'] / own))
        out.append(res)
    report = dict(
        machine=bm.machine_info(args.threads),
        settings=dict(frames=args.frames, warmup=args.warmup,
                      size=args.size, shape=list(frames[0].shape[:2]),
                      source=args.video or 'synthetic', seed=args.seed,
                      inference_mode=args.inference_mode,
                      channels_last=args.channels_last,
                      interleave=args.interleave,
                      rss_scope='process' if (
                          args.no_subprocess or args.interleave) else
                      'config',
                      baseline=base['config'] if base else None),
        results=out)
    print_table(out)
    if base is None:
        print('note: no per-frame config in the run: speed-ups are n/a')
    folder = osp.dirname(osp.abspath(args.out))
    os.makedirs(folder, exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(report, f, indent=2, default=_jsonable)
    print(f'wrote {args.out}')
    return report


def _jsonable(obj):
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if isinstance(obj, float) and math.isnan(obj):
        return None
    raise TypeError(f'not JSON serialisable: {type(obj).__name__}')


if __name__ == '__main__':
    from aten_mm.apis.cli import run_tool
    run_tool(main)
