"""Every config under configs/ (but ``_base_``) loads and builds its model.

Pretrained weights are disabled (``init_cfg=None`` everywhere in the model
config, no network) and nothing runs forward: the ResNet-50/101 models only
get built, on PyTorch's meta device (no memory, no weight init). Beyond
building, the invariants a wrong config would break are checked: the
video models and their datasets agree on the clip layout (key interval l,
encoding range p, FGFA's K), and the paper's table rows hold their
settings.
"""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from aten_mm.registry import MODELS

CONFIG_DIR = osp.join(osp.dirname(osp.abspath(__file__)), '..', 'configs')
CONFIGS = sorted(
    osp.relpath(p, CONFIG_DIR)
    for p in glob.glob(osp.join(CONFIG_DIR, '**', '*.py'), recursive=True)
    if '_base_' not in osp.relpath(p, CONFIG_DIR).split(osp.sep))


def _no_init_cfg(node):
    """Set every ``init_cfg`` of a (nested) config to None, in place."""
    if isinstance(node, dict):
        for key in node:
            if key == 'init_cfg':
                node[key] = None
            else:
                _no_init_cfg(node[key])
    elif isinstance(node, (list, tuple)):
        for item in node:
            _no_init_cfg(item)


def _load(name):
    return Config.fromfile(osp.join(CONFIG_DIR, name))


def _datasets(cfg):
    for split in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(split) is not None:
            yield split, cfg[split]['dataset']


def test_configs_found():
    names = set(CONFIGS)
    for row in ('aten/aten_r50-d8-deeplabv3plus_l3-p2_1xb1-40e_vip.py',
                'dff/dff_r50-d8-deeplabv3plus_l10_1xb1-40e_vip.py',
                'fgfa/fgfa_r50-d8-deeplabv3plus_k2_1xb1-40e_vip.py',
                'aten/aten_r101-d8-deeplabv3plus_l5-p2_davis.py',
                'aten/aten_tiny_synthetic.py'):
        assert row in names


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds(name):
    cfg = _load(name)
    model_cfg = cfg.model
    _no_init_cfg(model_cfg)
    # parameters on the meta device: built, never allocated or initialised
    with torch.device('meta'):
        model = MODELS.build(model_cfg)
    assert isinstance(model, torch.nn.Module)
    assert type(model).__name__ == model_cfg.type.split('.')[-1]
    kind = model_cfg.type
    for split, dataset in _datasets(cfg):
        clip_cfg = dataset.get('clip_cfg', {})
        mode = clip_cfg.get('mode', 'key')
        where = f'{name}: {split}.dataset.clip_cfg'
        if kind in ('ATEN', 'DFF') and mode == 'key':
            assert clip_cfg['key_interval'] == model.key_interval, where
            assert clip_cfg['num_refs'] == model.num_refs, where
        elif kind in ('ATEN', 'DFF') and mode == 'single':
            assert model.key_interval == 1 and model.num_refs == 0, where
        elif kind == 'FGFA' and mode != 'stream':
            assert mode == 'neighbors', where
            assert clip_cfg['num_neighbors'] == model.num_neighbors, where
        elif kind in ('ATEN', 'DFF', 'FGFA'):
            assert mode == 'stream', where


TABLE_ROWS = {
    # name: (type, l, p, encoder, propagate)
    'aten/aten_r50-d8-deeplabv3plus_l3-p2_1xb1-40e_vip.py':
    ('ATEN', 3, 2, 'ConvGRUEncoder', 'flow'),
    'aten/aten_r50-d8-deeplabv3plus_l3-p2_convlstm_1xb1-40e_vip.py':
    ('ATEN', 3, 2, 'ConvLSTMEncoder', 'flow'),
    'aten/aten_r50-d8-deeplabv3plus_l3-p1_1xb1-40e_vip.py':
    ('ATEN', 3, 1, 'ConvGRUEncoder', 'flow'),
    'aten/aten_r50-d8-deeplabv3plus_l3-p2_noflow_1xb1-40e_vip.py':
    ('ATEN', 3, 2, 'ConvGRUEncoder', 'none'),
    'aten/aten_r50-d8-deeplabv3plus_l3-p2_avg_1xb1-40e_vip.py':
    ('ATEN', 3, 2, 'AverageEncoder', 'flow'),
    'dff/dff_r50-d8-deeplabv3plus_l10_1xb1-40e_vip.py':
    ('DFF', 10, 0, None, 'flow'),
    'aten/aten_r101-d8-deeplabv3plus_l4-p2_davis.py':
    ('ATEN', 4, 2, 'ConvGRUEncoder', 'flow'),
    'aten/aten_r101-d8-deeplabv3plus_perframe_davis.py':
    ('ATEN', 1, 0, None, 'none'),
}


@pytest.mark.parametrize('name', sorted(TABLE_ROWS))
def test_table_rows_hold_the_paper_settings(name):
    model = _load(name).model
    kind, interval, refs, encoder, propagate = TABLE_ROWS[name]
    assert model.type == kind
    assert model.key_interval == interval
    assert model.num_refs == refs
    assert (model.encoder.type if model.encoder else None) == encoder
    assert model.get('propagate', 'flow') == propagate
    detector = model.detector
    davis = name.endswith('_davis.py')
    assert detector.backbone.depth == (101 if davis else 50)
    assert detector.parsing_head.num_classes == (2 if davis else 20)
    # DAVIS is two-class segmentation: no instance branch (Table 2)
    assert (detector.rpn_head is None) == davis
    assert (detector.roi_head is None) == davis
