"""Export a parser's tensor graphs to ONNX, each checked against PyTorch.

Usage::

    python tools/deployment/export_onnx.py CONFIG CHECKPOINT --out-dir DIR \\
        [--shape H W] [--image FRAME.jpg] \\
        [--int8 [FRAMES] | --winograd [MIN_CHANNELS]]

Writes into DIR ``feat.onnx`` (N_feat), for video models ``motion.onnx``
(FlowNet-S with the scale field), ``warp.onnx`` (W) and ``encoder.onnx``
(the p + 1 steps of the temporal encoder), the dense heads of N_parse
(``parse.onnx``: the global parsing head's atrous convs; ``rpn.onnx``: the
RPN head's convs; ``bbox.onnx`` / ``mask.onnx``: the box head's fc tower
and the mask head's conv tower on RoIAlign features), and
``manifest.json``. Anchor decoding, NMS, RoIAlign, mask pasting and the
person/part fusion stay in PyTorch. Every graph is compared
with PyTorch on a real frame (``--image``, else a synthetic one) and on a
random one, at the input size the model sees for video frames of
``--shape`` (default 720 x 1280) after the config's test pipeline; a graph
that differs by more than the tolerance (docs/deployment.md) is not
written and the tool exits with an error. CHECKPOINT ``none`` exports
random weights (for trying the tool). ``--int8`` also writes
``feat_int8.onnx`` (N_feat calibrated to int8 on rendered frames, checked
within a relative error) and makes the manifest point to it.
``--winograd`` traces the wide 3 x 3 convolutions as Winograd F(4x4, 3x3)
(``aten_mm/deployment/winograd.py``): float32 graphs with a quarter of
those convolutions' multiply-adds, checked like the others.
"""
import argparse

from mmengine.config import DictAction

from aten_mm.apis.cli import positive_int
from aten_mm.deployment.winograd import MIN_CHANNELS


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Export N_feat, FlowNet-S, the temporal encoder, the '
        'warp and the dense heads of a config to ONNX, each checked against '
        'PyTorch')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint',
                        help="checkpoint file ('none' = random weights, "
                        'built as benchmark.py builds them)')
    parser.add_argument('--out-dir', required=True,
                        help='folder for the .onnx files and manifest.json')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='frame size of the videos the graphs will serve '
                        '(the test pipeline then resizes and pads it: the '
                        'graphs are traced at that network input size); '
                        'default 720 1280')
    parser.add_argument('--image', help='a real frame to check the graphs '
                        'on (default: a rendered synthetic frame)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace graphs already in --out-dir')
    parser.add_argument('--int8',
                        type=positive_int('a number of calibration frames'),
                        nargs='?',
                        const=16, default=0,
                        metavar='FRAMES',
                        help='also write an int8 N_feat (feat_int8.onnx), '
                        'calibrated on FRAMES rendered synthetic frames '
                        '(default 16) and checked on the real frame, and '
                        'run it instead of the float32 one: faster on a '
                        'CPU, not exact (docs/deployment.md)')
    parser.add_argument('--winograd',
                        type=positive_int('a number of channels'),
                        nargs='?', const=MIN_CHANNELS, default=None,
                        metavar='MIN_CHANNELS',
                        help='compute the 3x3 stride-1 convolutions with at '
                        'least MIN_CHANNELS input and output channels '
                        f'(default {MIN_CHANNELS}) as Winograd F(4x4, 3x3): '
                        'the same function in a quarter of their '
                        'multiply-adds, checked against PyTorch like every '
                        'graph (docs/deployment.md); not with --int8')
    parser.add_argument('--seed', type=int, default=0,
                        help="seed of the random weights of checkpoint "
                        "'none' (benchmark.py's --seed); default 0")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, e.g. '
                        'model.motion.input_scale=0.5')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    from aten_mm.deployment import export_config
    return export_config(args.config, args.checkpoint, args.out_dir,
                         frame_size=args.shape, image=args.image,
                         overwrite=args.overwrite,
                         cfg_options=args.cfg_options,
                         int8_frames=args.int8, seed=args.seed,
                         winograd=args.winograd)


if __name__ == '__main__':
    from aten_mm.apis.cli import run_tool
    run_tool(main)
