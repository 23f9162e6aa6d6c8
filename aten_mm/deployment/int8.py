"""An 8-bit N_feat graph (static quantisation with ONNX Runtime).

N_feat (§4.5, the ResNet + DeepLabV3+ feature network) is most of a key
frame's cost. :func:`quantize_checked` turns its float32 graph into a
QDQ graph with int8 weights (per output channel) and uint8 activations
whose ranges are calibrated (min/max) on preprocessed frames, then checks
it against the PyTorch module: a graph passes when, on every check frame,
the relative L2 error ``||ort - torch|| / ||torch||`` is at most
:data:`INT8_RTOL`. Unlike the float32 graphs this is an approximation:
it changes the model's outputs a little, so its accuracy is measured
(docs/deployment.md), and it is only used when exported on purpose
(``tools/deployment/export_onnx.py --int8``).
"""
import os
import os.path as osp
import tempfile
from typing import List, Sequence

import numpy as np
import torch
import torch.nn as nn
from torch import Tensor

#: Largest relative L2 error of the int8 N_feat on a check frame.
INT8_RTOL = 0.2


class _Frames:
    """Calibration data reader over preprocessed frames (one input)."""

    def __init__(self, name: str, frames: Sequence[Tensor]) -> None:
        self.items = iter([{name: f.detach().cpu().numpy()}
                           for f in frames])

    def get_next(self):
        return next(self.items, None)


def relative_error(ref: Tensor, out: np.ndarray) -> float:
    """``||out - ref||_2 / ||ref||_2`` (inf on a shape mismatch)."""
    ref = ref.detach().cpu().numpy()
    if ref.shape != out.shape:
        return float('inf')
    return float(np.linalg.norm(out - ref) /
                 max(np.linalg.norm(ref), 1e-12))


def quantize_checked(module: nn.Module, src: str, path: str,
                     calib: Sequence[Tensor], checks: Sequence[Tensor],
                     input_name: str = 'img') -> List[float]:
    """Write an int8 copy of the one-input graph ``src`` if it passes.

    Args:
        module (nn.Module): The PyTorch module of ``src`` (reference).
        src (str): Float32 ``.onnx`` graph with one input.
        path (str): Destination of the int8 graph.
        calib (list[Tensor]): Inputs whose activation ranges are used.
        checks (list[Tensor]): Inputs to compare with ``module`` on.
        input_name (str): Name of the graph's input (``'img'`` for
            ``feat.onnx``).

    Returns:
        list[float]: The relative error of each check.

    Raises:
        GraphCheckError: A check is over :data:`INT8_RTOL`; nothing is
            written at ``path`` then.
    """
    from onnxruntime.quantization import (
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from .onnx_export import GraphCheckError, ort_session, run_session
    if not calib:
        raise ValueError('quantize_checked needs calibration frames')
    folder = osp.dirname(osp.abspath(path))
    with tempfile.TemporaryDirectory(dir=folder, prefix='.tmp-') as tmp:
        pre = osp.join(tmp, 'pre.onnx')
        out = osp.join(tmp, 'int8.onnx')
        quant_pre_process(src, pre)
        quantize_static(
            pre, out, _Frames(input_name, calib),
            quant_format=QuantFormat.QDQ,
            per_channel=True, activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod.MinMax)
        sess = ort_session(out)
        errors = []
        with torch.no_grad():
            for frame in checks:
                err = relative_error(module(frame),
                                     run_session(sess, [frame])[0])
                errors.append(err)
                if not err <= INT8_RTOL:
                    raise GraphCheckError(
                        f'{osp.basename(path)}: the int8 graph differs '
                        f'from PyTorch by a relative error of {err:.3g}, '
                        f'over {INT8_RTOL:g}; the graph was not written '
                        '(calibrate on frames like the videos to serve: '
                        '--image)')
        os.replace(out, path)
    return errors
