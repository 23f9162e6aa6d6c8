"""Peak memory of ``demo/video_demo.py`` on a short vs a long video.

Usage::

    python tools/analysis_tools/long_video_memory.py \\
        [--frames 200 2000] [--size 128 96] [--config CONFIG] \\
        [--work-dir DIR] [--out result.json]

A synthetic video of ``max(--frames)`` frames is rendered once by
:func:`aten_mm.datasets.synthetic.generate_dataset` (one video, persons
moving), and its first N frames are written to ``video_N.mp4`` (mp4v) for
every N of ``--frames``. The demo then runs on each in its own subprocess
(stream mode, ``--config``, default the tiny ATEN, random weights saved as
a checkpoint) and the child reports the peak resident set size of its own
address space at its end (``VmHWM``; see
:func:`aten_mm.utils.benchmark.peak_rss.run_measured`), so every
number is that run's own. Each output is checked: it must exist under its
final name, decode with OpenCV and hold exactly N frames of the input's
size.

Memory is flat when the peak RSS of the long run is about that of the short
one: the demo keeps no per-frame state (the stream cache of a video model
holds the last p key frames only; frames are written as they come).
Issue 9 item 5; the numbers measured here are in docs/reliability.md.
"""
import argparse
import glob
import json
import os
import os.path as osp
import tempfile

from aten_mm.utils.benchmark import save_random_checkpoint
from aten_mm.utils.benchmark.frames import count_frames, write_video
from aten_mm.utils.benchmark.peak_rss import run_measured

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_CONFIG = osp.join(REPO, 'configs', 'aten', 'aten_tiny_synthetic.py')
DEMO = osp.join(REPO, 'demo', 'video_demo.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Peak RSS of the video demo at several video lengths')
    parser.add_argument('--frames', type=int, nargs='+', default=[200, 2000],
                        help='video lengths to run (frames)')
    parser.add_argument('--size', type=int, nargs=2, default=[128, 96],
                        metavar=('W', 'H'), help='frame size')
    parser.add_argument('--config', default=DEFAULT_CONFIG,
                        help='model config (stream mode in the demo)')
    parser.add_argument('--work-dir', default=None,
                        help='folder for the videos, checkpoint and '
                        'outputs (default: a temporary folder)')
    parser.add_argument('--threads', type=int, default=1,
                        help='OMP_NUM_THREADS of the demo runs')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the video and of the random weights')
    parser.add_argument('--out', default=None, help='write the JSON here')
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.frames):
        parser.error(f'--frames must be positive, got {args.frames}')
    if min(args.size) < 32:
        parser.error(f'--size must be at least 32 x 32, got {args.size}')
    return args


def render_frames(work_dir: str, num_frames: int, size, seed: int) -> list:
    """Render one synthetic video; returns its frame files in order."""
    from aten_mm.datasets.synthetic import generate_dataset
    root = osp.join(work_dir, 'synthetic')
    generate_dataset(root, num_videos=1, num_frames=num_frames,
                     size=tuple(size), annotate_every=num_frames,
                     seed=seed, degrade_ratio=0.0, progress=False,
                     overwrite=True)
    files = sorted(glob.glob(osp.join(root, 'VIP_Sequence', 'videos1',
                                      '*.jpg')))
    if len(files) != num_frames:
        raise RuntimeError(f'expected {num_frames} rendered frames under '
                           f'{root}, found {len(files)}')
    return files


def run_demo(video: str, config: str, checkpoint: str, out: str,
             threads: int = 1, log: str = os.devnull) -> dict:
    """Run ``demo/video_demo.py`` in a subprocess (see
    :func:`aten_mm.utils.benchmark.peak_rss.run_measured`)."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    # --overwrite: the tool's own output of an earlier run in --work-dir
    return run_measured(DEMO, [video, config, checkpoint, '--out', out,
                               '--overwrite'], env, log)


def measure(args) -> dict:
    """Render, run every length and check the outputs; returns the JSON."""
    work = args.work_dir or tempfile.mkdtemp(prefix='long_video_')
    os.makedirs(work, exist_ok=True)
    lengths = sorted(set(args.frames))
    files = render_frames(work, max(lengths), args.size, args.seed)
    ckpt = save_random_checkpoint(args.config, osp.join(work, 'random.pth'),
                             args.seed)
    runs = []
    for n in lengths:
        video = osp.join(work, f'video_{n}.mp4')
        write_video(video, files[:n])
        out = osp.join(work, f'overlay_{n}.mp4')
        log = osp.join(work, f'demo_{n}.log')
        run = run_demo(video, args.config, ckpt, out, args.threads, log)
        if run['returncode'] != 0:
            with open(log) as f:
                tail = f.read()[-2000:]
            raise RuntimeError(f'demo on {video} failed (exit '
                               f'{run["returncode"]}); log {log}:\n{tail}')
        frames, shape = count_frames(out) if osp.isfile(out) else (0, None)
        run.update(frames=n, output=out, output_frames=frames,
                   output_ok=frames == n and shape == (args.size[1],
                                                       args.size[0]),
                   fps=n / run['seconds'])
        runs.append(run)
        print(f'{n:6d} frames: peak RSS {run["peak_rss_mb"]:8.1f} MiB, '
              f'{run["seconds"]:7.1f} s, output {frames} frames '
              f'({"ok" if run["output_ok"] else "WRONG"})', flush=True)
    growth = runs[-1]['peak_rss_mb'] - runs[0]['peak_rss_mb']
    result = dict(config=osp.relpath(args.config, REPO),
                  size=list(args.size), threads=args.threads,
                  work_dir=work, runs=runs,
                  rss_growth_mb=growth,
                  rss_ratio=runs[-1]['peak_rss_mb'] / runs[0]['peak_rss_mb'])
    print(f'peak RSS {runs[-1]["frames"]} vs {runs[0]["frames"]} frames: '
          f'{growth:+.1f} MiB (x{result["rss_ratio"]:.3f})')
    return result


def main(argv=None) -> dict:
    """Command-line entry; returns the result dict."""
    args = parse_args(argv)
    result = measure(args)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    from aten_mm.apis.cli import run_tool
    run_tool(main)
