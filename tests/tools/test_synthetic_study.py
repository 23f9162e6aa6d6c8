"""tools/analysis_tools/synthetic_study.py with a tiny budget on two configs:
the JSON, the markdown table, the plot, and degraded-only numbers computed
from exactly the degraded annotated frames."""
import json
import os
import os.path as osp

import pytest

CONFIGS = ['configs/parsing_rcnn/parsing-rcnn_tiny_synthetic.py',
           'configs/dff/dff_tiny_synthetic.py']
SET = dict(num_videos=3, num_frames=12, size=[96, 64], annotate_every=2,
           degrade_ratio=0.5)


@pytest.fixture(scope='module')
def study_tool(load_tool):
    return load_tool('tools/analysis_tools/synthetic_study.py')


def degraded_annotated_from_meta(root, videos):
    """Degraded annotated frames, independently of the tool: VIP frame ids
    1, 1 + K, ... are annotated (K = annotate_every)."""
    count = 0
    for video in videos:
        with open(osp.join(root, 'meta', f'{video}.json')) as f:
            meta = json.load(f)
        annotated = set(range(1, meta['num_frames'] + 1,
                              SET['annotate_every']))
        count += len(annotated & set(meta['degraded_frames']))
    return count


@pytest.fixture(scope='module')
def study(tmp_path_factory, study_tool):
    tmp = tmp_path_factory.mktemp('study')
    # an existing page: its notes section survives, the rest is rewritten
    (tmp / 'doc').mkdir()
    (tmp / 'doc' / 'study.md').write_text(
        'stale table\n' + study_tool.NOTES_MARKER + '\nhand notes\n')
    argv = ['--work-dir', str(tmp / 'work'), '--data-root',
            str(tmp / 'data'), '--iters', '2', '--seed', '3',
            '--fps-frames', '7', '--fps-rounds', '1',
            '--doc', str(tmp / 'doc' / 'study.md'),
            '--set-args', json.dumps(SET), '--configs'] + CONFIGS
    return tmp, study_tool.main(argv)


def test_study_json_and_table(study):
    tmp, out = study
    with open(tmp / 'work' / 'study.json') as f:
        record = json.load(f)
    assert record['settings']['iters'] == 2
    assert record['settings']['seed'] == 3
    assert [m['name'] for m in record['models']] == [
        'parsing-rcnn_tiny_synthetic', 'dff_tiny_synthetic']
    for m in record['models']:
        assert m['iters'] == 2  # the same budget for every config
        assert m['fps'] > 0 and osp.isfile(m['checkpoint'])
        assert len(m['fps_rounds']) == 1
        for subset in ('all', 'degraded'):
            assert set(m[subset]) >= {'mIoU', 'APr', 'APr_vol',
                                      'APr_vol_nanmean', 'num_frames'}
    doc = (tmp / 'doc' / 'study.md').read_text()
    assert '| parsing-rcnn_tiny_synthetic | 2 |' in doc
    assert '| dff_tiny_synthetic | 2 |' in doc
    assert record['command'] in doc
    assert 'hand notes' in doc and 'stale table' not in doc
    png = tmp / 'doc' / 'study.png'
    assert png.is_file() and png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert out["models"][0]["name"] == record["models"][0]["name"]


def test_degraded_numbers_come_from_the_degraded_frames(study):
    tmp, out = study
    root = str(tmp / 'data')
    with open(osp.join(root, 'summary.json')) as f:
        summary = json.load(f)
    val = summary['splits']['val']
    expected = degraded_annotated_from_meta(root, val)
    assert expected > 0, 'the tiny set must have degraded annotated frames'
    n_annotated = sum(
        len(os.listdir(osp.join(root, 'VIP_Fine', 'Annotations',
                                'Category_ids', v))) for v in val)
    assert out['settings']['val_degraded_annotated_frames'] == expected
    for m in out['models']:
        assert m['degraded']['num_frames'] == expected
        assert m['all']['num_frames'] == n_annotated
    assert n_annotated > expected
