"""The plain tensor graphs of a parser that ONNX can carry (§4, Eq. 2-6).

A video parser is four dense networks around some control flow: the
feature network N_feat, FlowNet-S with its scale field (Eq. 3/6), the
temporal encoder ε (Eq. 4) and the bilinear warp W (Eq. 6); the heads of
N_parse (§4.3) hold four more: the global parsing head's atrous convs, the
RPN head's convs, the box head's fc tower and the mask head's conv tower
(the last two on RoIAlign features). The control flow (which frame is a
key, the stream cache) and the data-dependent steps of the heads (anchor
decoding, NMS, RoIAlign, mask pasting, the person/part fusion) are not
traced (the backend runs RoIAlign as ONNX Runtime's own operator,
:mod:`.ort_roi_align`; the rest stays in PyTorch). Each class below wraps
one dense network as an ``nn.Module`` with tensor-only inputs and outputs,
so ``torch.onnx.export`` traces it without the Python logic around it.

Shapes are traced at one input size ``(H, W)`` (FlowNet-S pads to its
divisor with Python integers); the batch axis stays dynamic.
"""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
from torch import Tensor

from aten_mm.models.layers.flow_warp import flow_warp


class FeatGraph(nn.Module):
    """N_feat: ``(N, 3, H, W)`` -> ``(N, C, H/4, W/4)`` (§4.5)."""

    def __init__(self, detector: nn.Module) -> None:
        super().__init__()
        self.detector = detector

    def forward(self, img: Tensor) -> Tensor:
        return self.detector.extract_feat(img)


class MotionGraph(nn.Module):
    """FlowNet-S: ``(cur, ref)`` -> flow (and the scale field S, Eq. 6)."""

    def __init__(self, motion: nn.Module) -> None:
        super().__init__()
        self.motion = motion

    def forward(self, cur: Tensor, ref: Tensor):
        flow, scale = self.motion(cur, ref)
        return flow if scale is None else (flow, scale)


