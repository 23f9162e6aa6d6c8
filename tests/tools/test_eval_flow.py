"""tools/analysis_tools/eval_flow.py on a hand-made set with known flow."""
import json
import math
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from flow_pair_fixture import write_flow_set

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def eval_flow(load_tool):
    return load_tool('tools/analysis_tools/eval_flow.py')


@pytest.fixture(scope='module')
def flow_set(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('evalflow') / 'set')
    expected = write_flow_set(root, num_frames=4, size=(96, 64))
    return root, expected


def magnitudes(expected, video='vid1'):
    """Mean |gt| over valid pixels and over valid annotated person ones."""
    all_, person = [], []
    for (v, _), (flow, valid, pmask) in expected.items():
        if v != video:
            continue
        mag = np.sqrt((flow.astype(np.float64)**2).sum(-1))
        all_.append(mag[valid])
        if pmask is not None:
            person.append(mag[valid & pmask])
    return (np.concatenate(all_).mean(), np.concatenate(person).mean())


def test_zero_is_the_mean_gt_magnitude(flow_set, tmp_path, eval_flow):
    root, expected = flow_set
    out = str(tmp_path / 'zero.json')
    result = eval_flow.main([root, '--split', 'val', '--method', 'zero',
                             '--json', out])
    mag_all, mag_person = magnitudes(expected)
    assert math.isclose(result['EPE'], mag_all, rel_tol=1e-9)
    assert math.isclose(result['EPE_person'], mag_person, rel_tol=1e-9)
    assert result['num_pairs'] == 3
    with open(out) as f:
        saved = json.load(f)
    assert saved['EPE'] == pytest.approx(mag_all)
    assert saved['method'] == 'zero' and saved['split'] == 'val'
    # an existing file is not overwritten unless asked
    with pytest.raises(eval_flow.FlowEvalError, match='--overwrite'):
        eval_flow.main([root, '--method', 'zero', '--json', out])
    eval_flow.main([root, '--method', 'zero', '--json', out,
                    '--overwrite'])


@pytest.mark.parametrize('method', ['dis', 'farneback'])
def test_opencv_baselines_follow_the_backward_convention(flow_set, method,
                                                         eval_flow):
    root, expected = flow_set
    zero = eval_flow.main([root, '--method', 'zero'])
    result = eval_flow.main([root, '--method', method])
    # a pan of (2, 1) px and a square moving (-3, 2): estimated in the
    # backward direction the error is far below zero flow's; the forward
    # direction (the wrong sign) would be about twice zero flow's
    assert result['EPE'] < 0.5 * zero['EPE']
    assert result['num_pairs'] == zero['num_pairs']


def test_no_person_annotation_gives_null(tmp_path, eval_flow):
    root = str(tmp_path / 'set')
    # only frame 1 annotated: no pair has a person mask
    write_flow_set(root, num_frames=3, annotate_every=100)
    out = str(tmp_path / 'r.json')
    result = eval_flow.main([root, '--method', 'zero', '--json', out])
    assert math.isnan(result['EPE_person'])
    with open(out) as f:
        text = f.read()
    assert '"EPE_person": null' in text and 'NaN' not in text


def test_cli_errors(flow_set, tmp_path, eval_flow):
    root, _ = flow_set
    with pytest.raises(SystemExit):  # argparse: method or checkpoint
        eval_flow.parse_args([root])
    with pytest.raises(SystemExit):
        eval_flow.parse_args([root, '--method', 'dis', '--config', 'x.py'])
    with pytest.raises(FileNotFoundError, match='video list'):
        eval_flow.main([root, '--split', 'test', '--method', 'zero'])
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'analysis_tools',
                                  'eval_flow.py'),
         str(tmp_path / 'nowhere'), '--method', 'zero'],
        capture_output=True, text=True, cwd=REPO)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[-1].startswith(
        'error: data root not found')
    assert 'Traceback' not in proc.stderr
