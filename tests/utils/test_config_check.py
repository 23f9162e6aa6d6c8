"""Unknown config keys/types: one message naming the key path."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from aten_mm.registry import MODELS
from aten_mm.utils.config_check import (
    ConfigError,
    ConfigKeyError,
    build_with_context,
    check_cfg_options,
    check_config_keys,
    check_overrides_took_effect,
)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = osp.join(REPO, 'configs', 'aten', 'aten_tiny_synthetic.py')


def test_build_misspelt_keyword_names_path_and_type():
    cfg = dict(type='TwoStageDetector',
               backbone=dict(type='ResNet', depth=18, in_chanels=3))
    with pytest.raises(ConfigKeyError) as info:
        build_with_context(MODELS, cfg, where='model.detector')
    assert str(info.value) == (
        "model.detector.backbone: ResNet got an unexpected keyword "
        "'in_chanels'")
    assert isinstance(info.value.__cause__, TypeError)


def test_build_unknown_type_names_path_registry_and_scope():
    cfg = dict(type='TwoStageDetector', backbone=dict(type='ResNett'))
    with pytest.raises(ConfigKeyError) as info:
        build_with_context(MODELS, cfg, where='model')
    assert str(info.value).startswith(
        "model.backbone: unknown type 'ResNett' in registry 'model' "
        "(scope aten_mm)")


def test_build_valid_config_builds():
    net = build_with_context(MODELS, dict(type='ResNet', depth=18))
    assert type(net).__name__ == 'ResNet' and len(net.res_layers) == 4


def test_check_config_keys_on_real_config():
    cfg = Config.fromfile(TINY)
    check_config_keys(cfg)  # the shipped config is clean
    cfg.model.detector.neck.in_chanels = 3
    cfg.train_dataloader.dataset.data_rot = 'x'
    cfg.model.detector.backbone.type = 'ResNetX'
    with pytest.raises(ConfigKeyError) as info:
        check_config_keys(cfg)
    msg = str(info.value)
    assert TINY in msg
    assert ("model.detector.neck: VideoDeepLabV3Plus got an unexpected "
            "keyword 'in_chanels'") in msg
    assert ("train_dataloader.dataset: VIPDataset got an unexpected "
            "keyword 'data_rot'") in msg
    # Nested unknown types are left to the build (not every nested
    # ``type`` is a registry type, e.g. ``nms=dict(type='nms')``) ...
    assert 'ResNetX' not in msg
    cfg.model.type = 'ATENN'
    with pytest.raises(ConfigKeyError, match="model: unknown type 'ATENN' "
                       r"in registry 'model' \(scope aten_mm\)"):
        check_config_keys(cfg)


SHIPPED = sorted(p for p in glob.glob(osp.join(REPO, 'configs', '*', '*.py'))
                 if '_base_' not in p)


def _checked_components(cfg):
    """Key paths of the components check_config_keys looks at."""
    paths = ['model'] if cfg.get('model') is not None else []
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if isinstance(loader, dict) and isinstance(loader.get('dataset'),
                                                   dict):
            paths.append(f'{split}_dataloader.dataset')
    return paths


@pytest.mark.parametrize('path', SHIPPED, ids=osp.basename)
def test_every_shipped_config_passes(path):
    """No false positives on the configs we ship, and the pass is not
    vacuous: the checker resolves each component of the config (model and
    datasets) and refuses a keyword it does not take."""
    cfg = Config.fromfile(path)
    check_config_keys(cfg)  # raises on any problem
    components = _checked_components(cfg)
    assert 'model' in components
    for where in components:
        node = cfg
        for part in where.split('.'):
            node = node[part]
        node['no_such_keyword'] = 1
        with pytest.raises(ConfigKeyError) as info:
            check_config_keys(cfg)
        del node['no_such_keyword']
        assert (f"{where}: {node['type']} got an unexpected keyword "
                "'no_such_keyword'") in str(info.value)
        # only that one problem
        assert str(info.value).count('unexpected keyword') == 1


ATEN = osp.join(REPO, 'configs', 'aten', 'aten_tiny_synthetic.py')


def test_override_of_a_substituted_variable_is_refused():
    """``key_interval = 3`` at the top of the file was substituted where
    it is used when the file was read: overriding it changes nothing."""
    cfg = Config.fromfile(ATEN)
    with pytest.raises(ConfigError, match='"key_interval" is a variable') \
            as info:
        check_cfg_options(cfg, {'key_interval': 5}, ATEN)
    assert 'model.key_interval' in str(info.value)
    assert 'train_dataloader.dataset.clip_cfg.key_interval' in str(
        info.value)
    # the keys that use it are fine
    check_cfg_options(cfg, {'model.key_interval': 5,
                            'train_dataloader.dataset.clip_cfg.'
                            'key_interval': 5}, ATEN)


def test_a_number_must_stay_a_number():
    cfg = Config.fromfile(ATEN)
    with pytest.raises(ConfigError, match=r'"model.key_interval": expected '
                       r"a number \(config .* has 3\), got 'abc'"):
        check_cfg_options(cfg, {'model.key_interval': 'abc'}, ATEN)
    check_cfg_options(cfg, {'model.key_interval': 4,
                            'optim_wrapper.optimizer.lr': 1}, ATEN)


def test_runner_arguments_may_be_added():
    cfg = Config.fromfile(ATEN)
    assert 'randomness' not in cfg
    check_cfg_options(cfg, {'randomness.seed': 0, 'load_from': 'x.pth'},
                      ATEN)
    with pytest.raises(ConfigError, match='"randomnes" does not exist'):
        check_cfg_options(cfg, {'randomnes.seed': 0}, ATEN)
    # a typo inside randomness is refused, its real keys pass
    with pytest.raises(ConfigError, match='"sed" is not a key of randomness'):
        check_cfg_options(cfg, {'randomness.sed': 0}, ATEN)
    check_cfg_options(cfg, {'randomness.deterministic': True,
                            'randomness.diff_rank_seed': True}, ATEN)


def test_key_schedule_overrides_take_effect_or_are_refused():
    """``model.num_refs=1`` alone reaches the datasets (their clip_cfg is
    derived from the model); a dataset-only override would be undone by
    that derivation, so it is refused."""
    from aten_mm.apis import load_config
    cfg = load_config(ATEN, {'model.num_refs': 1})
    for split in ('train', 'val', 'test'):
        assert cfg[f'{split}_dataloader'].dataset.clip_cfg.num_refs == 1
    key = 'train_dataloader.dataset.clip_cfg.num_refs'
    with pytest.raises(ConfigError, match=f'"{key}" has no effect') as info:
        load_config(ATEN, {key: 1})
    assert 'not 1' in str(info.value) and 'model.num_refs' in str(
        info.value)
    # both sides together agree: fine
    cfg = load_config(ATEN, {key: 1, 'model.num_refs': 1})
    assert cfg.train_dataloader.dataset.clip_cfg.num_refs == 1


def test_overrides_that_hold_pass():
    cfg = Config.fromfile(ATEN)
    cfg.merge_from_dict({'model.key_interval': 5, 'load_from': 'x.pth',
                         'optim_wrapper.optimizer': dict(lr=0.5)})
    check_overrides_took_effect(cfg, {'model.key_interval': 5,
                                      'load_from': 'x.pth',
                                      'optim_wrapper.optimizer':
                                      dict(lr=0.5)})
    with pytest.raises(ConfigError, match='"model.key_interval" has no '
                       'effect: config x.py has 5 there after loading, '
                       'not 4'):
        check_overrides_took_effect(cfg, {'model.key_interval': 4}, 'x.py')


def test_build_error_without_a_config_cause_propagates():
    """A KeyError of a valid config (a bug) is not dressed up as a config
    error."""
    from mmengine.registry import Registry

    def broken(**kwargs):
        raise KeyError('bug inside the constructor')

    reg = Registry('probe')
    reg.register_module('Broken', module=broken)
    with pytest.raises(KeyError, match='bug inside'):
        build_with_context(reg, dict(type='Broken'))
