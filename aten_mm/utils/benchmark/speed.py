"""The stream-speed benchmark of ``tools/analysis_tools/benchmark.py``.

:func:`run_benchmark` times every config on the SAME frames (read from a
video file or rendered by the synthetic generator, resized to ``size`` on
the longer side): each config in a fresh subprocess (:func:`run_job`, so
``peak_rss_mb`` is its own), or all in one process stepped in turn one
frame each (``interleave``: a drifting machine load hits every config
alike). A config first gets untimed warm-up frames (at least ``warmup``,
rounded up to whole segments that cover the stream's start-up delay
``(p + 1)·l``), then ``frames`` timed frames, one per call in stream mode
(:class:`.StreamRun`); the Eq.-8 terms are timed inside that run
(:class:`.TermTimer`). The report has ``machine``, ``settings`` and per
config ``fps``, ``speedup_measured`` (fps / fps of the per-frame config of
the run), ``speedup_predicted`` (Eq. 8 from the measured terms),
``terms_ms``, ``units_per_segment`` next to ``eq8_counts``,
``peak_rss_mb`` and ``speedup_nfeat_normalized`` (times in units of each
config's own N_feat).
"""
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional, Sequence

import numpy as np

from aten_mm.utils.text_io import dump_json

from . import cost_model as cm
from . import stream_run as sr
from .frames import read_video, render_synthetic
from .machine import machine_info
from .peak_rss import child_env

#: The worker process: ``python -c _WORKER JOB_FILE``.
_WORKER = ('import sys; from aten_mm.utils.benchmark.speed import run_job; '
           'run_job(sys.argv[1])')


def run_job(job_file: str) -> None:
    """Worker: build the job's models, run their streams (one after the
    other, or in turn with ``interleave``), write the raw results (JSON
    list) to the job's ``out``.

    Args:
        job_file (str): JSON of ``items`` (config, checkpoint, offset,
            warmup, backend, onnx_dir), ``frames`` (an ``.npy`` file),
            ``interleave``, ``threads``, ``seed``, ``inference_mode``,
            ``channels_last`` and ``out``.

    A user error (:data:`aten_mm.apis.cli.USER_ERRORS`: an ONNX folder
    of another model, a checkpoint that does not fit ...) is written to
    ``out`` as ``{"error": message}`` for the parent to report in one line
    (with ``ATEN_MM_TRACEBACK=1`` it propagates with its traceback).
    """
    from aten_mm.apis.cli import TRACEBACK_ENV, USER_ERRORS
    try:
        _run_job(job_file)
    except USER_ERRORS as err:
        if os.environ.get(TRACEBACK_ENV) == '1':
            raise
        with open(job_file) as f:
            out = json.load(f)['out']
        with open(out, 'w') as f:
            json.dump({'error': str(err)}, f)


def _run_job(job_file: str) -> None:
    """The body of :func:`run_job`."""
    import resource

    import torch

    with open(job_file) as f:
        job = json.load(f)
    torch.set_num_threads(job['threads'])
    frames = np.load(job['frames'])
    runs, scheds, results, graph_info = [], [], [], []
    for item in job['items']:
        model = sr.build_model(item['config'], item['checkpoint'],
                               job['seed'], job['channels_last'])
        scheds.append(cm.model_schedule(model))
        samples = sr.build_samples(list(frames[item['offset']:]),
                                   model.data_preprocessor)
        if item.get('backend', 'pytorch') == 'onnxruntime':
            from aten_mm.deployment import use_onnxruntime
            use_onnxruntime(model, item.get('onnx_dir'),
                            example=samples[0][0])
            graphs = model.onnx_backend.manifest['graphs']
            graph_info.append(dict(
                feat_precision=graphs['feat'].get('precision', 'float32'),
                winograd_convs=sum(g.get('winograd_convs', 0)
                                   for g in graphs.values())))
        else:
            graph_info.append(dict(feat_precision='float32',
                                   winograd_convs=0))
        run = sr.StreamRun(model, samples, item['warmup'],
                           channels_last=job['channels_last'],
                           inference_mode=job['inference_mode'])
        if job['interleave']:
            runs.append(run)
        else:
            results.append(sr.run_stream(
                model, samples, item['warmup'], job['channels_last'],
                job['inference_mode']))
            del model, samples, run
    if job['interleave']:
        results = sr.run_interleaved(runs)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    for res, sched, item, info in zip(results, scheds, job['items'],
                                      graph_info):
        res.update(schedule=sched, warmup=item['warmup'], peak_rss_mb=rss,
                   **info)
    with open(job['out'], 'w') as f:
        json.dump(results, f)


