"""Convert a public FlowNet-S checkpoint to aten_mm's ``FlowNetS``.

Usage::

    python tools/model_converters/flownets_to_aten.py SRC DST \\
        [--layout auto] [--scale-channels 256] [--out-prefix '']

Supported parameter layouts (auto-detected, a common prefix such as
``module.`` or ``motion.`` is found automatically):

* ``flownet2``: flownet2-pytorch ``FlowNetS``/``FlowNet2S`` and
  ClementPinard's FlowNetPytorch ``flownets``/``flownets_bn``:
  ``conv1.0.weight`` (``conv1.1.*`` = BN), ``deconv5.0.weight``,
  ``predict_flow6.weight``, ``upsampled_flow6_to_5.weight``.
* ``mmflow``: MMFlow ``FlowNetS`` (``FlowNetEncoder`` + ``FlowNetSDecoder``):
  ``encoder.layers.{stage}.layers.{i}.conv.weight``,
  ``decoder.decoders.level{l}.pred_out.weight``,
  ``decoder.decoders.level{l}.deconv_out.deconvs.0.weight``,
  ``decoder.decoders.level{l}.upsample_pred.deconvs.0.weight``.
* ``mmtracking``: MMTracking ``FlowNetSimple`` (``motion.`` inside DFF/FGFA
  checkpoints): ``conv{stage}.{i}.conv.weight``, ``deconv5.conv.weight``,
  ``predict_flow6.conv.weight`` ... ``predict_flow3.conv.weight``, the last
  ``predict_flow.conv.weight``, ``upsample_flow5.conv.weight`` ...
* ``aten``: our own names (useful to extract ``motion.`` from an ATEN
  checkpoint).

Biases that a layout does not have (e.g. the deconvolutions and flow
predictors of MMTracking and FlowNetPytorch) are written as zeros, which
is what those models compute. The scale-field head is not part of FlowNet
and is written at its paper initialisation (weights 0, bias 1), or left
out with ``--scale-channels 0``. Every unmapped source key is reported.

Flow convention of the sources: all predict flow / 20 in input pixels
(``FlowNetS(flow_div=20.0)``); MMTracking writes the same as ``flow * 4 *
5``. The input normalisation differs per source and is written into the
converted checkpoint, both as ``meta['flownet_input']`` (with its name in
``meta['input_convention']``) and as the ``input_*`` entries of the state
dict, which ``FlowNetS`` loads with the weights (a user sets nothing):

* ``mmflow``: BGR / 255, no mean;
* ``mmtracking``: RGB / 255 minus (0.411, 0.432, 0.450);
* ``flownet2-pytorch`` (``flownet2`` layout with deconv/predictor biases):
  RGB / 255 minus the pair's per-channel mean;
* ``flownetpytorch`` (``flownet2`` layout without those biases): RGB / 255
  minus (0.45, 0.432, 0.411);
* ``aten``: what the checkpoint carries, else ours.

``--input-convention NAME`` overrides the detection (see
``aten_mm.models.motion.flownet_s.INPUT_CONVENTIONS``). The source is read
with the project's safe loader (``aten_mm.utils.checkpoint``).
"""
import argparse
import os
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import torch

from aten_mm.apis.cli import run_tool
from aten_mm.models.motion.flownet_s import INPUT_BUFFERS, INPUT_CONVENTIONS
from aten_mm.utils.checkpoint import safe_torch_load

# Our module names (FlowNetS in aten_mm/models/motion/flownet_s.py).
ENCODER_NAMES = ('conv1', 'conv2', 'conv3', 'conv3_1', 'conv4', 'conv4_1',
                 'conv5', 'conv5_1', 'conv6', 'conv6_1')
DECONV_LEVELS = (5, 4, 3, 2)      # deconv{l}: level l + 1 -> level l
FLOW_LEVELS = (6, 5, 4, 3, 2)     # predict_flow{l}
BN_KEYS = ('weight', 'bias', 'running_mean', 'running_var',
           'num_batches_tracked')
LAYOUTS = ('aten', 'flownet2', 'mmflow', 'mmtracking')
# A key that only this layout has, used for detection and prefix search.
SIGNATURES = {
    'aten': 'conv1.conv.weight',
    'flownet2': 'conv1.0.weight',
    'mmflow': 'encoder.layers.0.layers.0.conv.weight',
    'mmtracking': 'conv1.0.conv.weight',
}


def _stage(name: str) -> Tuple[int, int]:
    """``'conv3_1'`` -> (stage index 2, conv index 1)."""
    m = re.fullmatch(r'conv(\d)(_1)?', name)
    return int(m.group(1)) - 1, 1 if m.group(2) else 0


