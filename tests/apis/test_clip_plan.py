"""One owner for l and p: the datasets' clip_cfg comes from the model."""
import glob
import os.path as osp

import pytest

from aten_mm.apis import load_config
from aten_mm.apis.clip_plan import derive_clip_cfgs, model_clip_cfg

CONFIG_DIR = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..',
                      'configs')


def _cfg(name):
    return load_config(osp.join(CONFIG_DIR, name), check_keys=False)


def _clip_cfgs(cfg):
    out = {}
    for split in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[split]['dataset']
        for i, part in enumerate(dataset.get('datasets', [dataset])):
            out[f'{split}.{i}'] = part['clip_cfg']
    return out


@pytest.mark.parametrize('name,plan', [
    ('dff/dff_r50-d16-deeplabv3plus_l10_1xb1-40e_vip.py',
     dict(mode='key', key_interval=10, num_refs=0, key_position='first')),
    ('aten/aten_r50-d16-deeplabv3plus_l3-p1_1xb1-40e_vip.py',
     dict(mode='key', key_interval=3, num_refs=1, key_position='median')),
    ('aten/aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip-trainval.py',
     dict(mode='key', key_interval=3, num_refs=2, key_position='median')),
    ('fgfa/fgfa_r50-d16-deeplabv3plus_k2_1xb1-40e_vip.py',
     dict(mode='neighbors', num_neighbors=2)),
])
def test_model_settings_reach_every_dataset(name, plan):
    cfg = _cfg(name)
    clip_cfgs = _clip_cfgs(cfg)
    assert clip_cfgs and all(c == plan for c in clip_cfgs.values())
    # trainval: both lists of the paper's 354 training videos
    if 'trainval' in name:
        parts = cfg.train_dataloader.dataset.datasets
        assert [p.split for p in parts] == ['train', 'val']


def test_one_change_of_the_model_moves_the_datasets():
    cfg = load_config(
        osp.join(CONFIG_DIR,
                 'aten/aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py'),
        {'model.key_interval': 5}, check_keys=False)
    assert {c['key_interval'] for c in _clip_cfgs(cfg).values()} == {5}
    # a stream-mode dataset keeps its mode (the model plans by itself)
    davis = _cfg('aten/aten_r101-d16-deeplabv3plus_l4-p2_davis.py')
    assert davis.val_dataloader.dataset.clip_cfg == dict(mode='stream')
    assert davis.train_dataloader.dataset.clip_cfg['key_interval'] == 4
    # a per-frame model has no plan: its datasets are left as written
    frame = _cfg(
        'parsing_rcnn/parsing-rcnn_r50-d16-deeplabv3plus_1xb1-40e_vip.py')
    assert model_clip_cfg(frame.model) is None
    assert frame.val_dataloader.dataset.clip_cfg == dict(mode='single')


def test_video_configs_write_l_and_p_once():
    """No video config under configs/{aten,dff,fgfa} writes a clip_cfg:
    l, p and K are written in the model only."""
    names = []
    for folder in ('aten', 'dff', 'fgfa'):
        names += glob.glob(osp.join(CONFIG_DIR, folder, '*.py'))
    assert len(names) > 20
    for path in names:
        with open(path) as f:
            assert 'clip_cfg' not in f.read(), path


def test_derive_is_idempotent_and_walks_wrappers():
    cfg = _cfg('dff/dff_r50-d16-deeplabv3plus_l10_1xb1-40e_vip.py')
    before = _clip_cfgs(cfg)
    assert _clip_cfgs(derive_clip_cfgs(cfg)) == before
