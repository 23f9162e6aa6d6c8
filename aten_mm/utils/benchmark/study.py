"""The synthetic accuracy study (paper Table 1 and §5.4 in miniature).

One run trains and evaluates one model with one seed
(``tools/analysis_tools/synthetic_study.py --model NAME --seed S``) and
writes a per-run JSON; :func:`merge_runs` gathers them into the study's
record (model → seed → subset → metric), the mean ± std over seeds, and
the paper's claims answered yes / no (:func:`judge_claims`).

Subsets of the annotated val frames (:func:`frame_subsets`, from the
synthetic set's meta files, docs/synthetic_data.md): ``all``; ``clean``
(not in ``hard_frames``); ``hard`` (occluded or degraded, where the
temporal encoder should help, paper §1 and §4.3) and one subset per kind
of hard frame (``occluder`` and the degradations of
:data:`aten_mm.datasets.synthetic.degrade.DEGRADATIONS`).
"""
import glob
import json
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

from aten_mm.datasets.synthetic.degrade import DEGRADATIONS

#: The study's models: name -> tiny config (relative to the repository).
STUDY_MODELS = {
    'per-frame': 'configs/parsing_rcnn/parsing-rcnn_tiny_synthetic.py',
    # l = 3, prime to the sets' 5-frame label spacing: DFF is scored at key
    # distances 0, 1, 2 alike ('dff-l5' scores key frames only)
    'dff': 'configs/dff/dff_tiny_l3_synthetic.py',
    'aten': 'configs/aten/aten_tiny_synthetic.py',
    'aten-efficient': 'configs/aten/aten_tiny_efficient_synthetic.py',
    'fgfa': 'configs/fgfa/fgfa_tiny_synthetic.py',
    'aten-p1': 'configs/aten/aten_tiny_p1_synthetic.py',
    'aten-avg': 'configs/aten/aten_tiny_avg_synthetic.py',
    'aten-noalign': 'configs/aten/aten_tiny_noalign_synthetic.py',
    'dff-l5': 'configs/dff/dff_tiny_synthetic.py',
}
#: ``init`` of a part started from a trained checkpoint
#: (``synthetic_study.py --detector-checkpoint``): this prefix + file name
CHECKPOINT_START = 'checkpoint '
#: Models run with every seed; the others (FGFA, the ablations) with one.
MAIN_MODELS = ('per-frame', 'dff', 'aten', 'aten-efficient')
#: Metrics of every subset (in %), as the VIP metric names them.
METRICS = ('mIoU', 'APr', 'APr_vol', 'APr_vol_nanmean')
#: Kinds of hard frames, one subset each.
KINDS = ('occluder', ) + tuple(DEGRADATIONS)
#: Every subset, in table order.
SUBSETS = ('all', 'clean', 'hard') + KINDS


def frame_kinds(meta: dict) -> Dict[int, List[str]]:
    """``{frame_id: [kinds]}`` of the hard frames of one video's meta.

    Generator v2 writes ``hard_kinds``; an older set's meta has only
    ``degraded_frames`` / ``degradation`` (and maybe
    ``occluded_frames``), from which the same map is built.

    Args:
        meta (dict): ``<root>/meta/<video>.json``.

    Returns:
        dict[int, list[str]]: Hard frame ids (as in the file names) and
        their kinds; frames not listed are clean.
    """
    if 'hard_kinds' in meta:
        return {int(t): list(k) for t, k in meta['hard_kinds'].items()}
    kinds = {int(t): ['occluder'] for t in meta.get('occluded_frames', [])}
    degradation = meta.get('degradation', {})
    for t in meta.get('degraded_frames', []):
        kinds.setdefault(int(t), []).append(
            degradation.get(str(t), 'degraded'))
    return kinds


