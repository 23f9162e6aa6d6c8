"""tools/analysis_tools/benchmark_levers.py on the tiny ATEN configs."""
import json
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOLS = osp.join(REPO, 'tools', 'analysis_tools')
sys.path.insert(0, TOOLS)

import benchmark_levers  # noqa: E402


def test_levers_time_every_variant_in_every_round(tmp_path):
    out = tmp_path / 'levers.json'
    median = benchmark_levers.main([
        '--faithful', osp.join(REPO, 'configs/aten/aten_tiny_synthetic.py'),
        '--efficient',
        osp.join(REPO, 'configs/aten/aten_tiny_efficient_synthetic.py'),
        '--size', '64', '--rounds', '2', '--threads', '1',
        '--out', str(out)])
    saved = json.loads(out.read_text())
    # every lever timed in every round, medians are the medians of them
    assert set(saved['median_ms']) == set(median)
    assert len(median) == 15
    for name, runs in saved['all_ms'].items():
        assert len(runs) == 2 and all(ms > 0 for ms in runs)
        assert abs(saved['median_ms'][name] - sum(runs) / 2) < 1e-9
