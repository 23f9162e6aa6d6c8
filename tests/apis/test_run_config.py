"""aten_mm.apis.run_config: the config file of a scripted run (base +
overrides, as config inheritance merges them) and its pieces."""
import os.path as osp

from mmengine.config import Config

from aten_mm.apis.run_config import (
    data_overrides,
    merge_dicts,
    with_visualizer_name,
    write_run_config,
)

CONFIG = osp.join(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))), 'configs', 'parsing_rcnn',
    'parsing-rcnn_tiny_synthetic.py')


def test_merge_dicts_is_recursive_and_leaves_its_inputs():
    base = dict(a=dict(b=1, c=dict(d=2)), e=3)
    update = dict(a=dict(c=dict(f=4), b=5), g=6, e=dict(h=7))
    out = merge_dicts(base, update)
    assert out == dict(a=dict(b=5, c=dict(d=2, f=4)), e=dict(h=7), g=6)
    assert base == dict(a=dict(b=1, c=dict(d=2)), e=3)
    assert update == dict(a=dict(c=dict(f=4), b=5), g=6, e=dict(h=7))


def test_data_overrides_point_every_loader_at_the_root(tmp_path):
    over = data_overrides(str(tmp_path / 'set'), 'test')
    root = str(tmp_path / 'set') + '/'
    assert over == dict(
        train_dataloader=dict(dataset=dict(data_root=root)),
        val_dataloader=dict(dataset=dict(data_root=root, split='test')),
        test_dataloader=dict(dataset=dict(data_root=root, split='test')))


def test_written_config_is_the_base_with_the_overrides(tmp_path):
    path = str(tmp_path / 'sub' / 'run.py')
    over = merge_dicts(data_overrides(str(tmp_path / 'set')), dict(
        randomness=dict(seed=7),
        train_cfg=dict(_delete_=True, type='IterBasedTrainLoop',
                       max_iters=2)))
    assert write_run_config(CONFIG, path, over) == path
    cfg, base = Config.fromfile(path), Config.fromfile(CONFIG)
    assert cfg.randomness.seed == 7
    # _delete_ replaces the base's loop, a plain dict merges into it
    assert cfg.train_cfg == dict(type='IterBasedTrainLoop', max_iters=2)
    assert cfg.val_dataloader.dataset.split == 'val'
    assert cfg.val_dataloader.dataset.data_root == str(tmp_path / 'set') + '/'
    assert cfg.val_dataloader.dataset.type == \
        base.val_dataloader.dataset.type
    assert cfg.model == base.model


def test_each_run_gets_its_own_visualizer_name():
    a = with_visualizer_name({'x.y': 1}, 'work/train')
    b = with_visualizer_name(None, 'work/train')
    assert a['x.y'] == 1 and a['visualizer.name'].startswith('train_')
    assert a['visualizer.name'] != b['visualizer.name']
    assert with_visualizer_name({'visualizer.name': 'mine'}, 'w') == {
        'visualizer.name': 'mine'}
