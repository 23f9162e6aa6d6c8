"""Time each efficiency lever of issue 10 alone (interleaved, median ms).

Builds the faithful and the efficient ATEN (random weights, no download),
renders synthetic frames at the paper's size and times every module call in
turn, ``--rounds`` times, so that machine load hits all variants alike
(:mod:`aten_mm.utils.benchmark.levers`): N_feat (``no_grad`` /
``inference_mode`` / channels-last), FlowNet-S at full and half resolution,
FlowWarp ⊙ scale, the ConvGRU faithful and with each option alone and all
together, and the heads with several test-time proposal budgets / score
thresholds.

Example::

    python tools/analysis_tools/benchmark_levers.py --rounds 3 \
        --out levers.json
"""
import argparse
import json

import torch

from aten_mm.utils.benchmark.cli import add_timing_args
from aten_mm.utils.benchmark.levers import medians, time_levers

FAITHFUL = 'configs/aten/aten_r50-d8-deeplabv3plus_l3-p2_1xb1-40e_vip.py'
EFFICIENT = ('configs/aten/'
             'aten_r50-d8-deeplabv3plus_l3-p2_efficient_1xb1-40e_vip.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--faithful', default=FAITHFUL, help='ATEN config')
    parser.add_argument('--efficient', default=EFFICIENT,
                        help='efficient ATEN config')
    parser.add_argument('--rounds', type=int, default=3,
                        help='interleaved rounds (the median is reported)')
    add_timing_args(parser)
    parser.add_argument('--out', help='write the times as JSON')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    times = time_levers(args.faithful, args.efficient, args.size,
                        args.rounds, args.seed)
    median = medians(times)
    for name, ms in median.items():
        print(f'{name:45s} {ms:9.1f} ms')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(median_ms=median, all_ms=times), f, indent=1)
    return median


if __name__ == '__main__':
    from aten_mm.apis.cli import run_tool
    run_tool(main)
