"""Stream-inference speed of per-frame, DFF and ATEN configs (paper Eq. 8).

Usage::

    python tools/analysis_tools/benchmark.py CONFIG [CONFIG ...] \\
        (--video FILE | --synthetic) [--frames 30] [--warmup 3] \\
        [--size 512] [--threads 2] [--checkpoint C [C ...]] \\
        [--backend pytorch|onnxruntime ...] [--onnx-dir D ...] \\
        [--inference-mode] [--channels-last] [--interleave] --out result.json

Every config runs in a fresh subprocess (so ``peak_rss_mb`` is its own), or
with ``--interleave`` all configs in one fresh process, stepped in turn one
frame each (a drifting machine load then hits every config alike), on the
SAME frames: the frames are read (OpenCV) or rendered (synthetic
generator) once, resized to ``--size`` on the longer side and shared. A
config first gets untimed warm-up frames (at least ``--warmup``, rounded up
to whole segments that cover the stream's start-up delay ``(p + 1)·l``),
then the ``--frames`` timed frames, fed one per call in stream mode. The
Eq.-8 terms are timed inside that run (:mod:`aten_mm.utils.benchmark.speed`).
Weights are random (every ``init_cfg`` set to None: no download) unless
``--checkpoint``; the same ``--seed`` gives every config the same detector
weights.

The JSON has ``machine`` (cpu, threads, torch version, date) and per config
``fps``, ``speedup_measured`` (fps / fps of the per-frame config of the
run: exactly 1.0 for it), ``speedup_predicted`` (Eq. 8 from the measured
terms, see :func:`aten_mm.utils.benchmark.eq8_ratio`), ``terms_ms`` (per
unit), ``units_per_segment`` next to ``eq8_counts``, ``peak_rss_mb``,
``speedup_nfeat_normalized`` (times in units of each config's own N_feat).
"""
import argparse

from aten_mm.utils.benchmark.cli import add_timing_args
from aten_mm.utils.benchmark.speed import run_benchmark


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Stream-inference benchmark with the Eq.-8 cost model')
    parser.add_argument('configs', nargs='+', help='config files')
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument('--video', help='video file read with OpenCV')
    src.add_argument('--synthetic', action='store_true',
                     help='render frames with the synthetic generator')
    parser.add_argument('--checkpoint', nargs='+', default=None,
                        help="one checkpoint per config ('none' = random "
                        'weights for that config)')
    parser.add_argument('--backend', nargs='+', default=None,
                        choices=['pytorch', 'onnxruntime'],
                        help='one inference backend per config (default '
                        'pytorch): onnxruntime runs N_feat, FlowNet-S and '
                        'the encoder as ONNX graphs (docs/deployment.md)')
    parser.add_argument('--onnx-dir', nargs='+', default=None,
                        help="one folder of exported graphs per config "
                        "('none' = export into a temporary folder before "
                        'timing)')
    parser.add_argument('--frames', type=int, default=30,
                        help='timed frames (after warm-up)')
    parser.add_argument('--warmup', type=int, default=3,
                        help='least untimed frames before timing')
    add_timing_args(parser)
    parser.add_argument('--inference-mode', action='store_true',
                        help='torch.inference_mode instead of no_grad')
    parser.add_argument('--channels-last', action='store_true',
                        help='channels-last model and frames')
    parser.add_argument('--no-subprocess', action='store_true', help='run '
                        'the configs in this process (peak_rss_mb: the '
                        "whole process's running peak)")
    parser.add_argument('--interleave', action='store_true',
                        help='step all configs in turn, one frame each, '
                        'in one process: a changing machine load hits '
                        'every config alike (peak_rss_mb is then the '
                        "process's)")
    parser.add_argument('--out', required=True, help='result JSON file')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    return run_benchmark(
        args.configs, args.out, video=args.video,
        checkpoints=args.checkpoint, backends=args.backend,
        onnx_dirs=args.onnx_dir, frames=args.frames, warmup=args.warmup,
        size=args.size, threads=args.threads, seed=args.seed,
        inference_mode=args.inference_mode,
        channels_last=args.channels_last, in_process=args.no_subprocess,
        interleave=args.interleave)


if __name__ == '__main__':
    from aten_mm.apis.cli import run_tool
    run_tool(main)
