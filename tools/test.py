"""Test a model: ``python tools/test.py CONFIG CHECKPOINT [options]``.

The flags are MMDetection's (``tools/test.py`` of mmdet 3.x): ``--work-dir``,
``--out`` (compact pickle of the predictions: no ground truth, RLE masks,
like mmdet's ``DumpDetResults``; ``tools/analysis_tools/
dump_to_official_files.py`` turns it into official files), ``--show``,
``--show-dir``, ``--wait-time``, ``--cfg-options``, ``--launcher``,
``--local-rank``; plus ``--out-dir DIR``, which makes the metric write the
official prediction files under DIR: VIP (docs/vip_protocol.md §3) or DAVIS
(``<seq>/00000.png``, docs/davis_protocol.md). The metric table is printed at
the end.
"""
import argparse
import inspect
import os.path as osp

from aten_mm.apis.cli import (
    add_run_args,
    build_run_runner,
    finish_distributed,
    load_run_config,
    parse_run_args,
    run_tool,
)
from aten_mm.apis.config import ConfigError
from aten_mm.evaluation import DumpParsingResults
from aten_mm.registry import METRICS
from aten_mm.utils import register_all_modules


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test an aten_mm model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--out-dir',
        help='write the official prediction files (VIP: <video>/gray/'
        'global_*.png, inst_*.png, scores_*.txt, <video>/instance_part/*; '
        'DAVIS: <sequence>/00000.png ...) under this directory, through '
        'the metric\'s out_dir option')
    parser.add_argument(
        '--out',
        type=str,
        help='dump compact predictions (no ground truth, RLE masks) to a '
        '.pkl file; tools/analysis_tools/dump_to_official_files.py turns '
        'it into official files')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory (under the run\'s work_dir/timestamp) where the '
        'overlays are saved')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--backend', default='pytorch', choices=['pytorch', 'onnxruntime'],
        help='onnxruntime: N_feat, FlowNet-S, the temporal encoder and the '
        'dense head layers run as ONNX graphs (docs/deployment.md)')
    parser.add_argument(
        '--onnx-dir', help='graphs of tools/deployment/export_onnx.py '
        '(default with --backend onnxruntime: exported at the first batch)')
    add_run_args(parser, 'test_dataloader.dataset.data_root=data/vip')
    return parse_run_args(parser, argv)


def trigger_visualization_hook(cfg, args):
    """Switch on ``ParsingVisualizationHook`` for ``--show``/``--show-dir``."""
    hook = cfg.default_hooks.get('visualization')
    if hook is None:
        raise ConfigError(
            '--show/--show-dir need a "visualization" entry in '
            'default_hooks, e.g. visualization=dict('
            'type="ParsingVisualizationHook") (see configs/_base_/'
            'default_runtime.py).')
    hook['draw'] = True
    if args.show:
        hook['show'] = True
        hook['wait_time'] = args.wait_time
    if args.show_dir:
        hook['test_out_dir'] = args.show_dir
    return cfg


def evaluator_metrics(evaluator_cfg):
    """The list of metric config dicts of a ``test_evaluator`` config."""
    if isinstance(evaluator_cfg, dict) and 'metrics' in evaluator_cfg:
        metrics = evaluator_cfg['metrics']
    else:
        metrics = evaluator_cfg
    if isinstance(metrics, dict):
        return [metrics]
    return list(metrics)


def set_metric_out_dir(cfg, out_dir: str) -> None:
    """Set ``out_dir`` on every test metric that writes official files."""
    names = []
    for metric in evaluator_metrics(cfg.test_evaluator):
        metric_cls = METRICS.get(metric['type'])
        if metric_cls is None:
            raise ConfigError(
                f'test_evaluator metric type "{metric["type"]}" is not '
                'registered.')
        if 'out_dir' in inspect.signature(metric_cls.__init__).parameters:
            metric['out_dir'] = out_dir
            names.append(metric['type'])
    if not names:
        types = [m['type'] for m in evaluator_metrics(cfg.test_evaluator)]
        raise ConfigError(
            f'--out-dir: none of the test metrics {types} has an "out_dir" '
            'option to write official prediction files.')


def format_metrics(metrics: dict) -> str:
    """A two-column text table of the metric dict returned by the runner.

    Per-class entries (``<prefix>/IoU.<class>``) are left out: the metric
    logs its own per-class table.
    """
    rows = [(str(k), f'{v:.4f}' if isinstance(v, float) else str(v))
            for k, v in metrics.items()
            if not str(k).split('/')[-1].startswith('IoU.')]
    if not rows:
        return '(no metrics)'
    wk = max(len('metric'), *(len(k) for k, _ in rows))
    wv = max(len('value'), *(len(v) for _, v in rows))
    line = f'+-{"-" * wk}-+-{"-" * wv}-+'
    out = [line, f'| {"metric":<{wk}} | {"value":>{wv}} |', line]
    out += [f'| {k:<{wk}} | {v:>{wv}} |' for k, v in rows]
    out.append(line)
    return '\n'.join(out)


def build_config(args):
    """The config of a test run from the parsed arguments."""
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(
            f'Checkpoint file "{args.checkpoint}" does not exist.')
    for flag, folder in (('--out-dir', args.out_dir),
                         ('--show-dir', args.show_dir)):
        if folder is not None and osp.exists(folder) and \
                not osp.isdir(folder):
            raise ConfigError(f'{flag} "{folder}" is a file; expected a '
                              'folder.')
    cfg = load_run_config(args)
    cfg.load_from = args.checkpoint
    cfg.resume = False
    if args.show or args.show_dir:
        trigger_visualization_hook(cfg, args)
    if args.out_dir:
        set_metric_out_dir(cfg, args.out_dir)
    if args.out is not None:
        check_out_file(args.out)
    if args.onnx_dir is not None and args.backend != 'onnxruntime':
        raise ConfigError('--onnx-dir needs --backend onnxruntime')
    if args.backend == 'onnxruntime':
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(type='OnnxRuntimeHook', onnx_dir=args.onnx_dir)]
    return cfg


def check_out_file(out: str) -> None:
    """Refuse an ``--out`` that cannot be written, before the test runs."""
    if not out.endswith(('.pkl', '.pickle')):
        raise ConfigError(f'--out must be a .pkl file, got "{out}".')
    if osp.isdir(out):
        raise ConfigError(f'--out "{out}" is an existing directory; '
                          'expected the path of a .pkl file to write.')
    parent = osp.dirname(osp.abspath(out))
    if not osp.isdir(parent):
        raise FileNotFoundError(f'--out "{out}": its folder {parent} does '
                                'not exist.')


def main(argv=None):
    """Run testing; returns the metric dict."""
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    cfg = build_config(args)
    runner = build_run_runner(cfg)
    if args.out is not None:
        runner.test_evaluator.metrics.append(
            DumpParsingResults(out_file_path=args.out))
    metrics = runner.test()
    if runner.rank == 0:
        print(format_metrics(metrics), flush=True)
        if args.out_dir:
            print(f'Official prediction files written to {args.out_dir}',
                  flush=True)
    return metrics


if __name__ == '__main__':
    run_tool(main)
    finish_distributed()
