"""Curves and timing from mmengine's JSON training logs.

``python tools/analysis_tools/analyze_logs.py plot_curve LOG.json
[LOG2.json ...] --keys loss mIoU --out curves.png``
``python tools/analysis_tools/analyze_logs.py cal_train_time LOG.json``

The logs are the JSON-lines files mmengine writes under
``work_dir/<timestamp>/vis_data/`` (``<timestamp>.json`` or
``scalars.json``): training lines carry ``iter``/``lr``/losses/``time``,
validation lines the metrics; every line has ``step``. A metric key may be
given without its prefix (``mIoU`` matches ``vip/mIoU``).
"""
import argparse
import json
import os.path as osp
from collections import defaultdict

import numpy as np


def load_json_log(path: str) -> list:
    """The entries (dicts) of a JSON-lines log.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: naming the file and line if a line is not JSON.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'Log file "{path}" does not exist.')
    entries = []
    with open(path) as f:
        for lineno, line in enumerate(f, start=1):
            line = line.strip()
            if not line:
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(
                    f'{path}:{lineno} is not a JSON line ({e.msg}); expected '
                    'an mmengine vis_data/*.json log.') from None
            if isinstance(entry, dict):
                entries.append(entry)
    if not entries:
        raise ValueError(f'Log file "{path}" holds no entry.')
    return entries


def resolve_key(entries: list, key: str) -> str:
    """The logged key matching ``key`` exactly or as ``prefix/key``."""
    names = set()
    for e in entries:
        names.update(e)
    if key in names:
        return key
    matches = sorted(n for n in names if n.split('/')[-1] == key)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ValueError(f'Key "{key}" is ambiguous: {matches}.')
    raise ValueError(
        f'Key "{key}" is not in the log; logged keys: '
        f'{", ".join(sorted(names))}.')


def curve(entries: list, key: str):
    """``(steps, values)`` arrays of one key (every entry holding it)."""
    pts = [(e.get('step', i), e[key]) for i, e in enumerate(entries)
           if key in e and isinstance(e[key], (int, float))]
    if not pts:
        return np.zeros(0), np.zeros(0)
    steps, values = zip(*pts)
    return np.asarray(steps, float), np.asarray(values, float)


def plot_curve(args) -> str:
    """Plot the keys of each log against ``step`` into ``args.out``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    logs = [load_json_log(p) for p in args.json_logs]
    legends = args.legend
    if legends is None:
        legends = [
            f'{osp.basename(p)}_{k}' if len(logs) > 1 else k
            for p in args.json_logs for k in args.keys
        ]
    if len(legends) != len(logs) * len(args.keys):
        raise ValueError(
            f'--legend needs {len(logs) * len(args.keys)} names '
            f'(logs x keys), got {len(legends)}.')
    fig, ax = plt.subplots(figsize=(8, 5))
    i = 0
    for entries in logs:
        for key in args.keys:
            name = resolve_key(entries, key)
            steps, values = curve(entries, name)
            marker = 'o' if len(steps) < 30 else None
            ax.plot(steps, values, label=legends[i], marker=marker)
            i += 1
    ax.set_xlabel('step (iteration, or epoch for epoch-based validation)')
    ax.legend()
    if args.title:
        ax.set_title(args.title)
    fig.tight_layout()
    if args.out is None:
        raise ValueError('plot_curve needs --out FILE.png (Agg backend).')
    fig.savefig(args.out)
    plt.close(fig)
    print(f'Curves saved to {args.out}')
    return args.out


def cal_train_time(args) -> dict:
    """Print and return the per-iteration training time of each log."""
    results = {}
    for path in args.json_logs:
        entries = [e for e in load_json_log(path)
                   if 'time' in e and ('iter' in e or 'lr' in e)]
        if not entries:
            raise ValueError(f'Log "{path}" has no training time entry.')
        times = np.array([e['time'] for e in entries], float)
        if not args.include_outliers and len(times) > 1:
            times = times[1:]  # the first logged window includes warm-up
        by_epoch = defaultdict(list)
        for e in entries:
            if 'epoch' in e:
                by_epoch[e['epoch']].append(e['time'])
        print(f'-----Analyze train time of {path}-----')
        res = dict(mean_iter_time=float(times.mean()))
        if len(by_epoch) > 1:
            means = {k: float(np.mean(v)) for k, v in by_epoch.items()}
            slow = max(means, key=means.get)
            fast = min(means, key=means.get)
            print(f'slowest epoch {slow}, average time is '
                  f'{means[slow]:.4f} s/iter')
            print(f'fastest epoch {fast}, average time is '
                  f'{means[fast]:.4f} s/iter')
            res['epoch_std'] = float(np.std(list(means.values())))
            print(f'time std over epochs is {res["epoch_std"]:.4f}')
        print(f'average iter time: {res["mean_iter_time"]:.4f} s/iter')
        results[path] = res
    return results


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Analyze JSON logs')
    sub = parser.add_subparsers(dest='task', required=True)
    plot = sub.add_parser('plot_curve', help='plot curves to a PNG')
    plot.add_argument('json_logs', nargs='+', help='JSON log files')
    plot.add_argument('--keys', nargs='+', default=['loss'],
                      help='keys to plot (e.g. loss mIoU)')
    plot.add_argument('--title', help='figure title')
    plot.add_argument('--legend', nargs='+', default=None,
                      help='legend of each curve (logs x keys)')
    plot.add_argument('--out', required=True, help='output image (.png)')
    timing = sub.add_parser('cal_train_time', help='training time stats')
    timing.add_argument('json_logs', nargs='+', help='JSON log files')
    timing.add_argument('--include-outliers', action='store_true',
                        help='keep the first (warm-up) entry')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.task == 'plot_curve':
        return plot_curve(args)
    return cal_train_time(args)


if __name__ == '__main__':
    from aten_mm.apis.cli import run_tool
    run_tool(main)
