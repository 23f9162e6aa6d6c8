"""Composed vs direct key-frame flow, against ground truth (EPE).

Usage::

    python tools/analysis_tools/eval_flow_composition.py DATA_ROOT \\
        --config configs/flownet/flownet-s_tiny_synthetic.py \\
        --checkpoint work_dirs/flow_tiny/iter_1000.pth \\
        [--key-interval 3] [--split val] [--max-videos N] [--json OUT]

For every frame t >= 2l of the split's videos (a set with ground-truth
flow: the synthetic generator's ``flow/`` folder, docs/synthetic_data.md)
it compares, with the FlowNet-S of the checkpoint, the direct flow
``t -> t - 2l`` with the composition of ``t -> t - l`` and
``t - l -> t - 2l`` (what ATEN's ``compose_flows`` does in stream mode),
both against the ground truth composed from the 2l consecutive flows
(:mod:`aten_mm.evaluation.functional.flow_composition`), at the frames' own
resolution. Prints the mean EPE of both over the valid pixels.
"""
import argparse


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='EPE of composed vs direct flow over 2 key intervals')
    parser.add_argument('data_root', help='set with a flow/ folder')
    parser.add_argument('--config', required=True,
                        help='config with a FlowNet-S `motion`')
    parser.add_argument('--checkpoint', required=True)
    parser.add_argument('--key-interval', type=int, default=3,
                        help='l (default 3: the ATEN configs)')
    parser.add_argument('--split', default='val')
    parser.add_argument('--max-videos', type=int, default=None)
    parser.add_argument('--json', help='write the result here')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    from aten_mm.evaluation.flow_composition_eval import evaluate_set
    return evaluate_set(args.data_root, args.config, args.checkpoint,
                        args.key_interval, args.split, args.max_videos,
                        args.json)


if __name__ == '__main__':
    from aten_mm.apis.cli import run_tool
    run_tool(main)
