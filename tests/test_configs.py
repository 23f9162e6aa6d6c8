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
    """The config as the tools load it: datasets derived from the model."""
    from aten_mm.apis.clip_plan import derive_clip_cfgs
    return derive_clip_cfgs(Config.fromfile(osp.join(CONFIG_DIR, name)))


def _datasets(cfg):
    for split in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(split) is not None:
            dataset = cfg[split]['dataset']
            # ConcatDataset (the 354-video VIP split): its parts
            for part in dataset.get('datasets', [dataset]):
                yield split, part


def test_configs_found():
    names = set(CONFIGS)
    for row in ('aten/aten_r50-d8-deeplabv3plus_l3-p2_1xb1-40e_vip.py',
                'dff/dff_r50-d8-deeplabv3plus_l10_1xb1-40e_vip.py',
                'aten/aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py',
                'dff/dff_r50-d16-deeplabv3plus_l10_1xb1-40e_vip.py',
                'fgfa/fgfa_r50-d16-deeplabv3plus_k2_1xb1-40e_vip.py',
                'aten/aten_r101-d16-deeplabv3plus_l5-p2_davis.py',
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
            assert clip_cfg['key_position'] == model.key_position, where
        elif kind in ('ATEN', 'DFF') and mode == 'single':
            assert model.key_interval == 1 and model.num_refs == 0, where
        elif kind == 'FGFA' and mode != 'stream':
            assert mode == 'neighbors', where
            assert clip_cfg['num_neighbors'] == model.num_neighbors, where
        elif kind in ('ATEN', 'DFF', 'FGFA'):
            assert mode == 'stream', where


TABLE_ROWS = {
    # name: (type, l, p, encoder, align_refs, propagate)
    'aten/aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py':
    ('ATEN', 3, 2, 'ConvGRUEncoder', True, 'flow'),
    'aten/aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip-trainval.py':
    ('ATEN', 3, 2, 'ConvGRUEncoder', True, 'flow'),
    'aten/aten_r50-d16-deeplabv3plus_l3-p2_convlstm_1xb1-40e_vip.py':
    ('ATEN', 3, 2, 'ConvLSTMEncoder', True, 'flow'),
    'aten/aten_r50-d16-deeplabv3plus_l3-p1_1xb1-40e_vip.py':
    ('ATEN', 3, 1, 'ConvGRUEncoder', True, 'flow'),
    # w/o flow-warping align: only Eq. 3 removed, non-key frames by flow
    'aten/aten_r50-d16-deeplabv3plus_l3-p2_noalign_1xb1-40e_vip.py':
    ('ATEN', 3, 2, 'ConvGRUEncoder', False, 'flow'),
    'aten/aten_r50-d16-deeplabv3plus_l3-p2_avg_1xb1-40e_vip.py':
    ('ATEN', 3, 2, 'AverageEncoder', True, 'flow'),
    'dff/dff_r50-d16-deeplabv3plus_l10_1xb1-40e_vip.py':
    ('DFF', 10, 0, None, True, 'flow'),
    'aten/aten_r101-d16-deeplabv3plus_l4-p2_davis.py':
    ('ATEN', 4, 2, 'ConvGRUEncoder', True, 'flow'),
    'aten/aten_r101-d16-deeplabv3plus_l4-p2_noalign_davis.py':
    ('ATEN', 4, 2, 'ConvGRUEncoder', False, 'flow'),
    'dff/dff_r101-d16-deeplabv3plus_l10_davis.py':
    ('DFF', 10, 0, None, True, 'flow'),
    'aten/aten_r101-d16-deeplabv3plus_perframe_davis.py':
    ('ATEN', 1, 0, None, False, 'none'),
}


@pytest.mark.parametrize('name', sorted(TABLE_ROWS))
def test_table_rows_hold_the_paper_settings(name):
    model = _load(name).model
    kind, interval, refs, encoder, align_refs, propagate = TABLE_ROWS[name]
    assert model.type == kind
    assert model.key_interval == interval
    assert model.num_refs == refs
    assert (model.encoder.type if model.encoder else None) == encoder
    assert model.get('align_refs', True) == align_refs
    assert model.get('propagate', 'flow') == propagate
    # DFF's own schedule, ATEN's median key (§4, §5.2)
    assert model.key_position == ('first' if kind == 'DFF' else 'median')
    if encoder == 'ConvGRUEncoder':  # h_0 as the release
        assert model.encoder.init_state == 'mean'
    detector = model.detector
    # the release's output stride 16 (paper silent)
    assert detector.backbone.strides == (1, 2, 2, 1)
    assert detector.backbone.dilations == (1, 1, 1, 2)
    assert detector.neck.output_stride == 16
    davis = name.endswith('_davis.py')
    assert detector.backbone.depth == (101 if davis else 50)
    assert detector.parsing_head.num_classes == (2 if davis else 20)
    # DAVIS is two-class segmentation: no instance branch (Table 2)
    assert (detector.rpn_head is None) == davis
    assert (detector.roi_head is None) == davis


VARIANTS_D8 = (
    'aten/aten_r50-d8-deeplabv3plus_l3-p2_1xb1-40e_vip.py',
    'dff/dff_r50-d8-deeplabv3plus_l10_1xb1-40e_vip.py',
    'parsing_rcnn/parsing-rcnn_r50-d8-deeplabv3plus_1xb1-40e_vip.py',
)


@pytest.mark.parametrize('name', VARIANTS_D8)
def test_d8_variants_say_so_and_differ_only_in_the_stride(name):
    d8 = _load(name).model
    d16 = _load(name.replace('-d8-', '-d16-')).model
    det8 = d8.get('detector', d8)
    det16 = d16.get('detector', d16)
    assert det8.backbone.strides == (1, 2, 1, 1)
    assert det8.backbone.dilations == (1, 1, 2, 4)
    assert det8.neck.output_stride == 8
    for part in (det8, det16):
        part.backbone.pop('strides'), part.backbone.pop('dilations')
        part.neck.pop('output_stride')
    assert d8.to_dict() == d16.to_dict()


def test_fgfa_rows_have_no_scale_field_and_the_paper_window():
    vip = _load('fgfa/fgfa_r50-d16-deeplabv3plus_k2_1xb1-40e_vip.py').model
    davis = _load('fgfa/fgfa_r101-d16-deeplabv3plus_k5_davis.py').model
    for model in (vip, davis):
        assert model.motion.scale_channels == 0
        assert model.aligner.use_scale is False
    # DAVIS: "only aggregates the nearest 10 frames" (§5.3)
    assert 2 * davis.num_neighbors == 10 and vip.num_neighbors == 2


# The tiny video configs are their paper-size rows at the tiny widths: the
# detector is the tiny per-frame Parsing R-CNN (stage 1 of the two-stage
# recipe loads into it), and the video wrapper differs from the paper's
# only in widths and in l / K for the short synthetic videos.
TINY_OF_PAPER = {
    'aten/aten_tiny_synthetic.py':
    'aten/aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py',
    'dff/dff_tiny_synthetic.py':
    'dff/dff_r50-d16-deeplabv3plus_l10_1xb1-40e_vip.py',
    'fgfa/fgfa_tiny_synthetic.py':
    'fgfa/fgfa_r50-d16-deeplabv3plus_k2_1xb1-40e_vip.py',
    # the synthetic study's ablations
    'aten/aten_tiny_p1_synthetic.py':
    'aten/aten_r50-d16-deeplabv3plus_l3-p1_1xb1-40e_vip.py',
    'aten/aten_tiny_avg_synthetic.py':
    'aten/aten_r50-d16-deeplabv3plus_l3-p2_avg_1xb1-40e_vip.py',
    'aten/aten_tiny_noalign_synthetic.py':
    'aten/aten_r50-d16-deeplabv3plus_l3-p2_noalign_1xb1-40e_vip.py',
}
TINY_SIZE_KEYS = {
    'motion.base_channels', 'motion.scale_channels', 'encoder.in_channels',
    'aggregator.in_channels', 'aggregator.channels', 'key_interval',
    'num_neighbors'
}


def _flat(node, prefix=''):
    """``{'a.b': leaf}`` of a nested dict."""
    if not isinstance(node, dict):
        return {prefix[:-1]: node}
    out = {}
    for key, value in node.items():
        out.update(_flat(value, f'{prefix}{key}.'))
    return out


@pytest.mark.parametrize('name', sorted(TINY_OF_PAPER))
def test_tiny_video_models_change_sizes_only(name):
    tiny = _load(name).model.to_dict()
    paper = _load(TINY_OF_PAPER[name]).model.to_dict()
    per_frame = _load('parsing_rcnn/parsing-rcnn_tiny_synthetic.py').model
    assert tiny.pop('detector') == per_frame.to_dict()
    paper.pop('detector')  # ResNet-50 at full width
    flat_tiny, flat_paper = _flat(tiny), _flat(paper)
    changed = {
        key
        for key in flat_tiny.keys() | flat_paper.keys()
        if flat_tiny.get(key, KeyError) != flat_paper.get(key, KeyError)
    }
    assert changed and changed <= TINY_SIZE_KEYS, changed
