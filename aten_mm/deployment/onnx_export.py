"""Export a parser's tensor graphs to ONNX, each checked against PyTorch.

:func:`export_checked` writes a graph only after ONNX Runtime reproduced
the PyTorch outputs on every check input within the tolerance
``|ort - torch| <= atol + rtol * max|torch|`` (per output; defaults
``atol = 1e-4``, ``rtol = 1e-4``: float32 kernels of two libraries agree to
about 1e-6 relative, a wrong graph differs by O(1)). The graph is written
to a hidden temporary file next to its destination and renamed at the
end, so a graph that fails its check never appears under the final name.

:func:`export_model` exports every part of :mod:`.graphs` a model has and
writes ``manifest.json`` (input size, names, check results) beside them;
the ONNX Runtime backend (:mod:`.ort_backend`) reads it back.
"""
import contextlib
import json
import os
import os.path as osp
import tempfile
import warnings
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from torch import Tensor

from .fingerprint import FINGERPRINT_FORMAT, module_fingerprint
from .graphs import (
    HEADS,
    EncoderGraph,
    FeatGraph,
    HeadGraph,
    MotionGraph,
    WarpGraph,
    encoder_steps,
    example_inputs,
    find_heads,
    find_parts,
    graph_sources,
)
from .winograd import winograd_convs

#: ONNX opset: ``grid_sample`` (the warp W) exports from opset 16.
OPSET = 17
ATOL = 1e-4
RTOL = 1e-4
MANIFEST = 'manifest.json'


class GraphCheckError(ValueError):
    """An exported graph does not reproduce its PyTorch module."""


def ort_session(path: Union[str, bytes], threads: Optional[int] = None):
    """An ONNX Runtime CPU session on ``path`` (a file, or a serialized
    model) with ``threads`` threads.

    The session's threads do not spin-wait for work after a run
    (``session.intra_op.allow_spinning = 0``): the backend alternates ONNX
    Runtime graphs with PyTorch code (NMS, the fusion) on the
    same cores, and threads left spinning after each graph take those
    cores from PyTorch (docs/deployment.md measures it).

    Args:
        path (str | bytes): ``.onnx`` file or serialized model.
        threads (int, optional): Intra-op threads; PyTorch's count if None.

    Returns:
        onnxruntime.InferenceSession: The session.
    """
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or torch.get_num_threads()
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    opts.add_session_config_entry('session.intra_op.allow_spinning', '0')
    return ort.InferenceSession(path, opts,
                                providers=['CPUExecutionProvider'])


def run_session(sess, inputs: Sequence[Tensor]) -> List[np.ndarray]:
    """Run ``sess`` on tensors given in its input order."""
    names = [i.name for i in sess.get_inputs()]
    feed = {n: t.detach().cpu().numpy() for n, t in zip(names, inputs)}
    return sess.run(None, feed)


def max_abs_diff(ref: Sequence[Tensor],
                 out: Sequence[np.ndarray]) -> Tuple[float, bool]:
    """Largest ``|out - ref|`` over all outputs, and whether every output
    stays within ``atol + rtol * max|ref|`` (a shape mismatch fails)."""
    worst, ok = 0.0, len(ref) == len(out)
    for r, o in zip(ref, out):
        r = r.detach().cpu().numpy()
        if r.shape != o.shape:
            return float('inf'), False
        diff = float(np.abs(r - o).max()) if r.size else 0.0
        limit = ATOL + RTOL * (float(np.abs(r).max()) if r.size else 0.0)
        worst = max(worst, diff)
        ok = ok and diff <= limit
    return worst, ok


def _as_tuple(out) -> Tuple[Tensor, ...]:
    return tuple(out) if isinstance(out, (tuple, list)) else (out, )


