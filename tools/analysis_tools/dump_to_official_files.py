"""Turn a ``tools/test.py --out x.pkl`` dump into the official result files.

The dump holds compact predictions (RLE masks, no ground truth; see
:mod:`aten_mm.evaluation.metrics.compact_results`). This writes exactly
the files ``tools/test.py --out-dir`` would have written (byte for byte):

* ``--format vip`` (default): ``<video>/gray/global_<frame>.png``,
  ``inst_<frame>.png``, ``scores_<frame>.txt`` and
  ``<video>/instance_part/<frame>.{png,txt}`` (docs/vip_protocol.md §3);
* ``--format davis``: ``<sequence>/<frame>.png`` (docs/davis_protocol.md).

Frames without ground truth are written only with ``--all-frames`` (as
the metrics' ``write_unannotated``). The output folder must not hold
files already (``--force`` to write into it anyway).

Example::

    python tools/test.py CONFIG CKPT --out work_dirs/aten/val.pkl
    python tools/analysis_tools/dump_to_official_files.py \\
        work_dirs/aten/val.pkl work_dirs/aten/vip_val
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.utils import ProgressBar

from aten_mm.apis.cli import run_tool
from aten_mm.apis.config import ConfigError
from aten_mm.evaluation.functional import (
    write_davis_prediction,
    write_vip_prediction,
)
from aten_mm.evaluation.metrics import (
    davis_foreground,
    expand_sample,
    frame_identity,
    load_compact_results,
    vip_prediction_from_sample,
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Write the official VIP or DAVIS result files of a '
        'compact prediction dump (tools/test.py --out x.pkl)')
    parser.add_argument('dump', help='the .pkl written by tools/test.py '
                        '--out')
    parser.add_argument('out_dir', help='results root to write')
    parser.add_argument('--format', choices=('vip', 'davis'), default='vip',
                        help='official layout (default: vip)')
    parser.add_argument('--all-frames', action='store_true',
                        help='also write frames without ground truth')
    parser.add_argument('--force', action='store_true',
                        help='write into a non-empty OUT_DIR')
    return parser.parse_args(argv)


def write_official_files(samples: list, out_dir: str, fmt: str = 'vip',
                         all_frames: bool = False) -> int:
    """Write the official files of compact samples.

    Args:
        samples (list[dict]): Compact samples
            (:func:`load_compact_results`).
        out_dir (str): Results root.
        fmt (str): ``'vip'`` or ``'davis'``.
        all_frames (bool): Also write frames without ``seg_map_path``.

    Returns:
        int: The number of frames written.
    """
    written = 0
    progress = ProgressBar(len(samples))
    for compact in samples:
        sample = expand_sample(compact)
        if all_frames or sample.get('seg_map_path') is not None:
            video_id, frame = frame_identity(sample)
            if fmt == 'vip':
                write_vip_prediction(out_dir, video_id, frame,
                                     vip_prediction_from_sample(sample))
            else:
                write_davis_prediction(out_dir, video_id, frame,
                                       davis_foreground(sample))
            written += 1
        progress.update()
    sys.stdout.write('\n')
    return written


def main(argv=None) -> int:
    args = parse_args(argv)
    if osp.isdir(args.out_dir) and os.listdir(args.out_dir) and \
            not args.force:
        raise ConfigError(f'output folder {args.out_dir} is not empty; '
                          'choose another or pass --force')
    try:
        samples = load_compact_results(args.dump)
    except ValueError as e:  # a file that is not a dump: a user mistake
        raise ConfigError(str(e)) from None
    n = write_official_files(samples, args.out_dir, args.format,
                             args.all_frames)
    print(f'{n} frames of {len(samples)} written to {args.out_dir} '
          f'({args.format} format)')
    return n


if __name__ == '__main__':
    run_tool(main)
