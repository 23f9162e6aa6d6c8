"""ONNX Runtime backend: a parser whose dense networks run as ONNX graphs.

:func:`use_onnxruntime` swaps, inside a built model, N_feat (the
detector's ``extract_feat``), FlowNet-S, the recurrent temporal encoder
and the dense parts of N_parse (the global parsing head's convs, the RPN
head's convs, the box and mask heads' towers) for callables that run the
graphs of :func:`.onnx_export.export_model`. Everything else (the frame
plan, the stream engine, the warp, anchor decoding, NMS, mask pasting and
the person/part fusion) is the unchanged PyTorch code, except that the
RPN's proposal selection takes its ``nms_pre`` best anchors with ``topk``
instead of a full sort (:mod:`.rpn_topk`: same candidates, same order, 25x
less time on a CPU) and RoIAlign runs as ONNX Runtime's ``RoiAlign``
operator (:mod:`.ort_roi_align`: the same numbers, on all threads), so
clip and stream inference, ``test_step`` and every tool work as before.

Graphs come from ``onnx_dir`` (written by ``tools/deployment/
export_onnx.py``), or are exported into a temporary folder at the first
frame when no folder is given (the frame size is only known then: the
graphs are traced at one input size).
"""
import json
import os.path as osp
import tempfile
import warnings
from typing import Callable, Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor

from .fingerprint import FINGERPRINT_FORMAT, module_fingerprint
from .graphs import HEADS, find_heads, find_parts, graph_sources
from .onnx_export import MANIFEST, export_model, ort_session, run_session
from .ort_roi_align import OrtRoIAlign, roi_align_graph
from .rpn_topk import TopkProposals

BACKENDS = ('pytorch', 'onnxruntime')


class OnnxBackendError(ValueError):
    """The ONNX graphs do not fit the model or the input."""


class _Graph:
    """A session and the input size it was traced at."""

    def __init__(self, path: str, shape: Sequence[int]) -> None:
        self.sess = ort_session(path)
        self.shape = tuple(shape)

    def __call__(self, *inputs: Tensor) -> List[Tensor]:
        outs = run_session(self.sess, inputs)
        return [torch.from_numpy(o) for o in outs]


class OrtFeat:
    """``extract_feat`` of the detector on ONNX Runtime (N_feat, §4.5).

    Args:
        backend (OnnxRuntimeBackend): Owner of the sessions.
        torch_fn (Callable): The PyTorch ``extract_feat`` it replaces.
    """

    def __init__(self, backend: 'OnnxRuntimeBackend',
                 torch_fn: Callable) -> None:
        self.backend = backend
        self.torch_fn = torch_fn

    def __call__(self, imgs: Tensor) -> Tensor:
        if imgs.dim() == 5 and imgs.size(1) == 1:
            imgs = imgs[:, 0]
        graph = self.backend.graph('feat', imgs)
        return graph(imgs)[0]


class OrtMotion(nn.Module):
    """FlowNet-S (flow and scale field, Eq. 3/6) on ONNX Runtime."""

    def __init__(self, backend: 'OnnxRuntimeBackend',
                 module: nn.Module) -> None:
        super().__init__()
        self.backend = backend
        self.torch_module = module
        self.scale_head = getattr(module, 'scale_head', None)

    def forward(self, cur: Tensor, ref: Tensor):
        outs = self.backend.graph('motion', cur)(cur, ref)
        return outs[0], (outs[1] if len(outs) > 1 else None)


class OrtEncoder(nn.Module):
    """The temporal encoder ε (Eq. 4) on ONNX Runtime for p + 1 inputs.

    Another number of inputs (a video shorter than p + 1 segments) runs
    the PyTorch encoder, whose graph has a different number of steps.
    """

    def __init__(self, backend: 'OnnxRuntimeBackend',
                 module: nn.Module) -> None:
        super().__init__()
        self.backend = backend
        self.torch_module = module

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        if len(feats) != self.backend.manifest_steps():
            return self.torch_module(feats)
        return self.backend.graph('encoder', None)(*feats)[0]


class OrtHead:
    """A dense method of a head of N_parse (§4.3) on ONNX Runtime.

    Replaces, as an instance attribute, e.g. the RPN head's
    ``forward_single``; the head's Python code around it (anchor decoding,
    NMS, RoIAlign, pasting) calls it unchanged. An empty batch (no RoI)
    runs the PyTorch method.

    Args:
        backend (OnnxRuntimeBackend): Owner of the sessions.
        name (str): Graph name (a key of :data:`.graphs.HEADS`).
        torch_fn (Callable): The PyTorch method it replaces.
    """

    def __init__(self, backend: 'OnnxRuntimeBackend', name: str,
                 torch_fn: Callable) -> None:
        self.backend = backend
        self.name = name
        self.torch_fn = torch_fn

    def __call__(self, x: Tensor):
        if x.shape[0] == 0:
            return self.torch_fn(x)
        outs = self.backend.graph(self.name, None)(x)
        return outs[0] if len(outs) == 1 else tuple(outs)


