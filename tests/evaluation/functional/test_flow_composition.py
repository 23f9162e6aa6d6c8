import json
import os.path as osp

import numpy as np
import pytest

from aten_mm.evaluation.functional.flow_composition import (
    chain_ground_truth,
    composition_epe,
    composition_summary,
)

FLOW_CFG = osp.join(osp.dirname(__file__), '..', '..', '..', 'configs',
                    'flownet', 'flownet-s_tiny_synthetic.py')


def translation(dx, dy, h=6, w=10):
    flow = np.zeros((h, w, 2), np.float32)
    flow[..., 0], flow[..., 1] = dx, dy
    return flow


def test_chain_of_translations_is_their_sum_and_stays_inside():
    ones = np.ones((6, 10), bool)
    flow, valid = chain_ground_truth([translation(1, 0), translation(2, 0)],
                                     [ones, ones])
    np.testing.assert_array_equal(flow, translation(3, 0))
    # x + 3 must stay in [0, 9]: columns 0..6 are valid
    assert valid.all(0).tolist() == [True] * 7 + [False] * 3


def test_an_invalid_pixel_of_a_later_step_is_read_where_the_chain_is():
    ones = np.ones((6, 10), bool)
    later = ones.copy()
    later[:, 5] = False  # occluded in the second step at x = 5
    _, valid = chain_ground_truth([translation(1, 0), translation(0, 0)],
                                  [ones, later])
    # the first step moves x = 4 onto x = 5: that pixel is lost, x = 5 not
    assert not valid[:, 4].any()
    assert valid[:, 5].all() and valid[:, 3].all()


def test_composition_epe_separates_a_bad_direct_flow():
    # every frame moves 1 px right of the previous (flow t -> t-1 = -1)
    ones = np.ones((6, 10), bool)

    def gt(t):
        return translation(-1, 0), ones

    def good_short_bad_long(t, s):
        # exact for one key interval, zero (wrong) for two
        return translation(-(t - s), 0) if t - s <= 2 else translation(0, 0)

    records = composition_epe(7, 2, gt, good_short_bad_long)
    assert [r['t'] for r in records] == [4, 5, 6]
    summary = composition_summary(records)
    assert summary['epe_composed'] == pytest.approx(0.0, abs=1e-6)
    assert summary['epe_direct'] == pytest.approx(4.0)  # |0 - (-4)|
    assert summary['valid_pixels'] == 3 * 6 * 6  # x - 4 >= 0: 6 columns


def test_tool_on_a_generated_set(tmp_path):
    from aten_mm.datasets.synthetic import generate_dataset
    from aten_mm.evaluation.flow_composition_eval import evaluate_set
    root = str(tmp_path / 'set')
    generate_dataset(root, num_videos=2, num_frames=8, size=(64, 48),
                     annotate_every=4, progress=False)
    out = str(tmp_path / 'r.json')
    res = evaluate_set(root, FLOW_CFG,
                       None, key_interval=2, split='val', json_out=out,
                       log=lambda line: None)
    with open(out) as f:
        assert json.load(f) == res
    # val has one video of 8 frames: t = 4..7
    assert res['pairs'] == 4 and res['valid_pixels'] > 0
    assert res['epe_direct'] > 0 and res['epe_composed'] > 0
    with pytest.raises(FileExistsError, match='not replacing'):
        evaluate_set(root, FLOW_CFG,
                     None, key_interval=2, json_out=out)