def print_table(results: list) -> None:
    """Per-config table: fps, speed-ups, per-unit terms, RSS."""
    head = (f"{'config':44s} {'fps':>6s} {'meas':>6s} {'pred':>6s} "
            f"{'norm':>6s} "
            + ' '.join(f'{t:>8s}' for t in cm.TERMS) + f" {'ovh':>6s}"
            + f" {'RSS MB':>7s}")
    print(head)
    print('-' * len(head))
    for r in results:
        def fmt(v):
            return '   n/a' if v is None else f'{v:6.2f}'
        terms = ' '.join(f"{r['terms_ms'][t]:8.1f}" for t in cm.TERMS)
        name = osp.basename(r['config'])
        if r.get('backend', 'pytorch') != 'pytorch':
            tag = r['backend']
            if r.get('feat_precision', 'float32') != 'float32':
                tag += ' ' + r['feat_precision']  # e.g. an int8 N_feat
            if r.get('winograd_convs'):
                tag += ' winograd'
            name = f'{name[:42 - len(tag)]} [{tag}]'
        print(f"{name[:44]:44s} {r['fps']:6.3f} "
              f"{fmt(r['speedup_measured'])} "
              f"{fmt(r['speedup_predicted'])} "
              f"{fmt(r.get('speedup_nfeat_normalized'))} {terms} "
              f"{r['overhead_ms_per_frame']:6.1f} {r['peak_rss_mb']:7.0f}")
    print('meas/pred: measured / Eq.-8 speed-up over the per-frame '
          'config; norm: measured, times in units of each own N_feat')
    print('terms: ms per unit (N_feat/image, F/pair, W/map, GRU/call, '
          'N_parse/frame); ovh: ms per frame outside the terms')


