"""analyze_logs.py, print_config.py and get_flops.py."""
import json
import os.path as osp

import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = osp.join(REPO, 'configs', 'parsing_rcnn',
                'parsing-rcnn_tiny_synthetic.py')
ATEN_TINY = osp.join(REPO, 'configs', 'aten', 'aten_tiny_synthetic.py')


@pytest.fixture(scope='module')
def analyze_logs(load_tool):
    return load_tool('tools/analysis_tools/analyze_logs.py')


@pytest.fixture(scope='module')
def print_config(load_tool):
    return load_tool('tools/misc/print_config.py')


@pytest.fixture(scope='module')
def get_flops(load_tool):
    return load_tool('tools/analysis_tools/get_flops.py')


@pytest.fixture
def log_file(tmp_path):
    entries = [
        dict(lr=0.01, loss=3.0, time=0.9, epoch=1, iter=10, step=10),
        dict(lr=0.01, loss=2.0, time=0.5, epoch=1, iter=20, step=20),
        dict(lr=0.01, loss=1.5, time=0.3, epoch=2, iter=30, step=30),
        dict(lr=0.01, loss=1.0, time=0.1, epoch=2, iter=40, step=40),
        {'vip/mIoU': 12.5, 'time': 0.2, 'step': 2},
    ]
    path = tmp_path / 'run.json'
    path.write_text('\n'.join(json.dumps(e) for e in entries) + '\n')
    return str(path)


def test_plot_curve_writes_png(log_file, tmp_path, analyze_logs):
    out = str(tmp_path / 'c.png')
    analyze_logs.main(['plot_curve', log_file, '--keys', 'loss', 'mIoU',
                       '--out', out])
    with open(out, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    entries = analyze_logs.load_json_log(log_file)
    assert analyze_logs.resolve_key(entries, 'mIoU') == 'vip/mIoU'
    steps, values = analyze_logs.curve(entries, 'loss')
    assert steps.tolist() == [10, 20, 30, 40]
    assert values.tolist() == [3.0, 2.0, 1.5, 1.0]
    with pytest.raises(ValueError, match='not in the log'):
        analyze_logs.main(['plot_curve', log_file, '--keys', 'APx',
                           '--out', out])


def test_cal_train_time(log_file, capsys, analyze_logs):
    res = analyze_logs.main(['cal_train_time', log_file])[log_file]
    # the first (warm-up) entry is dropped: mean(0.5, 0.3, 0.1)
    assert res['mean_iter_time'] == pytest.approx(0.3)
    # epoch means 0.7 and 0.2 (all entries) -> std 0.25
    assert res['epoch_std'] == pytest.approx(0.25)
    assert 'slowest epoch 1' in capsys.readouterr().out


def test_bad_log_names_file_and_line(tmp_path, analyze_logs):
    bad = tmp_path / 'bad.json'
    bad.write_text('{"loss": 1}\nnot json\n')
    with pytest.raises(ValueError, match='bad.json:2'):
        analyze_logs.load_json_log(str(bad))


def test_print_config_applies_options(tmp_path, capsys, print_config):
    save = str(tmp_path / 'merged.py')
    print_config.main([TINY, '--save-path', save, '--cfg-options',
                       'train_cfg.max_epochs=7'])
    assert 'max_epochs=7' in capsys.readouterr().out
    from mmengine.config import Config
    assert Config.fromfile(save).train_cfg.max_epochs == 7


def test_get_flops_parts(capsys, get_flops):
    res = get_flops.main([ATEN_TINY, '--shape', '64', '96'])
    printed = capsys.readouterr().out
    assert 'N_feat' in printed and 'flow network' in printed
    assert all(res[k]['flops'] > 0 for k in res)
    # the global parsing branch is 3 parallel 3x3 convs C -> 20 classes
    # at stride 4: 3 * C * 9 * 20 * (64/4) * (96/4) multiply-adds
    c = 64  # feat_channels of parsing-rcnn_tiny.py
    assert res['N_parse: global parsing branch']['flops'] == \
        3 * c * 9 * 20 * 16 * 24
    heads = [v for k, v in res.items() if k.startswith('N_parse:')]
    assert res['N_parse (total)']['flops'] == sum(h['flops'] for h in heads)
    per_frame = get_flops.main([TINY, '--shape', '64', '96'])
    assert per_frame['flow network (motion)'] is None
    assert per_frame['encoder (p + 1 features)'] is None
    assert np.isclose(per_frame['N_feat (backbone + neck)']['flops'],
                      res['N_feat (backbone + neck)']['flops'])