def frame_subsets(metas: Dict[str, dict],
                  annotated: Dict[str, Sequence[int]]
                  ) -> Dict[str, Dict[str, List[int]]]:
    """The annotated frames of every subset.

    Args:
        metas (dict[str, dict]): Meta of every video (see
            :func:`frame_kinds`).
        annotated (dict[str, Sequence[int]]): Annotated frame ids of every
            video (the frames the metric sees).

    Returns:
        dict: ``{subset: {video: [frame_id, ...]}}`` for every name of
        :data:`SUBSETS` (sorted ids; a video without frames in a subset
        is left out).
    """
    out = {name: {} for name in SUBSETS}
    for video, frames in annotated.items():
        kinds = frame_kinds(metas[video])
        for t in sorted(int(f) for f in frames):
            names = ['all', 'hard' if t in kinds else 'clean']
            names += [k for k in KINDS if k in kinds.get(t, ())]
            for name in names:
                out[name].setdefault(video, []).append(t)
    return out


def read_subsets(data_root: str, videos: Sequence[str]
                 ) -> Dict[str, Dict[str, List[int]]]:
    """:func:`frame_subsets` of videos of a synthetic VIP set on disk.

    Reads ``<root>/meta/<video>.json`` and the annotated frames
    (``VIP_Fine/Annotations/Category_ids/<video>/<id>.png``).
    """
    metas, annotated = {}, {}
    for video in videos:
        path = osp.join(data_root, 'meta', f'{video}.json')
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path} does not exist: the study '
                                    'needs a synthetic set with meta files')
        with open(path, encoding='utf-8') as f:
            metas[video] = json.load(f)
        ann = osp.join(data_root, 'VIP_Fine', 'Annotations',
                       'Category_ids', video)
        annotated[video] = [int(osp.splitext(n)[0]) for n in os.listdir(ann)
                            if n.endswith('.png')]
    return frame_subsets(metas, annotated)


def subset_evaluator(subsets: Dict[str, Dict[str, List[int]]]) -> List:
    """One ``SubsetMetric`` (VIP metrics, prefix = subset name) per
    non-empty subset."""
    return [dict(type='SubsetMetric', metric=dict(type='VIPMetric'),
                 frames=frames, prefix=name)
            for name, frames in subsets.items() if frames]


def pick_metrics(metrics: dict, subsets: Dict[str, Dict[str, List[int]]]
                 ) -> Dict[str, dict]:
    """``{subset: {metric: value, 'num_frames': n}}`` from the evaluator's
    ``<subset>/<metric>`` keys (None for an empty subset)."""
    out = {}
    for name, frames in subsets.items():
        count = sum(len(v) for v in frames.values())
        row = {k: (metrics.get(f'{name}/{k}') if count else None)
               for k in METRICS}
        row['num_frames'] = count
        out[name] = row
    return out


# -- merge -----------------------------------------------------------------
def mean_std(values: Sequence[Optional[float]]) -> dict:
    """Mean and sample standard deviation (n - 1) of the defined values.

    Returns:
        dict: ``mean`` (None without values), ``std`` (None for fewer than
        two values) and ``n``.
    """
    vals = [float(v) for v in values
            if v is not None and math.isfinite(float(v))]
    n = len(vals)
    if n == 0:
        return dict(mean=None, std=None, n=0)
    mean = sum(vals) / n
    std = (math.sqrt(sum((v - mean)**2 for v in vals) / (n - 1))
           if n > 1 else None)
    return dict(mean=mean, std=std, n=n)


def load_runs(folder: str) -> List[dict]:
    """Every per-run JSON ``<folder>/<model>/seed_<s>.json``, sorted.

    Raises:
        FileNotFoundError: No run under ``folder``.
        ValueError: A file that is not a run record, naming it.
    """
    paths = sorted(glob.glob(osp.join(folder, '*', 'seed_*.json')))
    if not paths:
        raise FileNotFoundError(f'no per-run results under {folder} (run '
                                'the parts first: --model NAME --seed S)')
    runs = []
    for path in paths:
        with open(path, encoding='utf-8') as f:
            try:
                run = json.load(f)
            except json.JSONDecodeError as e:
                raise ValueError(f'{path} is not JSON ({e})') from None
        missing = {'model', 'seed', 'metrics', 'set', 'iters'} - set(run)
        if missing:
            raise ValueError(f'{path} is not a study run: no '
                             f'{sorted(missing)}')
        run['file'] = path
        runs.append(run)
    return runs