class EncoderGraph(nn.Module):
    """ε over a fixed number of steps: ``feat_0 … feat_p`` -> F̄_k (Eq. 4).

    Args:
        encoder (nn.Module): The temporal encoder; called with the list of
            its ``steps`` inputs, the key last.
        steps (int): p + 1 (or 1 for a single GRU step on the key).
    """

    def __init__(self, encoder: nn.Module, steps: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.steps = steps

    def forward(self, *feats: Tensor) -> Tensor:
        return self.encoder(list(feats))


class WarpGraph(nn.Module):
    """W: ``(feat (N, C, h, w), flow (N, 2, h, w))`` -> warped (Eq. 6)."""

    def forward(self, feat: Tensor, flow: Tensor) -> Tensor:
        return flow_warp(feat, flow)


class HeadGraph(nn.Module):
    """One dense method of a head of N_parse (§4.3), e.g. the RPN head's
    ``forward_single``: ``(N, C, h, w)`` -> its tensors.

    Args:
        head (nn.Module): The head.
        method (str): Name of its tensor-only method.
    """

    def __init__(self, head: nn.Module, method: str = 'forward') -> None:
        super().__init__()
        self.head = head
        self.method = method

    def forward(self, x: Tensor):
        return getattr(self.head, self.method)(x)


#: Head graphs of N_parse: name -> (attribute path from the detector, the
#: method the graph replaces, input name, output names). The box and mask
#: towers run on RoIAlign features ``(K, C, 7, 7)`` / ``(K, C, 14, 14)``
#: (the number of RoIs K is the graph's dynamic batch axis).
HEADS = {
    'parse': ('parsing_head', 'forward', 'feat', ['logits']),
    'rpn': ('rpn_head', 'forward_single', 'feat', ['cls', 'reg']),
    'bbox': ('roi_head.bbox_head', 'forward', 'roi_feat',
             ['cls_score', 'bbox_pred']),
    'mask': ('roi_head.mask_head', 'forward', 'roi_feat', ['mask_pred']),
}


def find_heads(model: nn.Module) -> Dict[str, nn.Module]:
    """The exportable heads of N_parse the detector of ``model`` has.

    Args:
        model (nn.Module): A ``ParsingRCNN`` or a video parser.

    Returns:
        dict: Name of :data:`HEADS` -> head module (a parsing-only model
        has ``'parse'`` alone).
    """
    detector = getattr(model, 'detector', model)
    heads = {}
    for name, (path, *_) in HEADS.items():
        obj = detector
        for attr in path.split('.'):
            obj = getattr(obj, attr, None)
        if isinstance(obj, nn.Module):
            heads[name] = obj
    return heads


def graph_sources(model: nn.Module) -> Dict[str, nn.Module]:
    """The module each graph of ``model`` is traced from: the detector for
    ``feat``, FlowNet-S for ``motion``, the temporal encoder for
    ``encoder`` and each head of :data:`HEADS` (the warp has no weights).

    Args:
        model (nn.Module): A ``ParsingRCNN`` or a video parser.

    Returns:
        dict: Graph name -> module.
    """
    sources = {name: part[2] for name, part in find_parts(model).items()}
    sources.update(find_heads(model))
    return sources


def example_rois(img: Tensor, num: int = 6) -> Tensor:
    """Fixed RoIs ``(num, 5)`` (batch index, x1, y1, x2, y2) spread over
    an input ``(1, 3, H, W)``: person-like boxes of several sizes, so that
    the RoI tower graphs are checked on real RoIAlign features."""
    h, w = img.shape[-2:]
    rois = []
    for i in range(num):
        f = (i + 1) / (num + 1)
        bw, bh = w * (0.15 + 0.5 * f), h * (0.3 + 0.6 * f)
        x1, y1 = (w - bw) * f, (h - bh) * (1 - f)
        rois.append([0.0, x1, y1, x1 + bw, y1 + bh])
    return torch.tensor(rois, dtype=img.dtype)


def find_parts(model: nn.Module) -> Dict[str, Tuple[nn.Module, str,
                                                    nn.Module]]:
    """The exportable sub-networks of a per-frame or video parser.

    Parts are found by type wherever they sit in the model, so the export
    does not depend on attribute paths: the detector (the module with
    ``extract_feat``: the model itself for the per-frame parser), the first
    ``FlowNetS`` and the first recurrent temporal encoder.

    Args:
        model (nn.Module): A ``ParsingRCNN`` or a video parser.

    Returns:
        dict: ``name -> (parent, attribute, module)`` for ``'feat'``,
        ``'motion'`` and ``'encoder'``, only the parts the model has.
    """
    from aten_mm.models.motion.flownet_s import FlowNetS
    from aten_mm.models.temporal.base_recurrent_encoder import (
        BaseRecurrentEncoder,
    )
    detector = getattr(model, 'detector', model)
    parts = {'feat': (model, 'detector', detector)}
    for parent_name, parent in model.named_modules():
        for attr, child in parent.named_children():
            for name, cls in (('motion', FlowNetS),
                              ('encoder', BaseRecurrentEncoder)):
                if name not in parts and isinstance(child, cls):
                    parts[name] = (parent, attr, child)
    return parts


def encoder_steps(model: nn.Module) -> Optional[int]:
    """p + 1 of a video parser with a recurrent encoder, else None."""
    p = getattr(model, 'num_refs', None)
    if 'encoder' not in find_parts(model) or not p:
        return None
    return p + 1


def example_inputs(model: nn.Module, feat: Tensor, img: Tensor,
                   ref: Tensor) -> Dict[str, Tuple[Tensor, ...]]:
    """Inputs of each graph at one frame size, from two frames.

    Args:
        model (nn.Module): The parser.
        feat (Tensor): ``(1, C, h, w)`` N_feat of ``img``.
        img (Tensor): ``(1, 3, H, W)`` a frame.
        ref (Tensor): ``(1, 3, H, W)`` another frame.

    Returns:
        dict: Graph name -> its input tuple.
    """
    parts = find_parts(model)
    inputs = {'feat': (img, ), 'warp': None}
    detector = getattr(model, 'detector', model)
    heads = find_heads(model)
    for name in ('parse', 'rpn'):
        if name in heads:
            inputs[name] = (feat, )
    for name, extractor in (('bbox', 'bbox_roi_extractor'),
                            ('mask', 'mask_roi_extractor')):
        if name in heads:
            rois = example_rois(img)
            roi_feat = getattr(detector.roi_head, extractor)((feat, ), rois)
            inputs[name] = (roi_feat, )
    if 'motion' in parts:
        inputs['motion'] = (img, ref)
        flow = parts['motion'][2](img, ref)[0]
        inputs['warp'] = (feat, flow)
    steps = encoder_steps(model)
    if steps:
        gen = torch.Generator().manual_seed(steps)
        seq: List[Tensor] = [
            feat + 0.1 * torch.randn(feat.shape, generator=gen)
            for _ in range(steps - 1)]
        inputs['encoder'] = tuple(seq + [feat])
    return {k: v for k, v in inputs.items() if v is not None}