class OnnxRuntimeBackend:
    """The sessions of one model and the swap of its modules.

    Args:
        model (nn.Module): Built parser (eval mode); modified in place.
        onnx_dir (str, optional): Folder with ``manifest.json`` and the
            graphs; None exports them at the first frame (and again for a
            frame of another size) into a temporary folder kept for the
            backend's lifetime.
    """

    def __init__(self, model: nn.Module,
                 onnx_dir: Optional[str] = None) -> None:
        self.model = model
        self.onnx_dir = onnx_dir
        self._tmp = None
        self.manifest: Optional[Dict] = None
        self.graphs: Dict[str, _Graph] = {}
        self.parts = find_parts(model)
        detector = self.parts['feat'][2]
        self._torch_feat = detector.extract_feat
        self._torch_modules = {}
        for name in ('motion', 'encoder'):
            if name in self.parts:
                parent, attr, module = self.parts[name]
                self._torch_modules[name] = (parent, attr, module)
        self._heads = find_heads(model)
        self._roi_layers = self._roi_align_swaps()
        if onnx_dir is not None:
            self._load(onnx_dir)
        self._install()

    # -- sessions ------------------------------------------------------------
    def _load(self, onnx_dir: str, verify: bool = True) -> None:
        path = osp.join(onnx_dir, MANIFEST)
        if not osp.isfile(path):
            raise OnnxBackendError(
                f'{path}: not found; export the graphs first with '
                'tools/deployment/export_onnx.py')
        try:
            with open(path, encoding='utf-8') as f:
                manifest = json.load(f)
        except (OSError, ValueError) as err:
            raise OnnxBackendError(
                f'{path}: not a readable manifest ({err}); export the '
                'graphs again with tools/deployment/export_onnx.py') from None
        if not isinstance(manifest, dict) or not isinstance(
                manifest.get('graphs'), dict) or \
                'input_shape' not in manifest:
            raise OnnxBackendError(
                f'{path}: not a manifest of tools/deployment/export_onnx.py '
                '(it needs "graphs" and "input_shape")')
        missing = [n for n in self._names()
                   if n not in manifest.get('graphs', {})]
        if missing:
            raise OnnxBackendError(
                f'{path}: no graph for {missing} of this model; was it '
                'exported from another config or by an older version? '
                'Export it again with tools/deployment/export_onnx.py')
        if verify:
            self._verify(path, manifest)
        shape = manifest['input_shape']
        graphs = {}
        for name in self._names():
            file = osp.join(onnx_dir, manifest['graphs'][name]['file'])
            try:
                graphs[name] = _Graph(file, shape)
            except Exception as err:  # onnxruntime's own error classes
                reason = str(err).strip().splitlines()[0]
                raise OnnxBackendError(
                    f'{file}: ONNX Runtime cannot load it ({reason}); '
                    'export the graphs again with '
                    'tools/deployment/export_onnx.py') from None
        self.manifest = manifest
        self.graphs = graphs

    def _verify(self, path: str, manifest: Dict) -> None:
        """Refuse graphs traced from other weights or another structure
        than this model's (:func:`.fingerprint.module_fingerprint`)."""
        # called before the ONNX Runtime wrappers are installed: the
        # model's own modules
        sources = graph_sources(self.model)
        found = manifest.get('fingerprint_format')
        if found is not None and found != FINGERPRINT_FORMAT:
            raise OnnxBackendError(
                f'{path}: written by another version of aten_mm '
                f'(fingerprint format {found}, this version reads '
                f'{FINGERPRINT_FORMAT}); export the graphs again with '
                'tools/deployment/export_onnx.py')
        for name in self._names():
            if name not in sources:
                continue
            saved = manifest['graphs'][name].get('fingerprint')
            if saved is None:
                raise OnnxBackendError(
                    f'{path}: graph {name!r} has no fingerprint (an export '
                    'of an older version); export it again with '
                    'tools/deployment/export_onnx.py')
            if saved != module_fingerprint(sources[name]):
                raise OnnxBackendError(
                    f'{path}: graph {name!r} was exported from other '
                    'weights or another config than this model; export '
                    'the graphs again from the same config and checkpoint '
                    'with tools/deployment/export_onnx.py')

    def _names(self) -> List[str]:
        """The graphs this model runs on ONNX Runtime."""
        return ['feat', *self._torch_modules, *self._heads]

    def _export(self, img: Tensor) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix='aten_mm-onnx-')
        gen = torch.Generator().manual_seed(0)
        noise = torch.randn(img[:1].shape, generator=gen) * img.std()
        self._uninstall()
        try:
            export_model(self.model, self._tmp.name, [img[:1], noise],
                         log=lambda line: None)
        finally:
            self._install()
        self._load(self._tmp.name, verify=False)  # traced from self.model

    def graph(self, name: str, x: Optional[Tensor]) -> _Graph:
        """The session of ``name``, checked against the input size.

        Without ``onnx_dir`` the graphs are (re-)exported for the size of
        ``x`` when it differs from the traced one (a new video of another
        size); with ``onnx_dir`` another size is an error.
        """
        if self.manifest is None:
            self._export(x)
        graph = self.graphs[name]
        if x is not None and self.onnx_dir is None and \
                tuple(x.shape[-2:]) != graph.shape:
            self._export(x)
            graph = self.graphs[name]
        if x is not None and tuple(x.shape[-2:]) != graph.shape:
            where = self.onnx_dir or 'the exported graphs'
            raise OnnxBackendError(
                f'{where}: traced at input size {graph.shape}, got '
                f'{tuple(x.shape[-2:])}; export again with --shape '
                f'{x.shape[-2]} {x.shape[-1]}')
        return graph

    def manifest_steps(self) -> Optional[int]:
        """p + 1 of the encoder graph."""
        if self.manifest is None:
            return None
        return self.manifest.get('encoder_steps')

    # -- module swap ---------------------------------------------------------
    def _install(self) -> None:
        detector = self.parts['feat'][2]
        detector.extract_feat = OrtFeat(self, self._torch_feat)
        wrappers = {'motion': OrtMotion, 'encoder': OrtEncoder}
        for name, (parent, attr, module) in self._torch_modules.items():
            setattr(parent, attr, wrappers[name](self, module))
        for name, head in self._heads.items():
            method = HEADS[name][1]
            setattr(head, method, OrtHead(self, name, getattr(head, method)))
        rpn = self._rpn_head()
        if rpn is not None:
            rpn._predict_by_feat_single = TopkProposals(rpn)
        for layers, _, ort_layer in self._roi_layers:
            layers[0] = ort_layer

    def _uninstall(self) -> None:
        detector = self.parts['feat'][2]
        detector.__dict__.pop('extract_feat', None)
        for parent, attr, module in self._torch_modules.values():
            setattr(parent, attr, module)
        for name, head in self._heads.items():
            head.__dict__.pop(HEADS[name][1], None)
        rpn = self._rpn_head()
        if rpn is not None:
            rpn.__dict__.pop('_predict_by_feat_single', None)
        for layers, torch_layer, _ in self._roi_layers:
            layers[0] = torch_layer

    def _roi_align_swaps(self) -> List[tuple]:
        """``(roi_layers, mmcv layer, ONNX Runtime layer)`` of each
        single-level RoI extractor whose RoIAlign has an ONNX equivalent
        (:mod:`.ort_roi_align`)."""
        swaps = []
        roi_head = getattr(self.parts['feat'][2], 'roi_head', None)
        for name in ('bbox_roi_extractor', 'mask_roi_extractor'):
            layers = getattr(getattr(roi_head, name, None), 'roi_layers',
                             None)
            if not isinstance(layers, nn.ModuleList) or len(layers) != 1:
                continue
            graph = roi_align_graph(layers[0])
            if graph is not None:
                swaps.append((layers, layers[0],
                              OrtRoIAlign(layers[0], graph)))
        return swaps

    def _rpn_head(self):
        """mmdet's RPN head of the detector, whose proposal selection
        the backend runs with ``topk`` (:mod:`.rpn_topk`); None if absent."""
        from mmdet.models.dense_heads import RPNHead
        rpn = getattr(self.parts['feat'][2], 'rpn_head', None)
        return rpn if isinstance(rpn, RPNHead) else None