def merge_runs(runs: List[dict]) -> dict:
    """The study record of per-run results.

    All runs must share the set and the iteration budget (same data, same
    budgets); one model/seed may appear once; runs started from a trained
    checkpoint (``init`` ``'checkpoint <file>'``) are merged only with runs
    started from the same one.

    Args:
        runs (list[dict]): Per-run records (:func:`load_runs`).

    Returns:
        dict: ``results`` (model → seed → subset → metric), ``runs``
        (model → seed → command, machine, date, train_min, eval_min, fps,
        iters, config, init), ``summary`` (model → subset → metric →
        mean / std / n, plus ``fps`` and ``train_min``), ``claims``
        (:func:`judge_claims`), ``set``, ``iters`` and ``cpu_min`` (the
        training and evaluation minutes of all runs).
    """
    if not runs:
        raise ValueError('merge: no runs')
    first = runs[0]
    # parts started from one trained checkpoint (--detector-checkpoint)
    # are a study of their own: never averaged with other starts
    starts = {r.get('init') for r in runs}
    if any(str(s).startswith(CHECKPOINT_START) for s in starts) and \
            len(starts) > 1:
        raise ValueError(
            f'merge: runs with different starts {sorted(map(str, starts))}; '
            'parts started from a --detector-checkpoint are merged only '
            'with parts started from the same checkpoint')
    results, info, seen = {}, {}, set()
    for run in runs:
        where = run.get('file', f"{run['model']} seed {run['seed']}")
        for key in ('set', 'iters'):
            if run[key] != first[key]:
                raise ValueError(
                    f'{where}: {key} {run[key]!r} differs from '
                    f"{first.get('file', 'the first run')} "
                    f'({first[key]!r}); the study compares runs on the same '
                    'set with the same budget')
        model, seed = run['model'], str(run['seed'])
        if (model, seed) in seen:
            raise ValueError(f'{where}: a second run of {model} seed {seed}')
        seen.add((model, seed))
        results.setdefault(model, {})[seed] = run['metrics']
        info.setdefault(model, {})[seed] = {
            k: run.get(k) for k in ('command', 'machine', 'date', 'config',
                                    'init', 'iters', 'train_min',
                                    'eval_min', 'fps')}
    order = [m for m in STUDY_MODELS if m in results] + sorted(
        m for m in results if m not in STUDY_MODELS)
    summary = {}
    for model in order:
        seeds = results[model]
        subsets = [s for s in SUBSETS if any(s in r for r in seeds.values())]
        row = {s: {k: mean_std([r.get(s, {}).get(k) for r in seeds.values()])
                   for k in METRICS + ('num_frames', )} for s in subsets}
        for k in ('fps', 'train_min'):
            row[k] = mean_std([info[model][sd][k] for sd in seeds])
        summary[model] = row
    cpu = sum((r.get('train_min') or 0) + (r.get('eval_min') or 0)
              for r in runs)
    return dict(results={m: results[m] for m in order},
                runs={m: info[m] for m in order}, summary=summary,
                claims=judge_claims(summary), set=first['set'],
                iters=first['iters'], cpu_min=cpu)


def _stat(summary: dict, model: str, subset: str, metric: str = 'mIoU'):
    return summary.get(model, {}).get(subset, {}).get(metric, dict(
        mean=None, std=None, n=0))


def _fmt(stat: dict) -> str:
    if stat['mean'] is None:
        return 'n/a'
    if stat['std'] is None:
        return f"{stat['mean']:.1f}"
    return f"{stat['mean']:.1f} ± {stat['std']:.1f}"