def export_checked(module: nn.Module, inputs: Tuple[Tensor, ...],
                   path: str, input_names: Sequence[str],
                   output_names: Sequence[str],
                   checks: Sequence[Tuple[Tensor, ...]] = (),
                   dynamic_batch: bool = True,
                   trace_context=None) -> List[float]:
    """Export ``module`` to ``path`` if ONNX Runtime reproduces it.

    Args:
        module (nn.Module): Tensor-only module, in eval mode.
        inputs (tuple[Tensor]): Example inputs the graph is traced with.
        path (str): Destination ``.onnx`` file.
        input_names (list[str]): One name per input.
        output_names (list[str]): One name per output.
        checks (list[tuple[Tensor]]): More input tuples to compare on (the
            tracing inputs are always compared).
        dynamic_batch (bool): Keep axis 0 of every input/output dynamic.
        trace_context (Callable, optional): ``trace_context(module)`` is
            a context manager entered only around the tracing (e.g.
            :func:`.winograd.winograd_convs`): the graph then computes
            with what it swaps in, and is still compared with ``module``
            as it is outside it.

    Returns:
        list[float]: The max abs difference of each check.

    Raises:
        GraphCheckError: When a check fails; nothing is written at
            ``path`` then.
    """
    axes = None
    if dynamic_batch:
        axes = {n: {0: 'batch'} for n in (*input_names, *output_names)}
    folder = osp.dirname(osp.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.tmp-', suffix='.onnx', dir=folder)
    os.close(fd)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # tracing warns about every Python shape check it freezes; the
            # comparison below is what tells whether the graph is right
            warnings.simplefilter('ignore', torch.jit.TracerWarning)
            tracing = (trace_context(module) if trace_context is not None
                       else contextlib.nullcontext())
            with tracing:
                torch.onnx.export(
                    module, inputs, tmp, input_names=list(input_names),
                    output_names=list(output_names), dynamic_axes=axes,
                    opset_version=OPSET, do_constant_folding=True,
                    dynamo=False)
            sess = ort_session(tmp)
            diffs = []
            for args in (inputs, *checks):
                ref = _as_tuple(module(*args))
                diff, ok = max_abs_diff(ref, run_session(sess, args))
                diffs.append(diff)
                if not ok:
                    raise GraphCheckError(
                        f'{osp.basename(path)}: ONNX Runtime differs from '
                        f'PyTorch by {diff:.3g}, over the tolerance '
                        f'{ATOL:g} + {RTOL:g} * max|torch|; the graph was '
                        'not written')
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    return diffs


def export_model(model: nn.Module, out_dir: str, frames: Sequence[Tensor],
                 log=print,
                 int8_calib: Optional[Sequence[Tensor]] = None,
                 winograd: Optional[int] = None) -> Dict:
    """Export every tensor graph of ``model`` into ``out_dir``.

    Args:
        model (nn.Module): Per-frame or video parser, eval mode.
        out_dir (str): Folder for ``<part>.onnx`` and ``manifest.json``.
        frames (list[Tensor]): At least two preprocessed frames
            ``(1, 3, H, W)`` of one size: a real one first, then a random
            one; every graph is checked on each (and on a batch of two).
        log (Callable): Receives one line per graph.
        int8_calib (list[Tensor], optional): Preprocessed frames to
            calibrate an int8 N_feat on (:mod:`.int8`); the manifest's
            ``feat`` is then ``feat_int8.onnx``, checked on the real frame
            (``frames[0]``), and ``feat.onnx`` stays beside it.
        winograd (int, optional): Trace the 3 x 3 convolutions with at
            least this many input and output channels as Winograd
            F(4x4, 3x3) (:mod:`.winograd`); each graph is still checked
            against the model's direct convolutions. None (default):
            direct convolutions. Not with ``int8_calib``.

    Returns:
        dict: The manifest written to ``out_dir/manifest.json``.
    """
    if len(frames) < 2:
        raise ValueError('export_model needs at least two frames')
    if winograd is not None and int8_calib:
        raise GraphCheckError('Winograd convolutions and an int8 N_feat '
                              'are two alternatives; choose one')
    os.makedirs(out_dir, exist_ok=True)
    shape = tuple(frames[0].shape[-2:])
    model.eval()
    parts = {k: v[2] for k, v in find_parts(model).items()}
    sources = graph_sources(model)
    with torch.no_grad():
        feats = [parts['feat'].extract_feat(f) for f in frames]
        sets = [example_inputs(model, feats[i], frames[i],
                               frames[(i + 1) % len(frames)])
                for i in range(len(frames))]
    graphs = {'feat': (FeatGraph(parts['feat']), ['img'], ['feat'])}
    if 'motion' in parts:
        outs = ['flow']
        if getattr(parts['motion'], 'scale_head', None) is not None:
            outs.append('scale')
        graphs['motion'] = (MotionGraph(parts['motion']), ['cur', 'ref'],
                            outs)
        graphs['warp'] = (WarpGraph(), ['feat', 'flow'], ['warped'])
    steps = encoder_steps(model)
    if steps:
        graphs['encoder'] = (EncoderGraph(parts['encoder'], steps),
                             [f'feat_{i}' for i in range(steps)], ['enc'])
    for name, head in find_heads(model).items():
        _, method, in_name, outs = HEADS[name]
        graphs[name] = (HeadGraph(head, method), [in_name], outs)
    manifest = {'input_shape': list(shape), 'opset': OPSET,
                'tolerance': {'atol': ATOL, 'rtol': RTOL},
                'encoder_steps': steps,
                'fingerprint_format': FINGERPRINT_FORMAT, 'graphs': {}}
    for name, (module, ins, outs) in graphs.items():
        first, *rest = [s[name] for s in sets]
        batch = tuple(torch.cat([a, b]) for a, b in zip(first, rest[0]))
        used = []

        @contextlib.contextmanager
        def tracing(mod):
            with winograd_convs(mod, winograd) as convs:
                yield
            used.extend(c for c in convs if c.applied)

        diffs = export_checked(module.eval(), first,
                               osp.join(out_dir, f'{name}.onnx'), ins,
                               outs, checks=[*rest, batch],
                               trace_context=(None if winograd is None
                                              else tracing))
        manifest['graphs'][name] = {
            'file': f'{name}.onnx', 'inputs': ins, 'outputs': outs,
            'max_abs_diff': max(diffs)}
        if winograd is not None:
            manifest['graphs'][name]['winograd_convs'] = len(used)
        if name in sources:
            manifest['graphs'][name]['fingerprint'] = module_fingerprint(
                sources[name])
        log(f'{name}.onnx: max |onnxruntime - torch| = {max(diffs):.3g} '
            f'over {len(diffs)} checks')
    if int8_calib:
        from .int8 import INT8_RTOL, quantize_checked
        errors = quantize_checked(
            graphs['feat'][0], osp.join(out_dir, 'feat.onnx'),
            osp.join(out_dir, 'feat_int8.onnx'), int8_calib, frames[:1],
            input_name=graphs['feat'][1][0])
        manifest['graphs']['feat'].update(
            file='feat_int8.onnx', precision='int8', fp32_file='feat.onnx',
            calibration_frames=len(int8_calib), int8_rel_err=max(errors),
            int8_rtol=INT8_RTOL)
        log(f'feat_int8.onnx: relative error to torch {max(errors):.3g} '
            f'(calibrated on {len(int8_calib)} frames; N_feat runs in int8)')
    with open(osp.join(out_dir, MANIFEST), 'w') as f:
        json.dump(manifest, f, indent=2)
    return manifest


def preprocess_frame(model: nn.Module, frame_bgr: np.ndarray) -> Tensor:
    """A BGR frame through the config's test pipeline and the model's data
    preprocessor: the ``(1, 3, H, W)`` input the graphs see.

    Args:
        model (nn.Module): From :func:`aten_mm.apis.init_model`.
        frame_bgr (np.ndarray): ``(h, w, 3)`` uint8 frame.

    Returns:
        Tensor: ``(1, 3, H, W)`` normalised and padded frame.
    """
    from aten_mm.apis.inference import build_frame_pipeline, frame_results
    data = build_frame_pipeline(model.cfg)(
        frame_results(frame_bgr, 0, 'export', 1))
    batch = model.data_preprocessor(
        dict(inputs=[data['inputs']], data_samples=[data['data_samples']]),
        False)
    inputs = batch['inputs']
    return inputs.reshape(-1, *inputs.shape[-3:])[:1]


def check_frames(model: nn.Module, frame_bgr: np.ndarray,
                 seed: int = 0) -> List[Tensor]:
    """A real and a random input of the same size for :func:`export_model`.

    Args:
        model (nn.Module): From :func:`aten_mm.apis.init_model`.
        frame_bgr (np.ndarray): The real frame (any size: the test
            pipeline resizes it as it would a video frame).
        seed (int): Seed of the random frame.

    Returns:
        list[Tensor]: ``[real, random]``, each ``(1, 3, H, W)``.
    """
    real = preprocess_frame(model, frame_bgr)
    gen = torch.Generator().manual_seed(seed)
    noise = torch.randint(0, 256, frame_bgr.shape, generator=gen,
                          dtype=torch.uint8).numpy()
    return [real, preprocess_frame(model, noise)]


def synthetic_frame(width: int = 1280, height: int = 720,
                    seed: int = 0) -> np.ndarray:
    """One rendered frame of the synthetic generator (people on texture);
    ``seed`` picks the scene."""
    from aten_mm.datasets.synthetic.generator import make_video
    from aten_mm.datasets.synthetic.scene import render_image, render_labels
    video = make_video(seed, 0, (width, height), 1)
    cat, hum, poses = render_labels(video, 0)
    return render_image(video, 0, cat, hum, poses,
                        np.random.default_rng([seed, 0, 2, 0]))


def read_frame(path: str) -> np.ndarray:
    """A BGR frame from any path (non-UTF-8 names included)."""
    import cv2
    data = np.fromfile(path, dtype=np.uint8) if osp.isfile(path) else None
    img = None
    if data is not None and data.size:
        img = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if img is None:
        raise GraphCheckError(f'{path}: not a readable image file')
    return img


def export_config(config: str, checkpoint: Optional[str], out_dir: str,
                  frame_size: Optional[Sequence[int]] = None,
                  image: Optional[str] = None, overwrite: bool = False,
                  cfg_options: Optional[dict] = None, log=print,
                  int8_frames: int = 0, seed: int = 0,
                  winograd: Optional[int] = None) -> Dict:
    """Build a model from ``config`` + ``checkpoint`` and export it.

    Args:
        config (str): Config file.
        checkpoint (str, optional): Checkpoint; None or ``'none'`` for
            random weights: ``torch.manual_seed(seed)`` and the components'
            initialisers, as ``tools/analysis_tools/benchmark.py`` builds
            them, so its ``--checkpoint none --onnx-dir`` rows run the same
            weights as its PyTorch rows.
        out_dir (str): Destination folder.
        frame_size (tuple, optional): ``(H, W)`` of the videos to serve;
            defaults to 720 x 1280. The test pipeline turns it into the
            network input size the graphs are traced at.
        image (str, optional): A real frame to check on (resized to
            ``frame_size``); defaults to a rendered synthetic frame.
        overwrite (bool): Replace an earlier export in ``out_dir``.
        cfg_options (dict, optional): Config overrides.
        log (Callable): Progress lines.
        int8_frames (int): When > 0, also write an int8 N_feat calibrated
            on this many rendered synthetic frames (:mod:`.int8`) and
            make it the graph the backend runs.
        seed (int): Seed of the random weights (no checkpoint).
        winograd (int, optional): Trace the 3 x 3 convolutions with at
            least this many input and output channels as Winograd
            F(4x4, 3x3) (:mod:`.winograd`). Not with ``int8_frames``.

    Returns:
        dict: The manifest.
    """
    import cv2

    from aten_mm.apis.inference import init_model
    if osp.exists(out_dir) and not osp.isdir(out_dir):
        raise GraphCheckError(f'--out-dir {out_dir}: exists and is not a '
                              'folder')
    manifest = osp.join(out_dir, MANIFEST)
    if osp.exists(manifest) and not overwrite:
        raise GraphCheckError(f'{manifest} exists; pass --overwrite to '
                              'replace the graphs in that folder')
    if winograd is not None and int8_frames:
        raise GraphCheckError('--winograd and --int8 are two alternatives '
                              'for N_feat; choose one')
    h, w = frame_size or (720, 1280)
    if h < 32 or w < 32:
        raise GraphCheckError(f'--shape {h} {w}: both sides must be >= 32')
    if checkpoint == 'none':
        checkpoint = None
    if checkpoint is None:
        torch.manual_seed(seed)
    model = init_model(config, checkpoint, device='cpu',
                       cfg_options=cfg_options,
                       init_weights=checkpoint is None)
    frame = read_frame(image) if image else synthetic_frame(w, h)
    frame = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA)
    frames = check_frames(model, frame)
    # scenes of seeds no data set of the docs uses (0-2 and the study)
    calib = [preprocess_frame(model, synthetic_frame(w, h, seed=1000 + i))
             for i in range(int8_frames)]
    log(f'exporting at network input size {tuple(frames[0].shape[-2:])} '
        f'into {out_dir}')
    return export_model(model, out_dir, frames, log=log, int8_calib=calib,
                        winograd=winograd)
