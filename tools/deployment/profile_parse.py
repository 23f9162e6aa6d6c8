"""Where the time of N_parse (the heads) goes, per step, per backend.

Usage::

    python tools/deployment/profile_parse.py CONFIG [CONFIG ...] \\
        [--backend pytorch|onnxruntime ...] [--frames 6] [--size 512] \\
        [--threads 2] [--json out.json]

Runs the configs' stream inference on synthetic frames, interleaved (one
frame per row in turn), with random weights, and prints for each row the
N_parse time per frame and each step's share of it (the parsing head's
atrous convs and its part-map upsampling, the RPN convs and proposal
selection, RoIAlign, the box and mask towers, mask pasting, the fusion).
On a loaded machine compare shares within one run, not absolute times.
"""
import argparse
import json


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Profile the steps of N_parse (the heads) in stream '
        'inference')
    parser.add_argument('configs', nargs='+', help='config files')
    parser.add_argument('--backend', nargs='+',
                        choices=['pytorch', 'onnxruntime'],
                        help='one backend per config (default pytorch)')
    parser.add_argument('--frames', type=int, default=6,
                        help='timed frames per config')
    parser.add_argument('--size', type=int, default=512,
                        help='longer side of the frames')
    parser.add_argument('--threads', type=int, default=2,
                        help='torch and ONNX Runtime intra-op threads')
    parser.add_argument('--json', help='write the rows to this file')
    return parser.parse_args(argv)


def main(argv=None) -> list:
    args = parse_args(argv)
    from aten_mm.utils.config_check import ConfigError
    backends = args.backend or ['pytorch'] * len(args.configs)
    if len(backends) != len(args.configs):
        raise ConfigError(f'--backend: {len(backends)} values for '
                          f'{len(args.configs)} configs; give one per config')
    if args.frames < 1 or args.size < 32:
        raise ConfigError('--frames must be >= 1 and --size >= 32')
    import torch

    from aten_mm.deployment.parse_profile import profile_parse
    torch.set_num_threads(args.threads)
    rows = profile_parse(args.configs, backends, args.frames, args.size)
    for row in rows:
        print(f"{row['config']} [{row['backend']}]: N_parse "
              f"{row['n_parse_ms']:.1f} ms/frame over {row['frames']} "
              'frames')
        for step, v in row['steps'].items():
            print(f"  {step:18s} {100 * v['share']:5.1f} %  "
                  f"({v['calls']} calls)")
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(rows, f, indent=2)
    return rows


if __name__ == '__main__':
    from aten_mm.apis.cli import run_tool
    run_tool(main)