def _compare(summary, claim, a, b, subset, test, rule) -> dict:
    """A claim ``test(mean_a, mean_b)`` on mIoU of ``subset``."""
    sa, sb = _stat(summary, a, subset), _stat(summary, b, subset)
    numbers = f'{a} {_fmt(sa)} vs {b} {_fmt(sb)} (mIoU, {subset} frames)'
    if sa['mean'] is None or sb['mean'] is None:
        verdict = 'n/a'
        numbers += f'; needs both {a} and {b}'
    else:
        verdict = 'yes' if test(sa['mean'], sb['mean']) else 'no'
    return dict(claim=claim, rule=rule, verdict=verdict, numbers=numbers)


def judge_claims(summary: dict) -> List[dict]:
    """The paper's claims in miniature, each answered from ``summary``.

    On mIoU (%), mean over seeds:

    1. ATEN ahead of per-frame on hard frames by more than 2 std: the
       difference of the means > 2 × the larger of the two stds (needs
       ≥ 2 seeds of each; else ``n/a``);
    2. ATEN ≥ DFF (all frames);
    3. the convGRU better than averaging: ATEN > ``aten-avg`` (all);
    4. flow alignment better than none: ATEN > ``aten-noalign`` (all);
    5. efficient ATEN within 1 point of faithful ATEN: faithful −
       efficient ≤ 1 (all).

    Returns:
        list[dict]: ``claim``, ``rule``, ``verdict`` (``'yes'``, ``'no'``
        or ``'n/a'``) and ``numbers`` (the means ± stds it used).
    """
    a, p = _stat(summary, 'aten', 'hard'), _stat(summary, 'per-frame', 'hard')
    first = dict(claim='ATEN ahead of per-frame on hard frames by more '
                 'than 2 std',
                 rule='mean(aten) - mean(per-frame) > 2 max(std), mIoU on '
                 'hard frames',
                 numbers=f'aten {_fmt(a)} vs per-frame {_fmt(p)} (mIoU, '
                 'hard frames)')
    if a['std'] is None or p['std'] is None:
        first['verdict'] = 'n/a'
        first['numbers'] += '; needs >= 2 seeds of both'
    else:
        diff, bar = a['mean'] - p['mean'], 2 * max(a['std'], p['std'])
        first['verdict'] = 'yes' if diff > bar else 'no'
        first['numbers'] += f'; difference {diff:.1f}, 2 std {bar:.1f}'
    return [
        first,
        _compare(summary, 'ATEN >= DFF', 'aten', 'dff', 'all',
                 lambda x, y: x >= y, 'mean(aten) >= mean(dff), mIoU'),
        _compare(summary, 'convGRU better than averaging', 'aten',
                 'aten-avg', 'all', lambda x, y: x > y,
                 'mean(aten) > mean(aten-avg), mIoU'),
        _compare(summary, 'flow alignment better than none', 'aten',
                 'aten-noalign', 'all', lambda x, y: x > y,
                 'mean(aten) > mean(aten-noalign), mIoU'),
        _compare(summary, 'efficient ATEN within 1 point of faithful',
                 'aten', 'aten-efficient', 'all', lambda x, y: x - y <= 1,
                 'mean(aten) - mean(aten-efficient) <= 1, mIoU'),
    ]


# -- the page --------------------------------------------------------------
#: The JSON schema, stated at the top of the page.
SCHEMA = (
    '`docs/synthetic_study.json`: `results[model][seed][subset][metric]` '
    '(each seed\'s numbers; subsets `all`, `clean`, `hard`, `occluder`, '
    '`motion_blur`, `defocus`, `noise`, `low_light`; metrics `mIoU`, '
    '`APr`, `APr_vol`, `APr_vol_nanmean` in %, `num_frames`; null where a '
    'subset has no frame or a class no ground truth), '
    '`runs[model][seed]` (`command`, `machine`, `date`, `config`, `init`, '
    '`iters`, `train_min`, `eval_min`, `fps`), '
    '`summary[model][subset][metric]` and `summary[model].fps` / '
    '`.train_min` (`mean`, `std` over seeds (n - 1), `n`), `claims` '
    '(`claim`, `rule`, `verdict`, `numbers`), `set`, `iters`, `cpu_min`, '
    '`merge_command`, `date`.')