def use_onnxruntime(model: nn.Module,
                    onnx_dir: Optional[str] = None,
                    example: Optional[Tensor] = None) -> nn.Module:
    """Run ``model``'s dense networks on ONNX Runtime (in place).

    Args:
        model (nn.Module): Built parser in eval mode.
        onnx_dir (str, optional): Exported graphs; None exports them into
            a temporary folder, at once from ``example`` if given, else at
            the first frame.
        example (Tensor, optional): A ``(1, 3, H, W)`` (or
            ``(1, 1, 3, H, W)``) preprocessed frame of the input size.

    Returns:
        nn.Module: ``model``, with ``model.onnx_backend`` set.
    """
    try:
        import onnxruntime  # noqa: F401
    except ImportError as e:
        raise OnnxBackendError(
            'the onnxruntime backend needs the packages onnx and '
            'onnxruntime (requirements/runtime.txt)') from e
    if getattr(model, 'onnx_backend', None) is not None:
        warnings.warn('model already runs on ONNX Runtime')
        return model
    backend = OnnxRuntimeBackend(model, onnx_dir)
    if onnx_dir is None and example is not None:
        backend.graph('feat', example.reshape(-1, *example.shape[-3:]))
    object.__setattr__(model, 'onnx_backend', backend)
    return model
