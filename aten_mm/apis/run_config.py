"""Scripted runs: a config file per run, then train and evaluate it.

``tools/misc/run_demo.py``, ``tools/train_two_stage.py`` and
``tools/analysis_tools/synthetic_study.py`` write each run's config as a
file (:func:`write_run_config`: a base config plus top-level overrides,
which documents the run and can be re-run with ``tools/train.py``) and
train / evaluate it in-process (:func:`train_run`, :func:`evaluate_run`)
through :func:`aten_mm.apis.train.train_model` and
:func:`aten_mm.apis.test.test_model`.
"""
import os
import os.path as osp
import time
from typing import Optional

from aten_mm.utils.text_io import read_text

from .test import print_metrics, test_model
from .train import train_model


class RunError(RuntimeError):
    """A scripted run did not produce what it should (no checkpoint, no
    metrics, ...); the message says what is missing."""


def data_overrides(data_root: str, val_split: str = 'val') -> dict:
    """Top-level config entries pointing the dataloaders at ``data_root``
    (evaluation on ``val_split``).

    Args:
        data_root (str): Dataset root (made absolute).
        val_split (str): Split of the val and test dataloaders.

    Returns:
        dict: ``{train,val,test}_dataloader`` overrides.
    """
    root = osp.abspath(data_root) + '/'
    return dict(
        train_dataloader=dict(dataset=dict(data_root=root)),
        val_dataloader=dict(dataset=dict(data_root=root, split=val_split)),
        test_dataloader=dict(dataset=dict(data_root=root, split=val_split)))


def merge_dicts(base: dict, update: dict) -> dict:
    """``base`` with ``update`` merged in recursively (a new dict; the
    inputs are not modified)."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_dicts(out[key], value)
        else:
            out[key] = value
    return out


def write_run_config(base: str, path: str, overrides: dict) -> str:
    """Write a config file ``path`` = ``base`` + top-level ``overrides``.

    The overrides merge into the base's dicts as in any config
    inheritance (``_delete_=True`` replaces). The file documents the run
    and is what train, test and the video demo read.

    Args:
        base (str): Config file to inherit from.
        path (str): Output ``.py`` file (its folder is created).
        overrides (dict): ``{top_level_key: value}`` (plain Python values).

    Returns:
        str: ``path``.
    """
    lines = ['# written by aten_mm.apis.run_config.write_run_config',
             f'_base_ = [{osp.abspath(base)!r}]']
    lines += [f'{key} = {value!r}' for key, value in overrides.items()]
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path


def with_visualizer_name(options: Optional[dict], work_dir: str) -> dict:
    """``options`` plus a visualizer name of its own for this run:
    mmengine keeps one visualizer per name, bound to the log folder of the
    run that made it, and a scripted job runs several in one process."""
    options = dict(options or {})
    options.setdefault('visualizer.name',
                       f'{osp.basename(work_dir)}_{time.time_ns()}')
    return options


def train_run(config: str, work_dir: str,
              cfg_options: Optional[dict] = None) -> dict:
    """Train ``config`` in this process (mmengine's Runner).

    Args:
        config (str): Config file.
        work_dir (str): Run folder (checkpoints, logs).
        cfg_options (dict, optional): Overrides ``{'a.b': value}``.

    Returns:
        dict: ``checkpoint`` (the final one, absolute), ``log`` (the text
        log), ``train_s`` (wall seconds), ``iters`` (iterations run).

    Raises:
        RunError: the training wrote no checkpoint.
    """
    start = time.perf_counter()
    runner = train_model(config, work_dir=work_dir,
                         cfg_options=with_visualizer_name(cfg_options,
                                                          work_dir))
    elapsed = time.perf_counter() - start
    last = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(last):
        raise RunError(f'training wrote no checkpoint ({last} missing)')
    ckpt = read_text(last).strip()
    if not osp.isfile(ckpt):
        raise RunError(f'the last checkpoint {ckpt} does not exist')
    log = osp.join(runner.log_dir, f'{runner.timestamp}.log')
    return dict(checkpoint=osp.abspath(ckpt), log=osp.abspath(log),
                train_s=elapsed, iters=int(runner.iter))


def evaluate_run(config: str, checkpoint: str, work_dir: str,
                 cfg_options: Optional[dict] = None) -> dict:
    """Evaluate a checkpoint in this process; prints the metric table.

    Args:
        config (str): Config file.
        checkpoint (str): Checkpoint file.
        work_dir (str): Run folder of the test (its log).
        cfg_options (dict, optional): Overrides ``{'a.b': value}``.

    Returns:
        dict: The metrics of the test evaluator (``vip/mIoU`` ..., in %).

    Raises:
        RunError: the evaluation returned no metrics.
    """
    metrics = test_model(config, checkpoint, work_dir=work_dir,
                         cfg_options=with_visualizer_name(cfg_options,
                                                          work_dir))
    print_metrics(metrics)
    if not metrics:
        raise RunError('the evaluation returned no metrics (no annotated '
                       'frame in the evaluated split?)')
    return dict(metrics)


__all__ = ['RunError', 'data_overrides', 'evaluate_run', 'merge_dicts',
           'train_run', 'with_visualizer_name', 'write_run_config']
