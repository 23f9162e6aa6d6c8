"""Testing entry point: :func:`test_model` (what ``tools/test.py`` runs).

The options are MMDetection 3.x's ``tools/test.py`` flags as keywords
(``work_dir``, ``out``, ``show``, ``show_dir``, ``wait_time``,
``cfg_options``, ``launcher``) plus ``out_dir`` (the metric writes the
official prediction files: VIP, docs/vip_protocol.md §3, or DAVIS,
docs/davis_protocol.md) and ``backend`` (``onnxruntime``:
docs/deployment.md). Every option is checked before the Runner exists.
"""
import inspect
import os.path as osp
from typing import Optional, Union

from mmengine.config import Config
from mmengine.dist import get_rank

from aten_mm.evaluation import DumpParsingResults
from aten_mm.registry import METRICS
from aten_mm.utils.config_check import ConfigError
from aten_mm.utils.setup_env import register_all_modules

from .config import load_config
from .launch import build_runner, default_work_dir, setup_cpu_distributed


def trigger_visualization_hook(cfg: Config, show: bool = False,
                               show_dir: Optional[str] = None,
                               wait_time: float = 2) -> Config:
    """Switch on ``ParsingVisualizationHook`` (``--show``/``--show-dir``).

    Args:
        cfg (Config): Config to update in place.
        show (bool): Show each prediction in a window.
        show_dir (str, optional): Folder (under the run's
            ``work_dir/timestamp``) for the overlays.
        wait_time (float): Seconds each shown frame stays.

    Returns:
        Config: ``cfg``.
    """
    hook = cfg.default_hooks.get('visualization')
    if hook is None:
        raise ConfigError(
            '--show/--show-dir need a "visualization" entry in '
            'default_hooks, e.g. visualization=dict('
            'type="ParsingVisualizationHook") (see configs/_base_/'
            'default_runtime.py).')
    hook['draw'] = True
    if show:
        hook['show'] = True
        hook['wait_time'] = wait_time
    if show_dir:
        hook['test_out_dir'] = show_dir
    return cfg


def evaluator_metrics(evaluator_cfg) -> list:
    """The list of metric config dicts of a ``test_evaluator`` config."""
    if isinstance(evaluator_cfg, dict) and 'metrics' in evaluator_cfg:
        metrics = evaluator_cfg['metrics']
    else:
        metrics = evaluator_cfg
    if isinstance(metrics, dict):
        return [metrics]
    return list(metrics)


def set_metric_out_dir(cfg: Config, out_dir: str) -> None:
    """Set ``out_dir`` on every test metric that writes official files.

    Raises:
        ConfigError: a metric type is not registered, or no metric has an
            ``out_dir`` option.
    """
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


def print_metrics(metrics: dict, out_dir: Optional[str] = None) -> None:
    """Print the table of :func:`format_metrics` (rank 0 only) and where
    the official files went."""
    if get_rank() != 0:
        return
    print(format_metrics(metrics), flush=True)
    if out_dir:
        print(f'Official prediction files written to {out_dir}', flush=True)


def build_test_config(config: Union[str, Config],
                      checkpoint: str,
                      work_dir: Optional[str] = None,
                      cfg_options: Optional[dict] = None,
                      out: Optional[str] = None,
                      out_dir: Optional[str] = None,
                      show: bool = False,
                      show_dir: Optional[str] = None,
                      wait_time: float = 2,
                      backend: str = 'pytorch',
                      onnx_dir: Optional[str] = None,
                      launcher: str = 'none') -> Config:
    """The checked config of a test run.

    Args:
        config (str | Config): Config file (or a loaded config).
        checkpoint (str): Checkpoint file to test.
        work_dir (str, optional): Run folder (its log and metrics json);
            default: the config's or ``work_dirs/<config name>``.
        cfg_options (dict, optional): Overrides ``{'a.b': value}``.
        out (str, optional): A ``.pkl`` file for the compact predictions
            (no ground truth, RLE masks, like mmdet's ``DumpDetResults``).
        out_dir (str, optional): Folder for the official prediction files
            (every test metric with an ``out_dir`` option writes them).
        show (bool): Show each prediction in a window.
        show_dir (str, optional): Save the overlays here (under the
            run's ``work_dir/timestamp``).
        wait_time (float): Seconds each shown frame stays.
        backend (str): ``pytorch``, or ``onnxruntime`` (N_feat, FlowNet-S
            and the temporal encoder as ONNX graphs).
        onnx_dir (str, optional): Graphs of
            ``tools/deployment/export_onnx.py`` (onnxruntime only;
            default: exported at the first batch).
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``.

    Returns:
        Config: The config to build the Runner from.

    Raises:
        FileNotFoundError: the config, the checkpoint or the folder of
            ``out`` does not exist.
        ConfigError: an option the config cannot take.
    """
    if backend not in ('pytorch', 'onnxruntime'):
        raise ConfigError(f'backend must be "pytorch" or "onnxruntime", '
                          f'got "{backend}".')
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(
            f'Checkpoint file "{checkpoint}" does not exist.')
    for flag, folder in (('--out-dir', out_dir), ('--show-dir', show_dir)):
        if folder is not None and osp.exists(folder) and \
                not osp.isdir(folder):
            raise ConfigError(f'{flag} "{folder}" is a file; expected a '
                              'folder.')
    cfg = load_config(config, cfg_options)
    cfg.launcher = launcher
    name = config if isinstance(config, str) else (
        config.filename or 'config')
    default_work_dir(cfg, name, work_dir)
    cfg.load_from = checkpoint
    cfg.resume = False
    if show or show_dir:
        trigger_visualization_hook(cfg, show, show_dir, wait_time)
    if out_dir:
        set_metric_out_dir(cfg, out_dir)
    if out is not None:
        check_out_file(out)
    if onnx_dir is not None and backend != 'onnxruntime':
        raise ConfigError('--onnx-dir needs --backend onnxruntime')
    if backend == 'onnxruntime':
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(type='OnnxRuntimeHook', onnx_dir=onnx_dir)]
    return cfg


def test_model(config: Union[str, Config], checkpoint: str,
               **options) -> dict:
    """Test a checkpoint with mmengine's Runner (``tools/test.py``).

    Args:
        config (str | Config): Config file (or a loaded config).
        checkpoint (str): Checkpoint file.
        **options: The keyword arguments of :func:`build_test_config`
            (``work_dir``, ``cfg_options``, ``out``, ``out_dir``, ``show``,
            ``show_dir``, ``wait_time``, ``backend``, ``onnx_dir``,
            ``launcher``). A distributed run without CUDA talks over gloo;
            every rank returns the metrics.

    Returns:
        dict: The metrics of the test evaluator (e.g. ``vip/mIoU``,
        ``vip/APr``, ``vip/APr_vol`` in %).
    """
    register_all_modules(init_default_scope=False)
    cfg = build_test_config(config, checkpoint, **options)
    out = options.get('out')
    setup_cpu_distributed(cfg)
    runner = build_runner(cfg)
    if out is not None:
        runner.test_evaluator.metrics.append(
            DumpParsingResults(out_file_path=out))
    return runner.test()


test_model.__test__ = False  # not a test for pytest (a test imports it)

__all__ = ['build_test_config', 'check_out_file', 'evaluator_metrics',
           'format_metrics', 'print_metrics', 'set_metric_out_dir',
           'test_model', 'trigger_visualization_hook']