def _map_params(out: Dict[str, str], ours: str, src: str,
                params: Tuple[str, ...] = ('weight', 'bias')) -> None:
    """Map the ``params`` of our module ``ours`` to those of ``src``."""
    for p in params:
        out[f'{ours}.{p}'] = f'{src}.{p}'


def key_map(layout: str) -> Dict[str, str]:
    """Our parameter/buffer names -> the names of ``layout``.

    Covers every name our model can have (conv biases and BN buffers
    included); which ones exist depends on the checkpoint.

    Args:
        layout (str): One of :data:`LAYOUTS`.

    Returns:
        dict[str, str]: ours -> source (without the source's prefix).
    """
    if layout not in LAYOUTS:
        raise ValueError(f'unknown layout {layout!r}, expected one of '
                         f'{LAYOUTS}')
    out = OrderedDict()
    for name in ENCODER_NAMES:
        stage, idx = _stage(name)
        conv, bn = {
            'aten': (f'{name}.conv', f'{name}.bn'),
            'flownet2': (f'{name}.0', f'{name}.1'),
            'mmflow': (f'encoder.layers.{stage}.layers.{idx}.conv',
                       f'encoder.layers.{stage}.layers.{idx}.bn'),
            'mmtracking': (f'conv{stage + 1}.{idx}.conv',
                           f'conv{stage + 1}.{idx}.bn'),
        }[layout]
        _map_params(out, f'{name}.conv', conv)
        _map_params(out, f'{name}.bn', bn, BN_KEYS)
    for lvl in DECONV_LEVELS:
        src = {
            'aten': f'deconv{lvl}.conv',
            'flownet2': f'deconv{lvl}.0',
            'mmflow': f'decoder.decoders.level{lvl + 1}.deconv_out.deconvs.0',
            'mmtracking': f'deconv{lvl}.conv',
        }[layout]
        _map_params(out, f'deconv{lvl}.conv', src)
        up = {
            'aten': f'upsampled_flow{lvl + 1}_to_{lvl}',
            'flownet2': f'upsampled_flow{lvl + 1}_to_{lvl}',
            'mmflow':
            f'decoder.decoders.level{lvl + 1}.upsample_pred.deconvs.0',
            'mmtracking': f'upsample_flow{lvl}.conv',
        }[layout]
        _map_params(out, f'upsampled_flow{lvl + 1}_to_{lvl}', up, ('weight', ))
    for lvl in FLOW_LEVELS:
        src = {
            'aten': f'predict_flow{lvl}',
            'flownet2': f'predict_flow{lvl}',
            'mmflow': f'decoder.decoders.level{lvl}.pred_out',
            'mmtracking':
            'predict_flow.conv' if lvl == 2 else f'predict_flow{lvl}.conv',
        }[layout]
        _map_params(out, f'predict_flow{lvl}', src)
    return out


def detect_layout(state_dict: Dict[str, torch.Tensor],
                  layout: str = 'auto') -> Tuple[str, str]:
    """Find the layout and the common key prefix of a FlowNet-S state dict.

    Returns:
        tuple[str, str]: (layout, prefix), e.g. ('mmtracking', 'motion.').
    """
    found = []
    for name in (LAYOUTS if layout == 'auto' else (layout, )):
        if name not in SIGNATURES:
            raise ValueError(f'unknown layout {name!r}, expected auto or '
                             f'one of {LAYOUTS}')
        sig = SIGNATURES[name]
        for key in state_dict:
            if key == sig or key.endswith('.' + sig):
                found.append((name, key[:len(key) - len(sig)]))
                break
    if not found:
        sample = ', '.join(list(state_dict)[:5])
        raise ValueError(
            'no FlowNet-S layout recognised (expected a key ending in one '
            f'of {sorted(SIGNATURES.values())}); first keys: {sample}')
    if len(found) > 1:
        raise ValueError(f'ambiguous FlowNet-S layout, matches {found}; '
                         'pass --layout')
    return found[0]