def _start_line(study: dict) -> str:
    """Where the runs' weights started (``init`` of the per-run records)."""
    starts = {str(r.get('init')) for seeds in study['runs'].values()
              for r in seeds.values()}
    start = next(iter(starts))
    if len(starts) == 1 and start.startswith(CHECKPOINT_START):
        return (f'every run, the per-frame model too, fine-tuned from '
                f'{start[len(CHECKPOINT_START):]} '
                '(`--detector-checkpoint`)')
    return ('the per-frame model from random weights, each video model\'s '
            'detector from the per-frame run of its seed (`init` in the '
            'JSON\'s `runs`)')


def markdown(study: dict) -> str:
    """The study page (without the kept notes): schema, runs, tables of
    mean ± std, claims."""
    summary = study['summary']
    lines = [
        '# Synthetic accuracy study (paper Table 1 in miniature)', '',
        'Per-frame Parsing R-CNN, DFF, ATEN (faithful and efficient), FGFA '
        'and the cheap ATEN ablations (tiny configs) trained on the same '
        'synthetic VIP set with the same budget, one run per model and '
        'seed, evaluated on the annotated val frames: all of them, the '
        'clean ones, the hard ones (occluded or degraded) and each kind of '
        'hard frame; fps is stream inference of the trained model. Written '
        'by `tools/analysis_tools/synthetic_study.py --merge`.', '',
        f'Schema: {SCHEMA}', '',
        f'- merge: `{study["merge_command"]}` ({study["date"]})',
        f'- set: {json.dumps(study["set"])}',
        f'- budget: {study["iters"]} training iterations per run; CPU time '
        f'of all runs (training + evaluation): {study["cpu_min"]:.0f} min',
        f'- start: {_start_line(study)}',
        '- runs (command, machine, date of each): `runs` in the JSON; '
        'machines: ' + '; '.join(sorted({
            str(r['machine']) for seeds in study['runs'].values()
            for r in seeds.values()})),
        '', 'All numbers in %, mean ± std over seeds (a single value: one '
        'seed). APr_vol is the mean over the part classes that have ground '
        'truth in the evaluated frames (`APr_vol_nanmean`).', '',
        '| model | seeds | train min | mIoU all | mIoU clean | mIoU hard '
        '| APr all | APr hard | APr_vol all | APr_vol hard | fps |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ]
    for model, row in summary.items():
        def cell(subset, metric='mIoU'):
            return _fmt(_stat(summary, model, subset, metric))
        lines.append(
            f'| {model} | {len(study["results"][model])} | '
            f'{_fmt(row["train_min"])} | {cell("all")} | {cell("clean")} | '
            f'{cell("hard")} | {cell("all", "APr")} | '
            f'{cell("hard", "APr")} | {cell("all", "APr_vol_nanmean")} | '
            f'{cell("hard", "APr_vol_nanmean")} | {_fmt(row["fps"])} |')
    counts = {}
    for row in summary.values():
        for s in SUBSETS:
            n = row.get(s, {}).get('num_frames', {}).get('mean')
            if n is not None:
                counts.setdefault(s, int(n))
    lines += ['', 'mIoU per kind of hard frame (frames per subset in the '
              'header):', '',
              '| model | ' + ' | '.join(f'{k} ({counts.get(k, 0)})'
                                       for k in KINDS) + ' |',
              '|---|' + '---:|' * len(KINDS)]
    for model in summary:
        lines.append(f'| {model} | ' + ' | '.join(
            _fmt(_stat(summary, model, k)) for k in KINDS) + ' |')
    lines += ['', '## The paper\'s claims in miniature', '',
              '| claim | rule | answer | numbers |', '|---|---|---|---|']
    for c in study['claims']:
        lines.append(f'| {c["claim"]} | {c["rule"]} | **{c["verdict"]}** | '
                     f'{c["numbers"]} |')
    lines.append('')
    return '\n'.join(lines)
