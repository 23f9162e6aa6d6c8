"""Test a model: ``python tools/test.py CONFIG CHECKPOINT [options]``.

The flags are MMDetection's (``tools/test.py`` of mmdet 3.x): ``--work-dir``,
``--out`` (compact pickle of the predictions: no ground truth, RLE masks,
like mmdet's ``DumpDetResults``; ``tools/analysis_tools/
dump_to_official_files.py`` turns it into official files), ``--show``,
``--show-dir``, ``--wait-time``, ``--cfg-options``, ``--launcher``,
``--local-rank``; plus ``--out-dir DIR``, which makes the metric write the
official prediction files under DIR: VIP (docs/vip_protocol.md §3) or DAVIS
(``<seq>/00000.png``, docs/davis_protocol.md). The metric table is printed at
the end.
"""
import argparse

from aten_mm.apis.cli import (
    add_run_args,
    finish_distributed,
    parse_run_args,
    run_tool,
)
from aten_mm.apis.test import print_metrics, test_model


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test an aten_mm model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--out-dir',
        help='write the official prediction files (VIP: <video>/gray/'
        'global_*.png, inst_*.png, scores_*.txt, <video>/instance_part/*; '
        'DAVIS: <sequence>/00000.png ...) under this directory, through '
        'the metric\'s out_dir option')
    parser.add_argument(
        '--out',
        type=str,
        help='dump compact predictions (no ground truth, RLE masks) to a '
        '.pkl file; tools/analysis_tools/dump_to_official_files.py turns '
        'it into official files')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory (under the run\'s work_dir/timestamp) where the '
        'overlays are saved')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--backend', default='pytorch', choices=['pytorch', 'onnxruntime'],
        help='onnxruntime: N_feat, FlowNet-S, the temporal encoder and the '
        'dense head layers run as ONNX graphs (docs/deployment.md)')
    parser.add_argument(
        '--onnx-dir', help='graphs of tools/deployment/export_onnx.py '
        '(default with --backend onnxruntime: exported at the first batch)')
    add_run_args(parser, 'test_dataloader.dataset.data_root=data/vip')
    return parse_run_args(parser, argv)


def main(argv=None):
    """Run testing (:func:`aten_mm.apis.test.test_model`); prints the
    metric table and returns the metric dict."""
    args = parse_args(argv)
    metrics = test_model(
        args.config, args.checkpoint, work_dir=args.work_dir,
        cfg_options=args.cfg_options, out=args.out, out_dir=args.out_dir,
        show=args.show, show_dir=args.show_dir, wait_time=args.wait_time,
        backend=args.backend, onnx_dir=args.onnx_dir,
        launcher=args.launcher)
    print_metrics(metrics, args.out_dir)
    return metrics


if __name__ == '__main__':
    run_tool(main)
    finish_distributed()