def run_benchmark(configs: Sequence[str], out: str,
                  video: Optional[str] = None,
                  checkpoints: Optional[List[Optional[str]]] = None,
                  backends: Optional[List[str]] = None,
                  onnx_dirs: Optional[List[Optional[str]]] = None,
                  frames: int = 30, warmup: int = 3, size: int = 512,
                  threads: int = 2, seed: int = 0,
                  inference_mode: bool = False, channels_last: bool = False,
                  in_process: bool = False,
                  interleave: bool = False) -> Dict:
    """Time ``configs`` in stream mode and write the report to ``out``.

    Args:
        configs (Sequence[str]): Config files.
        out (str): Report JSON file.
        video (str, optional): Video file read with OpenCV; None: frames
            rendered by the synthetic generator.
        checkpoints (list, optional): One per config (None or ``'none'``:
            random weights, seeded by ``seed``).
        backends (list[str], optional): One per config, ``'pytorch'``
            (default) or ``'onnxruntime'`` (docs/deployment.md).
        onnx_dirs (list, optional): One folder of exported graphs per
            config (None or ``'none'``: exported into a temporary folder).
        frames (int): Timed frames after the warm-up.
        warmup (int): Least untimed frames.
        size (int): Longer side of the frames.
        threads (int): Torch intra-op threads.
        seed (int): Seed of the weights and of the synthetic frames.
        inference_mode (bool): ``torch.inference_mode`` instead of
            ``no_grad``.
        channels_last (bool): Channels-last model and frames.
        in_process (bool): Run the configs in this process (peak RSS is
            then the running peak of the whole process).
        interleave (bool): Step all configs in turn in one process.

    Returns:
        dict: The report (``machine``, ``settings``, ``results``).
    """
    for path in configs:
        if not osp.isfile(path):
            raise FileNotFoundError(f'config "{path}" does not exist')
    if frames < 1 or warmup < 0 or size < 32:
        raise ValueError('expected --frames >= 1, --warmup >= 0 and '
                         f'--size >= 32, got {frames}, {warmup}, '
                         f'{size}')
    ckpts = checkpoints or [None] * len(configs)
    if len(ckpts) != len(configs):
        raise ValueError(f'--checkpoint: give one per config '
                         f"({len(configs)}), 'none' for random "
                         f'weights; got {len(ckpts)}')
    ckpts = [None if c in (None, 'none') else c for c in ckpts]
    backends = backends or ['pytorch'] * len(configs)
    onnx_dirs = onnx_dirs or [None] * len(configs)
    for flag, values in (('--backend', backends), ('--onnx-dir', onnx_dirs)):
        if len(values) != len(configs):
            raise ValueError(f'{flag}: give one per config '
                             f'({len(configs)}), got {len(values)}')
    onnx_dirs = [None if d in (None, 'none') else d for d in onnx_dirs]
    for config, backend, folder in zip(configs, backends, onnx_dirs):
        if folder is not None and backend != 'onnxruntime':
            raise ValueError(
                f'--onnx-dir {folder} is given for {config}, whose '
                f"--backend is {backend}; give 'none' there")
        if folder is not None and not osp.isfile(
                osp.join(folder, 'manifest.json')):
            raise FileNotFoundError(
                f'--onnx-dir {folder}: no manifest.json; export the graphs '
                'with tools/deployment/export_onnx.py')
    for c in ckpts:
        if c is not None and not osp.isfile(c):
            raise FileNotFoundError(f'--checkpoint "{c}" does not exist')
    scheds = [cm.config_schedule(c) for c in configs]
    warm = [cm.steady_warmup(dict(s, flow=True, encoder=False), warmup)
            for s in scheds]
    for s in scheds:
        if frames % s['l']:
            print(f"warning: --frames {frames} is not a multiple of "
                  f"l={s['l']}: the timed frames are not whole segments")
    lead = max(warm)
    total = lead + frames
    if video:
        images = read_video(video, total, size)
    else:
        images = render_synthetic(total, size, seed)
    items = [dict(config=c, checkpoint=k, offset=lead - w, warmup=w,
                  backend=b, onnx_dir=d)
             for c, k, w, b, d in zip(configs, ckpts, warm, backends,
                                      onnx_dirs)]
    # one fresh process per config (peak RSS of that config), or one
    # process stepping every config in turn (--interleave)
    groups = [items] if interleave else [[it] for it in items]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        frames_file = osp.join(tmp, 'frames.npy')
        np.save(frames_file, np.stack(images))
        for i, group in enumerate(groups):
            job = dict(items=group, frames=frames_file,
                       interleave=interleave, threads=threads, seed=seed,
                       inference_mode=inference_mode,
                       channels_last=channels_last,
                       out=osp.join(tmp, f'result{i}.json'))
            job_file = osp.join(tmp, f'job{i}.json')
            with open(job_file, 'w') as f:
                json.dump(job, f)
            for it in group:
                print(f"[{items.index(it) + 1}/{len(items)}] "
                      f"{it['config']} (warm-up {it['warmup']}, "
                      f'{frames} timed frames)', flush=True)
            if in_process:
                run_job(job_file)
            elif subprocess.run([sys.executable, '-c', _WORKER, job_file],
                                env=child_env()).returncode != 0:
                raise RuntimeError(
                    'benchmark of ' + ', '.join(it['config'] for it in group)
                    + ' failed (see the traceback above)')
            with open(job['out']) as f:
                raw = json.load(f)
            if isinstance(raw, dict) and 'error' in raw:
                raise ValueError(
                    'benchmark of ' + ', '.join(it['config'] for it in group)
                    + ': ' + raw['error'])
            for it, res in zip(group, raw):
                res['config'] = it['config']
                res['checkpoint'] = it['checkpoint']
                res['backend'] = it['backend']
                res['onnx_dir'] = it['onnx_dir']
                results.append(res)
    # the reference: the first per-frame config on PyTorch (else on any
    # backend)
    per_frame = [r for r in results if r['schedule']['kind'] == 'per-frame']
    base = next((r for r in per_frame if r['backend'] == 'pytorch'),
                per_frame[0] if per_frame else None)
    rows = []
    for r in results:
        res = cm.summarize(r, r['schedule'],
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
        rows.append(res)
    report = dict(
        machine=machine_info(threads),
        settings=dict(frames=frames, warmup=warmup,
                      size=size, shape=list(images[0].shape[:2]),
                      source=video or 'synthetic', seed=seed,
                      inference_mode=inference_mode,
                      channels_last=channels_last,
                      interleave=interleave,
                      rss_scope='process' if (
                          in_process or interleave) else 'config',
                      baseline=base['config'] if base else None),
        results=rows)
    print_table(rows)
    if base is None:
        print('note: no per-frame config in the run: speed-ups are n/a')
    folder = osp.dirname(osp.abspath(out))
    os.makedirs(folder, exist_ok=True)
    dump_json(report, out)
    print(f'wrote {out}')
    return report