def convert_state_dict(state_dict: Dict[str, torch.Tensor],
                       layout: str = 'auto',
                       scale_channels: int = 256,
                       meta: Optional[dict] = None
                       ) -> Tuple[OrderedDict, dict]:
    """Map a FlowNet-S state dict onto ``aten_mm`` ``FlowNetS`` names.

    Args:
        state_dict (dict[str, Tensor]): The source parameters.
        layout (str): ``'auto'`` or one of :data:`LAYOUTS`.
        scale_channels (int): Channels of the scale-field head to add at
            its initialisation (0: leave it out).
        meta (dict, optional): The source checkpoint's meta.

    Returns:
        tuple[OrderedDict, dict]: The converted state dict (with the
        ``input_*`` entries of the source's input convention) and a report
        with ``layout``, ``prefix``, ``mapped`` (int), ``zero_biases``,
        ``unmapped`` (source keys not used), ``norm`` (bool),
        ``input_convention`` (name) and ``flownet_input`` (its values).

    Raises:
        ValueError: Unknown layout, missing weights or a conv1 that does
            not take 6 channels.
    """
    layout, prefix = detect_layout(state_dict, layout)
    mapping = key_map(layout)
    used = set()
    out = OrderedDict()
    zero_biases, missing = [], []
    has_bn = (prefix + mapping['conv1.bn.running_mean']) in state_dict
    for ours, src in mapping.items():
        src = prefix + src
        if '.bn.' in ours and not has_bn:
            continue
        if src in state_dict:
            out[ours] = state_dict[src]
            used.add(src)
        elif ours.endswith('.bias'):
            weight = ours[:-len('bias')] + 'weight'
            if '.conv.' in ours and ours.split('.')[0] in ENCODER_NAMES:
                if has_bn:  # BN convs have no bias (mmcv ConvModule)
                    continue
            if weight in out:
                w = out[weight]
                channels = (w.shape[1] if 'deconv' in ours else w.shape[0])
                out[ours] = w.new_zeros(channels)
                zero_biases.append(ours)
            else:
                missing.append(src)
        else:
            missing.append(src)
    if missing:
        raise ValueError(f'{layout} checkpoint (prefix {prefix!r}) lacks '
                         f'{len(missing)} FlowNet-S weights, e.g. '
                         f'{missing[:5]}')
    in_ch = out['conv1.conv.weight'].shape[1]
    if in_ch != 6:
        raise ValueError(
            f'conv1 of the checkpoint takes {in_ch} input channels; '
            'FlowNetS expects 6 (two RGB frames)')
    if scale_channels > 0:
        feat_ch = out['predict_flow2.weight'].shape[1]
        ref = out['predict_flow2.weight']
        out['scale_head.weight'] = ref.new_zeros(scale_channels, feat_ch, 1,
                                                 1)
        out['scale_head.bias'] = ref.new_ones(scale_channels)
    convention, norm = input_convention(state_dict, layout, prefix,
                                        meta=meta)
    for name in INPUT_BUFFERS:
        key = prefix + name
        if key in state_dict:
            used.add(key)
    out.update(convention_buffers(norm))
    unmapped = [k for k in state_dict if k not in used]
    report = dict(layout=layout, prefix=prefix, mapped=len(used),
                  zero_biases=zero_biases, unmapped=unmapped, norm=has_bn,
                  input_convention=convention, flownet_input=norm)
    return out, report


def convention_buffers(norm: dict) -> Dict[str, torch.Tensor]:
    """``FlowNetS``'s ``input_*`` state-dict entries of a convention.

    Args:
        norm (dict): ``mean``, ``std``, ``pair_mean``, ``bgr`` (as in
            ``INPUT_CONVENTIONS``).

    Returns:
        dict[str, Tensor]: ``input_mean`` (3,), ``input_std`` (3,),
        ``input_pair_mean`` and ``input_bgr`` (bool scalars).
    """
    std = norm['std']
    std = [float(std)] * 3 if isinstance(std, (int, float)) else std
    return OrderedDict(
        input_mean=torch.tensor(norm['mean'], dtype=torch.float32),
        input_std=torch.tensor(std, dtype=torch.float32),
        input_pair_mean=torch.tensor(bool(norm['pair_mean'])),
        input_bgr=torch.tensor(bool(norm['bgr'])))


def input_convention(state_dict: Dict[str, torch.Tensor], layout: str,
                     prefix: str = '',
                     meta: Optional[dict] = None) -> Tuple[str, dict]:
    """The input normalisation the source's weights were trained with.

    Args:
        state_dict (dict[str, Tensor]): The source parameters.
        layout (str): Its layout (:data:`LAYOUTS`).
        prefix (str): Its key prefix.
        meta (dict, optional): The source checkpoint's meta (an ``aten``
            checkpoint written by this converter carries
            ``flownet_input``).

    Returns:
        tuple[str, dict]: The convention's name and its ``mean``, ``std``,
        ``pair_mean``, ``bgr``.
    """
    if layout == 'flownet2':
        # flownet2-pytorch's deconvs and predictors have biases,
        # FlowNetPytorch's have none
        name = ('flownet2-pytorch' if prefix + 'deconv5.0.bias' in state_dict
                else 'flownetpytorch')
    elif layout == 'aten':
        if all(prefix + k in state_dict for k in INPUT_BUFFERS):
            mean, std, pair, bgr = (state_dict[prefix + k]
                                    for k in INPUT_BUFFERS)
            return 'checkpoint', dict(
                mean=[float(v) for v in mean], std=[float(v) for v in std],
                pair_mean=bool(pair), bgr=bool(bgr))
        if meta and isinstance(meta.get('flownet_input'), dict):
            return (meta.get('input_convention', 'meta'),
                    dict(meta['flownet_input']))
        name = 'aten'
    else:
        name = layout
    return name, dict(INPUT_CONVENTIONS[name])


