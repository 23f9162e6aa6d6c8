"""aten_mm.apis.test: the config of a test run (what ``tools/test.py``
builds from its flags), checked before any work, and the metric table."""
import os.path as osp

import pytest
import torch

from aten_mm.apis.config import ConfigError
from aten_mm.apis.test import build_test_config, format_metrics

CONFIG = osp.join(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))), 'configs', 'parsing_rcnn',
    'parsing-rcnn_tiny_synthetic.py')


def test_bad_out_files_fail_before_any_work(tmp_path):
    """Checked while the config is built, before the Runner exists."""
    ckpt = tmp_path / 'c.pth'
    torch.save(dict(state_dict={}), str(ckpt))
    folder = tmp_path / 'preds.pkl'
    folder.mkdir()
    with pytest.raises(ConfigError, match='is an existing directory'):
        build_test_config(CONFIG, str(ckpt), out=str(folder))
    with pytest.raises(FileNotFoundError, match='does not exist'):
        build_test_config(CONFIG, str(ckpt),
                          out=str(tmp_path / 'no' / 'p.pkl'))
    with pytest.raises(ConfigError, match='must be a .pkl file'):
        build_test_config(CONFIG, str(ckpt), out=str(tmp_path / 'p.txt'))
    with pytest.raises(FileNotFoundError, match='nothing.pth'):
        build_test_config(CONFIG, str(tmp_path / 'nothing.pth'))


def test_options_reach_the_config(tmp_path):
    ckpt = tmp_path / 'c.pth'
    torch.save(dict(state_dict={}), str(ckpt))
    cfg = build_test_config(CONFIG, str(ckpt), out_dir=str(tmp_path / 'o'),
                            show_dir='overlays', backend='onnxruntime',
                            launcher='pytorch')
    assert cfg.load_from == str(ckpt) and cfg.resume is False
    assert cfg.launcher == 'pytorch'
    assert cfg.test_evaluator['out_dir'] == str(tmp_path / 'o')
    hook = cfg.default_hooks.visualization
    assert hook.draw is True and hook.test_out_dir == 'overlays'
    assert hook.get('show', False) is False
    assert cfg.custom_hooks[-1] == dict(type='OnnxRuntimeHook',
                                        onnx_dir=None)
    plain = build_test_config(CONFIG, str(ckpt))
    assert 'out_dir' not in plain.test_evaluator
    assert not any(h['type'] == 'OnnxRuntimeHook'
                   for h in plain.get('custom_hooks', []))
    with pytest.raises(ConfigError, match='--onnx-dir needs'):
        build_test_config(CONFIG, str(ckpt), onnx_dir=str(tmp_path))


def test_format_metrics_leaves_out_per_class_iou():
    table = format_metrics({'vip/mIoU': 12.3456, 'vip/IoU.Hat': 1.0,
                            'vip/count': 3})
    line = '+-' + '-' * 9 + '-+-' + '-' * 7 + '-+'
    assert table.splitlines() == [
        line, '| metric    |   value |', line,
        '| vip/mIoU  | 12.3456 |', '| vip/count |       3 |', line]
    assert format_metrics({'vip/IoU.Hat': 1.0}) == '(no metrics)'
