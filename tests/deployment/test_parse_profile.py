import importlib.util
import os.path as osp

import pytest

from aten_mm.deployment.parse_profile import profile_parse
from aten_mm.utils.config_check import ConfigError

ROOT = osp.join(osp.dirname(__file__), '..', '..')
PERFRAME = osp.join(ROOT, 'configs', 'parsing_rcnn',
                    'parsing-rcnn_tiny_synthetic.py')


@pytest.fixture(scope='module')
def rows():
    return profile_parse([PERFRAME, PERFRAME], ['pytorch', 'onnxruntime'],
                         frames=2, size=64, warmup=1)


def test_every_step_of_n_parse_is_timed_once_per_frame(rows):
    for row in rows:
        assert row['frames'] == 2 and row['n_parse_ms'] > 0
        steps = row['steps']
        for step in ('parsing head', '  atrous convs', 'RPN', '  convs',
                     'RoI heads', '  box tower', 'fusion'):
            assert steps[step]['calls'] == 2, step


def test_parts_fit_inside_their_step_and_steps_inside_n_parse(rows):
    for row in rows:
        steps = row['steps']
        parents = [s for s in steps if not s.startswith(' ')]
        assert sum(steps[s]['share'] for s in parents) <= 1.0 + 1e-6
        parent = None
        for step, v in steps.items():
            if not step.startswith(' '):
                parent = step
                continue
            assert v['share'] <= steps[parent]['share'] + 1e-6, step


def test_key_head_maps_are_a_step_when_heads_are_propagated():
    aten = osp.join(ROOT, 'configs', 'aten',
                    'aten_tiny_efficient_synthetic.py')
    row, = profile_parse([aten], ['pytorch'], frames=3, size=64, warmup=1)
    steps = row['steps']
    # 3 timed frames = one segment: one key, its heads run once
    assert steps['key head maps']['calls'] == 1
    assert steps['  atrous convs']['calls'] == 1
    assert steps['parsing head']['calls'] == 3
    parents = [s for s in steps if not s.startswith(' ')]
    assert sum(steps[s]['share'] for s in parents) <= 1.0 + 1e-6


def test_tool_wants_one_backend_per_config():
    path = osp.join(ROOT, 'tools', 'deployment', 'profile_parse.py')
    spec = importlib.util.spec_from_file_location('profile_parse', path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    with pytest.raises(ConfigError, match='one per config'):
        tool.main([PERFRAME, PERFRAME, '--backend', 'pytorch'])
