"""aten_mm.utils.benchmark.levers (tools/analysis_tools/benchmark_levers.py)
on the tiny ATEN configs."""
import os.path as osp

from aten_mm.utils.benchmark.levers import medians, time_levers

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))


def test_levers_time_every_variant_in_every_round():
    all_ms = time_levers(
        osp.join(REPO, 'configs/aten/aten_tiny_synthetic.py'),
        osp.join(REPO, 'configs/aten/aten_tiny_efficient_synthetic.py'),
        size=64, rounds=2)
    median = medians(all_ms)
    # every lever timed in every round, medians are the medians of them
    assert set(all_ms) == set(median)
    assert len(median) == 15
    for name, runs in all_ms.items():
        assert len(runs) == 2 and all(ms > 0 for ms in runs)
        assert abs(median[name] - sum(runs) / 2) < 1e-9