def load_checkpoint(path: str) -> Tuple[Dict[str, torch.Tensor], dict]:
    """Read a checkpoint with the project's safe loader.

    ``aten_mm.utils.checkpoint.safe_torch_load``: ``weights_only`` with the
    allow-list of OpenMMLab checkpoints (numpy scalars in the meta ...);
    anything else is refused before it runs (``UnsafeCheckpointError``).

    Returns:
        tuple[dict, dict]: The state dict and the meta (``{}`` if none).

    Raises:
        FileNotFoundError: No such file.
        ValueError: Not a state dict nor a dict with ``state_dict`` /
            ``model``.
    """
    ckpt = safe_torch_load(path, map_location='cpu')
    if isinstance(ckpt, dict):
        meta = ckpt.get('meta') if isinstance(ckpt.get('meta'),
                                              dict) else {}
        for key in ('state_dict', 'model'):
            if isinstance(ckpt.get(key), dict):
                return ckpt[key], meta
        if ckpt and all(isinstance(v, torch.Tensor) for v in ckpt.values()):
            return ckpt, {}
    raise ValueError(f'{path}: expected a state dict or a dict with '
                     "'state_dict' / 'model', got "
                     f'{type(ckpt).__name__}')


def parse_args(argv: List[str] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert a FlowNet-S checkpoint (flownet2-pytorch, '
        'FlowNetPytorch, MMFlow, MMTracking) to aten_mm FlowNetS')
    parser.add_argument('src', help='source checkpoint')
    parser.add_argument('dst', help='output checkpoint (.pth)')
    parser.add_argument('--layout', default='auto',
                        choices=('auto', ) + LAYOUTS)
    parser.add_argument('--scale-channels', type=int, default=256,
                        help='channels of the scale field added at its '
                        'init (weights 0, bias 1); 0 leaves it out')
    parser.add_argument('--out-prefix', default='',
                        help="prefix of the written keys, e.g. 'motion.'")
    parser.add_argument('--input-convention', default='auto',
                        choices=('auto', ) + tuple(INPUT_CONVENTIONS),
                        help='input normalisation the weights were trained '
                        'with (auto: from the layout, see the module doc)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing DST')
    return parser.parse_args(argv)


def main(argv: List[str] = None) -> dict:
    args = parse_args(argv)
    if osp.exists(args.dst) and not args.overwrite:
        raise FileExistsError(f'{args.dst} exists (pass --overwrite to '
                              'replace it)')
    src, meta = load_checkpoint(args.src)
    converted, report = convert_state_dict(src, args.layout,
                                           args.scale_channels, meta=meta)
    if args.input_convention != 'auto':
        report['input_convention'] = args.input_convention
        report['flownet_input'] = dict(
            INPUT_CONVENTIONS[args.input_convention])
        converted.update(convention_buffers(report['flownet_input']))
    state_dict = OrderedDict(
        (args.out_prefix + k, v) for k, v in converted.items())
    norm = report['flownet_input']
    tmp = f'{args.dst}.tmp{os.getpid()}'
    torch.save(
        dict(state_dict=state_dict,
             meta=dict(source=osp.basename(args.src),
                       layout=report['layout'],
                       input_convention=report['input_convention'],
                       flownet_input=dict(
                           mean=[float(v) for v in norm['mean']],
                           std=norm['std'],
                           pair_mean=bool(norm['pair_mean']),
                           bgr=bool(norm['bgr'])))), tmp)
    os.replace(tmp, args.dst)
    print(f"layout: {report['layout']} (prefix {report['prefix']!r}), "
          f"{report['mapped']} tensors mapped, BN: {report['norm']}")
    print(f"input convention: {report['input_convention']} "
          f'{report["flownet_input"]} (stored in the checkpoint)')
    if report['zero_biases']:
        print(f"biases absent in the source, written as zeros: "
              f"{', '.join(report['zero_biases'])}")
    if report['unmapped']:
        print(f"{len(report['unmapped'])} source keys not mapped: "
              f"{', '.join(report['unmapped'][:20])}"
              f"{' ...' if len(report['unmapped']) > 20 else ''}")
    print(f'saved {len(state_dict)} tensors to {args.dst}')
    return report


if __name__ == '__main__':
    run_tool(main)
