"""RoIAlign on ONNX Runtime's ``RoiAlign`` operator (deployment).

The box and mask heads of N_parse (§4.3) read RoIAlign features of the
stride-4 feature F. mmcv's CPU RoIAlign runs on one thread; ONNX Runtime's
``RoiAlign`` operator computes the same bilinear samples (the Detectron
definition both follow: ``aligned`` is ``half_pixel``, ``sampling_ratio``
0 is adaptive) over its thread pool, about 5x faster on 2 cores for 100
person boxes, and gives the same numbers (``tests/deployment/
test_ort_roi_align.py``). The ONNX Runtime backend swaps it in for each
single-level extractor's ``RoIAlign`` in average mode; mmcv's max mode is
not ONNX's, so such a layer stays on mmcv, as does a call without RoIs.
The graph is one node built here (no weights, nothing to export).
"""
from typing import Optional

import torch
import torch.nn as nn
from torch import Tensor

#: Opset of the one-node graph (``coordinate_transformation_mode``).
ROI_ALIGN_OPSET = 16


def roi_align_graph(layer: nn.Module) -> Optional[bytes]:
    """A serialized ONNX model of one ``RoiAlign`` node equal to ``layer``.

    Args:
        layer (nn.Module): An ``mmcv.ops.RoIAlign``.

    Returns:
        bytes | None: The model with inputs ``feat`` (N, C, H, W), ``rois``
        (K, 4) and ``batch`` (K,) int64 and output ``roi_feat`` (K, C, h,
        w); None when the layer has no ONNX equivalent (max pooling, or not
        mmcv's RoIAlign).
    """
    from mmcv.ops import RoIAlign
    from onnx import TensorProto, helper
    if type(layer) is not RoIAlign or layer.pool_mode != 'avg':
        return None
    out_h, out_w = layer.output_size
    mode = 'half_pixel' if layer.aligned else 'output_half_pixel'
    node = helper.make_node(
        'RoiAlign', ['feat', 'rois', 'batch'], ['roi_feat'], mode='avg',
        output_height=int(out_h), output_width=int(out_w),
        sampling_ratio=int(layer.sampling_ratio),
        spatial_scale=float(layer.spatial_scale),
        coordinate_transformation_mode=mode)
    graph = helper.make_graph(
        [node], 'roi_align',
        [helper.make_tensor_value_info('feat', TensorProto.FLOAT,
                                       ['n', 'c', 'h', 'w']),
         helper.make_tensor_value_info('rois', TensorProto.FLOAT, ['k', 4]),
         helper.make_tensor_value_info('batch', TensorProto.INT64, ['k'])],
        [helper.make_tensor_value_info('roi_feat', TensorProto.FLOAT,
                                       ['k', 'c', out_h, out_w])])
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid('', ROI_ALIGN_OPSET)])
    return model.SerializeToString()


class OrtRoIAlign(nn.Module):
    """``mmcv.ops.RoIAlign`` computed by ONNX Runtime's ``RoiAlign``.

    Args:
        layer (nn.Module): The mmcv layer it replaces (kept: it runs a call
            without RoIs).
        graph (bytes): From :func:`roi_align_graph`.
    """

    def __init__(self, layer: nn.Module, graph: bytes) -> None:
        super().__init__()
        from .onnx_export import ort_session
        self.torch_layer = layer
        self.sess = ort_session(graph)
        # what mmdet's extractors read from their layer (``out_size``)
        for name in ('output_size', 'spatial_scale', 'sampling_ratio',
                     'pool_mode', 'aligned'):
            setattr(self, name, getattr(layer, name))

    def forward(self, feat: Tensor, rois: Tensor) -> Tensor:
        """RoI features ``(K, C, h, w)`` of ``rois`` ``(K, 5)`` (batch
        index, x1, y1, x2, y2 in input pixels) on ``feat``."""
        if rois.shape[0] == 0:
            return self.torch_layer(feat, rois)
        feed = {'feat': feat.detach().float().cpu().numpy(),
                'rois': rois[:, 1:].detach().float().cpu().numpy(),
                'batch': rois[:, 0].detach().long().cpu().numpy()}
        out = torch.from_numpy(self.sess.run(None, feed)[0])
        return out.to(device=feat.device, dtype=feat.dtype)
