"""eval_davis.py on a tmp DAVIS layout: numbers, frame rule, missing file."""
import json

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('tools/analysis_tools/eval_davis.py')


@pytest.fixture
def davis(tmp_path):
    root, pred = tmp_path / 'DAVIS', tmp_path / 'pred'
    (root / 'ImageSets' / '2016').mkdir(parents=True)
    (root / 'ImageSets' / '2016' / 'val.txt').write_text('cows\n')
    ann_dir = root / 'Annotations' / '480p' / 'cows'
    ann_dir.mkdir(parents=True)
    (pred / 'cows').mkdir(parents=True)
    gt = np.zeros((20, 30), np.uint8)
    gt[:, :10] = 1
    # frame i predicts cols < 10 - i: J = (10 - i) / 10
    for i in range(6):
        Image.fromarray(gt).save(ann_dir / f'{i:05d}.png')
        p = np.zeros((20, 30), np.uint8)
        p[:, :10 - i] = 255
        Image.fromarray(p).save(pred / 'cows' / f'{i:05d}.png')
    return root, pred


def test_scores_and_modes(davis, tmp_path, tool):
    root, pred = davis
    out = tmp_path / 's.json'
    s = tool.main([str(pred), str(root), '--json', str(out)])
    # DAVIS-2016 drops frames 0 and 5: J = .9 .8 .7 .6
    assert s['J_mean'] == pytest.approx(75.0)
    # 4 frames: bins ids 0, 1, 2, 2, 3 -> mean(.9, .8) - mean(.7, .6)
    assert s['J_decay'] == pytest.approx(20.0)
    assert json.loads(out.read_text())['mode'] == 'davis2016'
    s = tool.main([str(pred), str(root), '--keep-first-last'])
    assert s['J_mean'] == pytest.approx(np.mean([1, .9, .8, .7, .6, .5])
                                        * 100)
    assert s['J_recall'] == pytest.approx(500 / 6)


def test_missing_prediction(davis, tool):
    root, pred = davis
    (pred / 'cows' / '00003.png').unlink()
    with pytest.raises(FileNotFoundError, match='cows.00003.png'):
        tool.main([str(pred), str(root)])


def test_masks_are_read_by_value_not_alpha(davis, tmp_path, tool):
    """RGBA predictions with an opaque alpha score like their values."""
    root, pred = davis
    plain = tool.main([str(pred), str(root)])
    for png in sorted((pred / 'cows').iterdir()):
        value = np.array(Image.open(png))
        rgba = np.zeros(value.shape + (4, ), np.uint8)
        rgba[..., 0] = value
        rgba[..., 3] = 255  # opaque everywhere, background included
        Image.fromarray(rgba, 'RGBA').save(png)
    assert tool.main([str(pred), str(root)]) == plain
    assert plain['J_mean'] == pytest.approx(75.0)


def test_bad_sequence_lists(davis, tool):
    root, pred = davis
    imageset = root / 'ImageSets' / '2016' / 'val.txt'
    imageset.write_text('cows\n/etc\n')
    with pytest.raises(ValueError, match=f'{imageset}:2: invalid name'):
        tool.main([str(pred), str(root)])
    imageset.write_text('\n')
    with pytest.raises(ValueError, match='is empty'):
        tool.main([str(pred), str(root)])


def test_json_is_strict(davis, tmp_path, tool):
    """Every score round-trips; an undefined one (NaN) is written null."""
    root, pred = davis
    out = tmp_path / 's.json'
    s = tool.main([str(pred), str(root), '--json',
                   str(out)])
    text = out.read_text()
    assert 'NaN' not in text and 'Infinity' not in text
    saved = json.loads(text)
    for key, value in s.items():
        if isinstance(value, float) and np.isnan(value):
            assert saved[key] is None
        else:
            assert saved[key] == pytest.approx(value)
