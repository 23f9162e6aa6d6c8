import os.path as osp

import pytest
from mmengine.config import Config

from aten_mm.apis import ConfigError, check_cfg_options, load_config

TINY = osp.join(osp.dirname(__file__), '..', '..', 'configs',
                'parsing_rcnn', 'parsing-rcnn_tiny_synthetic.py')


def _cfg():
    return Config(dict(
        train_cfg=dict(type='EpochBasedTrainLoop', max_epochs=3),
        model=dict(type='ParsingRCNN', backbone=dict(type='ResNet',
                                                     depth=18)),
        data_root='x',
        pipeline=[dict(type='LoadClipFrames'), dict(type='ClipResize')]))


ACCEPTED = {
    'train_cfg.max_epochs': 1,
    'data_root': 'y',
    'pipeline.1.scale': (64, 64),     # existing list element
    'model.backbone.init_cfg': None,  # new kwarg ResNet accepts
    'train_cfg.val_interval': 1,      # new kwarg the loop accepts
}


def test_existing_and_accepted_keys_pass():
    cfg = _cfg()
    check_cfg_options(cfg, ACCEPTED)  # raises on a refused key
    # a near miss of each is refused: the check looked at every one of
    # them (the list index is checked against the list's length)
    for key, near_miss in zip(ACCEPTED, [
            'train_cfg.max_epochsx', 'data_rootx', 'pipeline.2.scale',
            'model.backbone.init_cfgx', 'train_cfg.val_intervalx']):
        with pytest.raises(ConfigError, match=f'"{near_miss}"'):
            check_cfg_options(cfg, {near_miss: 1})
    # and load_config applies them
    merged = load_config(_cfg(), ACCEPTED, check_keys=False)
    assert merged.train_cfg.max_epochs == 1 and merged.data_root == 'y'
    assert tuple(merged.pipeline[1].scale) == (64, 64)
    assert merged.model.backbone.init_cfg is None
    assert merged.train_cfg.val_interval == 1


@pytest.mark.parametrize('key,match', [
    ('trian_cfg.max_epochs', '"trian_cfg" does not exist'),
    ('train_cfg.max_epoch', 'takes no argument "max_epoch"'),
    ('model.backbone.dpth', 'ResNet .*takes no argument "dpth"'),
    ('pipeline.5.scale', 'list of length 2'),
    ('data_root.x', 'is a str, not a dict'),
    ('train_cfg', None),  # existing top-level key: fine
])
def test_unknown_keys_are_refused_with_their_path(key, match):
    if match is None:
        check_cfg_options(_cfg(), {key: 1})
        return
    with pytest.raises(ConfigError, match=match):
        check_cfg_options(_cfg(), {key: 1})


def test_load_config_errors_and_merge():
    with pytest.raises(FileNotFoundError, match='no_such.py'):
        load_config('no_such.py')
    cfg = load_config(TINY, {'train_cfg.max_epochs': 1})
    assert cfg.train_cfg.max_epochs == 1
    with pytest.raises(ConfigError, match='max_iter'):
        load_config(TINY, {'train_cfg.max_iter': 1})
