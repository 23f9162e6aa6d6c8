"""One owner for the frame plan: datasets take l and p from the model.

A video model's segment length l, encoding range p (ATEN/DFF), key
position and FGFA's K are written in the model config only. When a full
config is loaded (:func:`aten_mm.apis.load_config`) or a runner is built
(:func:`aten_mm.apis.build_runner`), :func:`derive_clip_cfgs` writes the
model's plan (``model_class.clip_cfg_of(model_cfg)``) into the
``clip_cfg`` of every video dataset of the train/val/test dataloaders that
is not in stream mode, so an ablation changes one line of the model and
its datasets follow. Models without a frame plan (the per-frame
``ParsingRCNN``) leave the datasets alone.
"""
from typing import Iterator

from mmengine.config import Config

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def _video_datasets(node) -> Iterator[dict]:
    """Leaf video-dataset configs under a dataset config (wrappers such as
    ``ConcatDataset`` and ``RepeatDataset`` are walked)."""
    from aten_mm.datasets import BaseVideoDataset
    from aten_mm.registry import DATASETS
    if not isinstance(node, dict):
        return
    for key in ('datasets', 'dataset'):
        inner = node.get(key)
        if isinstance(inner, dict):
            yield from _video_datasets(inner)
        elif isinstance(inner, (list, tuple)):
            for item in inner:
                yield from _video_datasets(item)
    cls = DATASETS.get(node['type']) if 'type' in node else None
    if isinstance(cls, type) and issubclass(cls, BaseVideoDataset):
        yield node


def model_clip_cfg(model_cfg) -> dict:
    """The datasets' ``clip_cfg`` of the model a config builds, or None.

    Args:
        model_cfg (dict): The config's ``model``.

    Returns:
        dict | None: ``mode`` and the plan arguments (e.g. ``key_interval``,
        ``num_refs``, ``key_position``), None for a model without a plan.
    """
    from aten_mm.registry import MODELS
    from aten_mm.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    if not isinstance(model_cfg, dict) or 'type' not in model_cfg:
        return None
    cls = MODELS.get(model_cfg['type'])
    if cls is None or not hasattr(cls, 'clip_cfg_of'):
        return None
    return cls.clip_cfg_of(model_cfg)


def derive_clip_cfgs(cfg: Config) -> Config:
    """Write the model's frame plan into the datasets (in place).

    Args:
        cfg (Config): A full config (``model`` and dataloaders).

    Returns:
        Config: ``cfg``, whose non-stream video datasets have the model's
        ``clip_cfg``.
    """
    plan = model_clip_cfg(cfg.get('model'))
    if plan is None:
        return cfg
    for name in LOADERS:
        loader = cfg.get(name)
        if not isinstance(loader, dict):
            continue
        for dataset in _video_datasets(loader.get('dataset')):
            clip_cfg = dataset.get('clip_cfg') or {}
            if clip_cfg.get('mode') != 'stream':
                dataset['clip_cfg'] = dict(plan)
    return cfg
