"""Command-line options shared by the benchmark tools."""
import argparse


def add_timing_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--size`` (longer side of the frames, default 512: the
    paper's), ``--threads`` (torch intra-op threads, default 2) and
    ``--seed`` (weights and synthetic frames, default 0).

    Args:
        parser (argparse.ArgumentParser): Parser to extend in place.
    """
    parser.add_argument('--size', type=int, default=512,
                        help='longer side of the frames (paper: 512)')
    parser.add_argument('--threads', type=int, default=2,
                        help='torch intra-op threads')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the weights and synthetic frames')
