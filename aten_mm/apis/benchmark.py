"""Speed benchmark of stream inference and the paper's cost model (Eq. 8).

The paper (§4.5, Eq. 8-9) compares the cost of ATEN on one segment of
``l`` frames with the per-frame model's ``l·(N_feat + N_parse)``. Per
segment ATEN runs

* ``N_feat`` once (the key frame; the reference keys' raw features are
  cached in stream mode),
* the flow net ``F`` for the ``p`` reference keys (to the key) and for the
  ``l - 1`` non-key frames (to the key): ``(l - 1 + p)`` image pairs,
* the warp ``W`` (FlowWarp ⊙ scale field) as often: ``(l - 1 + p)``,
* the encoder ``GRU`` once (``p > 0`` only),
* the heads ``N_parse`` ``l`` times.

So ``r = [GRU + (l-1+p)·F + (l-1+p)·W + l·N_parse + N_feat] /
[l·(N_feat' + N_parse')]`` where the primed terms are the per-frame
model's, and the predicted speed-up is ``1 / r``. DFF is ``p = 0`` without
encoder; the per-frame model is ``l = 1``, ``p = 0``, no flow.

:class:`TermTimer` measures these terms inside the real stream run by
wrapping the model's own methods (``detector.extract_feat`` = N_feat,
``motion.forward`` = F, ``align`` minus F = W, ``encoder.forward`` = GRU,
``detector.predict_from_feat`` = N_parse). Each term is reported per unit
(per image, per image pair, per warped map, per call) together with the
number of units counted per segment, which must equal the counts above
when nothing is recomputed.
"""
import copy
import datetime
import os
import platform
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import nn

#: The cost-model terms, in the order of the tables.
TERMS = ('N_feat', 'F', 'W', 'GRU', 'N_parse')


def model_schedule(model: nn.Module) -> Dict:
    """Segment length, encoding range and modules of a model.

    Args:
        model (nn.Module): A ``ParsingRCNN`` (per-frame) or a video parser
            (ATEN / DFF: ``key_interval``, ``num_refs``, ``motion``,
            ``encoder``).

    Returns:
        dict: ``l`` (int), ``p`` (int), ``flow`` (bool: a flow net aligns
        features), ``encoder`` (bool), ``compose`` (bool: composed key
        flows) and ``kind`` (``'per-frame'``,
        ``'dff'`` or ``'aten'``).
    """
    if not hasattr(model, 'key_interval'):
        return dict(l=1, p=0, flow=False, encoder=False, kind='per-frame')
    if type(model).__name__ == 'FGFA':
        raise ValueError('benchmark: FGFA has no Eq.-8 cost model (it runs '
                         'N_feat on every frame); benchmark per-frame, DFF '
                         'or ATEN configs')
    lk = int(model.key_interval)
    p = int(getattr(model, 'num_refs', 0))
    flow = (getattr(model, 'motion', None) is not None
            and getattr(model, 'propagate', 'flow') == 'flow')
    enc = getattr(model, 'encoder', None) is not None and p > 0
    kind = 'aten' if enc else ('dff' if lk > 1 else 'per-frame')
    compose = bool(getattr(model, 'compose_flows', False)) and flow
    return dict(l=lk, p=p, flow=flow, encoder=enc, kind=kind,
                compose=compose)


def eq8_counts(key_interval: int, p: int, flow: bool = True,
               encoder: Optional[bool] = None,
               compose: bool = False) -> Dict[str, int]:
    """Units of each term per segment of ``l`` frames (paper Eq. 8).

    Args:
        key_interval (int): Segment length l (1 for the per-frame model).
        p (int): Encoding range (number of reference keys; 0 for DFF).
        flow (bool): Whether features are aligned by the flow net
            (False: the ``propagate='none'`` ablation, no F and W).
        encoder (bool, optional): Whether the encoder runs; defaults to
            ``p > 0``.
        compose (bool): Reference-key flows composed from earlier ones
            (ATEN ``compose_flows``): one FlowNet pass per key instead
            of p, so ``F`` is ``l - 1 + min(p, 1)``; ``W`` is unchanged.

    Returns:
        dict[str, int]: ``N_feat`` 1, ``F`` and ``W`` ``l - 1 + p`` (0
        without flow), ``GRU`` 1 with an encoder else 0, ``N_parse`` l.
    """
    lk = int(key_interval)
    if lk < 1 or p < 0:
        raise ValueError(f'eq8_counts: expected l >= 1 and p >= 0, got '
                         f'l={lk}, p={p}')
    if encoder is None:
        encoder = p > 0
    pairs = (lk - 1 + p) if flow else 0
    flows = (lk - 1 + min(p, 1)) if flow and compose else pairs
    return dict(N_feat=1, F=flows, W=pairs, GRU=int(bool(encoder)),
                N_parse=lk)


def eq8_ratio(terms: Dict[str, float], key_interval: int, p: int,
              baseline: Optional[Dict[str, float]] = None,
              flow: bool = True, encoder: Optional[bool] = None,
              compose: bool = False) -> float:
    """Cost ratio r of Eq. 8 (model / per-frame, per segment).

    ``r = [GRU + (l-1+p)·F + (l-1+p)·W + l·N_parse + N_feat] /
    [l·(N_feat' + N_parse')]``.

    Args:
        terms (dict[str, float]): Per-unit times of the model (ms):
            ``N_feat`` per image, ``F`` per image pair, ``W`` per warped
            map, ``GRU`` per call, ``N_parse`` per frame. Missing terms
            count 0.
        key_interval (int): Segment length l.
        p (int): Encoding range.
        baseline (dict[str, float], optional): The per-frame model's
            ``N_feat'`` and ``N_parse'`` (denominator); defaults to
            ``terms``.
        flow (bool): See :func:`eq8_counts`.
        encoder (bool, optional): See :func:`eq8_counts`.
        compose (bool): See :func:`eq8_counts`.

    Returns:
        float: r; the predicted speed-up is ``1 / r``.
    """
    counts = eq8_counts(key_interval, p, flow, encoder, compose)
    base = terms if baseline is None else baseline
    num = sum(counts[k] * float(terms.get(k, 0.0)) for k in TERMS)
    den = key_interval * (float(base.get('N_feat', 0.0)) +
               float(base.get('N_parse', 0.0)))
    if den <= 0:
        raise ValueError('eq8_ratio: the per-frame cost N_feat + N_parse '
                         f'must be > 0, got {base}')
    return num / den


def predicted_speedup(terms: Dict[str, float], key_interval: int,
                      p: int,
                      baseline: Optional[Dict[str, float]] = None,
                      flow: bool = True,
                      encoder: Optional[bool] = None,
                      compose: bool = False) -> float:
    """Speed-up over the per-frame model predicted by Eq. 8: ``1 / r``.

    Args: see :func:`eq8_ratio`.

    Returns:
        float: ``1 / eq8_ratio(...)``.
    """
    return 1.0 / eq8_ratio(terms, key_interval, p, baseline, flow, encoder,
                           compose)


class TermTimer:
    """Time the Eq.-8 terms inside a model's real inference.

    Wraps (as instance attributes, undone by :meth:`remove`) the model's
    ``detector.extract_feat`` (N_feat; units = images), ``motion.forward``
    (F; units = image pairs), ``align`` (F + W; W = align - F, units =
    warped maps), ``encoder.forward`` (GRU; units = calls) and
    ``detector.predict_from_feat`` (N_parse; units = frames). For a
    per-frame ``ParsingRCNN`` the model is its own detector.

    Args:
        model (nn.Module): Per-frame ``ParsingRCNN`` or ATEN / DFF.
    """

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self._patched = []
        self.reset()
        det = getattr(model, 'detector', model)
        self._wrap(det, 'extract_feat', 'N_feat', _batch_units)
        self._wrap(det, 'predict_from_feat', 'N_parse', _batch_units)
        motion = getattr(model, 'motion', None)
        if motion is not None:
            self._wrap(motion, 'forward', 'F', _batch_units)
        if hasattr(model, 'align'):
            self._wrap(model, 'align', '_align', _batch_units)
        encoder = getattr(model, 'encoder', None)
        if encoder is not None:
            self._wrap(encoder, 'forward', 'GRU', lambda *a, **k: 1)

    def reset(self) -> None:
        """Zero the accumulated times (s) and unit counts."""
        self.seconds = dict.fromkeys(TERMS + ('_align', ), 0.0)
        self.units = dict.fromkeys(TERMS + ('_align', ), 0)

    def _wrap(self, obj, name: str, term: str, units_fn) -> None:
        orig = getattr(obj, name)
        had_attr = name in vars(obj)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            out = orig(*args, **kwargs)
            self.seconds[term] += time.perf_counter() - start
            self.units[term] += units_fn(*args, **kwargs)
            return out

        setattr(obj, name, timed)
        self._patched.append((obj, name, orig, had_attr))

    def remove(self) -> None:
        """Restore the wrapped methods."""
        for obj, name, orig, had_attr in reversed(self._patched):
            if had_attr:
                setattr(obj, name, orig)
            else:
                delattr(obj, name)
        self._patched = []

    def totals_ms(self) -> Dict[str, float]:
        """Total time of each term (ms) since :meth:`reset`."""
        sec = dict(self.seconds)
        sec['W'] = max(0.0, sec.pop('_align') - sec['F'])
        return {k: 1000.0 * sec[k] for k in TERMS}

    def unit_counts(self) -> Dict[str, int]:
        """Units of each term since :meth:`reset` (W: warped maps)."""
        units = dict(self.units)
        units['W'] = units.pop('_align')
        return {k: units[k] for k in TERMS}

    def per_unit_ms(self) -> Dict[str, float]:
        """Mean time of one unit of each term (ms; 0 when never run)."""
        tot, cnt = self.totals_ms(), self.unit_counts()
        return {k: (tot[k] / cnt[k] if cnt[k] else 0.0) for k in TERMS}


def _batch_units(first, *args, **kwargs) -> int:
    """Number of images / pairs / maps in the first tensor argument."""
    return int(first.shape[0]) if torch.is_tensor(first) else 1


def build_samples(frames: Sequence[np.ndarray], preprocessor: nn.Module,
                  video_id: str = 'benchmark') -> List:
    """Preprocess BGR frames into stream inputs (outside the timing).

    Args:
        frames (Sequence[np.ndarray]): ``(H, W, 3)`` uint8 BGR frames of
            one video, in order.
        preprocessor (nn.Module): The model's ``VideoDataPreprocessor``.
        video_id (str): Video name of the stream.

    Returns:
        list[tuple[Tensor, DetDataSample]]: Per frame the preprocessed
        ``(1, 1, 3, Hp, Wp)`` input and its data sample (stream-item
        metainfo of docs/interfaces.md).
    """
    from mmdet.structures import DetDataSample
    n = len(frames)
    out = []
    for t, frame in enumerate(frames):
        h, w = frame.shape[:2]
        sample = DetDataSample(metainfo=dict(
            img_shape=(h, w), ori_shape=(h, w), scale_factor=(1.0, 1.0),
            video_id=video_id, video_length=n, frame_id=t, frame_index=t,
            key_frame_index=t, ref_frame_indices=[],
            clip_frame_indices=[t], degraded=False, flip=False,
            flip_direction=None, img_path=None, stream=True))
        img = torch.from_numpy(np.ascontiguousarray(frame)).permute(2, 0, 1)
        data = preprocessor(
            dict(inputs=[img[None]], data_samples=[sample]), False)
        inputs = data['inputs']
        if inputs.dim() == 4:
            inputs = inputs[:, None]
        out.append((inputs, data['data_samples'][0]))
    return out


class StreamRun:
    """Stream inference of one model over ``samples``, one frame per
    :meth:`step`, timing the frames after warm-up.

    Frames are fed one per call to ``model.predict`` (``F = 1``: stream
    mode of the video models, a plain image for the per-frame model), in
    order. The first ``warmup`` frames are not timed; ``warmup`` should be
    a multiple of ``l`` that covers the start-up delay (``(p + 1)·l``
    frames) so that the timed frames are whole steady-state segments.
    Several runs can be stepped in turn (round robin), so that a changing
    machine load affects every model alike.

    Args:
        model (nn.Module): Model in eval mode.
        samples (list): From :func:`build_samples` (fresh data samples).
        warmup (int): Untimed leading frames.
        channels_last (bool): Feed channels-last frames (convert the
            model with ``model.to(memory_format=torch.channels_last)``).
        inference_mode (bool): ``torch.inference_mode`` instead of
            ``torch.no_grad`` (what mmengine's test loop uses).
    """

    def __init__(self, model: nn.Module, samples: List, warmup: int,
                 channels_last: bool = False,
                 inference_mode: bool = False) -> None:
        if not 0 <= warmup < len(samples):
            raise ValueError(f'run_stream: warmup must be in [0, '
                             f'{len(samples)}), got {warmup}')
        self.model, self.samples, self.warmup = model, samples, warmup
        self.channels_last = channels_last
        self.ctx = torch.inference_mode if inference_mode else torch.no_grad
        self.timer = TermTimer(model)
        self.pos, self.seconds, self.emitted = 0, 0.0, 0

    @property
    def done(self) -> bool:
        """Whether every frame was fed."""
        return self.pos >= len(self.samples)

    def step(self) -> None:
        """Feed the next frame (timed after the warm-up)."""
        inputs, sample = self.samples[self.pos]
        if self.pos == self.warmup:
            self.timer.reset()
            self.seconds, self.emitted = 0.0, 0
        if self.channels_last:  # (1, 1, 3, H, W), NHWC frames
            inputs = inputs[:, 0].contiguous(
                memory_format=torch.channels_last)[:, None]
        start = time.perf_counter()
        with self.ctx():
            emitted = len(self.model.predict(inputs, [sample]))
        self.seconds += time.perf_counter() - start
        self.emitted += emitted
        self.pos += 1
        if self.done:
            self.timer.remove()

    def result(self) -> Dict:
        """Timing of the frames after warm-up.

        Returns:
            dict: ``frames`` (timed), ``seconds``, ``fps``, ``outputs``
            (results emitted in the timed part), and of
            :class:`TermTimer` ``totals_ms``, ``units`` and ``terms_ms``
            (per unit).
        """
        frames = self.pos - self.warmup
        return dict(frames=frames, seconds=self.seconds,
                    fps=frames / self.seconds, outputs=self.emitted,
                    totals_ms=self.timer.totals_ms(),
                    units=self.timer.unit_counts(),
                    terms_ms=self.timer.per_unit_ms())


def run_stream(model: nn.Module, samples: List, warmup: int,
               channels_last: bool = False,
               inference_mode: bool = False) -> Dict:
    """Run :class:`StreamRun` to the end; see it for the arguments.

    Returns:
        dict: :meth:`StreamRun.result`.
    """
    run = StreamRun(model, samples, warmup, channels_last, inference_mode)
    while not run.done:
        run.step()
    return run.result()


def run_interleaved(runs: List[StreamRun]) -> List[Dict]:
    """Step several :class:`StreamRun` in turn, one frame each per round.

    Args:
        runs (list[StreamRun]): Runs over the same frames.

    Returns:
        list[dict]: :meth:`StreamRun.result` of each run.
    """
    while not all(r.done for r in runs):
        for run in runs:
            if not run.done:
                run.step()
    return [r.result() for r in runs]


def steady_warmup(schedule: Dict, warmup: int) -> int:
    """Smallest multiple of ``l`` >= ``max(warmup, (p + 1)·l)``.

    Args:
        schedule (dict): From :func:`model_schedule`.
        warmup (int): Requested warm-up frames.

    Returns:
        int: Warm-up frames that end at a segment boundary after the
        stream's start-up delay.
    """
    lk, p = schedule['l'], schedule['p']
    need = max(int(warmup), (p + 1) * lk)
    return -(-need // lk) * lk


def summarize(result: Dict, schedule: Dict,
              baseline_terms: Optional[Dict[str, float]] = None) -> Dict:
    """Add the Eq.-8 prediction and the per-segment unit counts.

    Args:
        result (dict): From :func:`run_stream`.
        schedule (dict): From :func:`model_schedule`.
        baseline_terms (dict, optional): Per-frame ``terms_ms``.

    Returns:
        dict: ``result`` plus ``eq8_counts`` (expected units per segment),
        ``units_per_segment`` (measured), ``speedup_predicted`` (when a
        baseline is given), ``segment_ms_predicted`` (Eq. 8 numerator from
        the measured terms) and ``segment_ms_measured`` (wall time per
        segment), and ``overhead_ms`` per frame (wall time outside the
        terms).
    """
    res = copy.deepcopy(result)
    lk, p = schedule['l'], schedule['p']
    compose = schedule.get('compose', False)
    counts = eq8_counts(lk, p, schedule['flow'], schedule['encoder'],
                        compose)
    segments = res['frames'] / lk
    res['eq8_counts'] = counts
    res['units_per_segment'] = {
        k: res['units'][k] / segments for k in TERMS}
    res['segment_ms_predicted'] = sum(
        counts[k] * res['terms_ms'][k] for k in TERMS)
    res['segment_ms_measured'] = 1000.0 * res['seconds'] / segments
    res['overhead_ms_per_frame'] = (
        1000.0 * res['seconds'] - sum(res['totals_ms'].values())
    ) / res['frames']
    if baseline_terms is not None:
        res['speedup_predicted'] = predicted_speedup(
            res['terms_ms'], lk, p, baseline_terms, schedule['flow'],
            schedule['encoder'], compose)
    return res


def machine_info(threads: int) -> dict:
    """CPU model, cores, threads, torch version and date."""
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return dict(cpu=cpu, cpu_count=os.cpu_count(), threads=threads,
                torch=torch.__version__, python=platform.python_version(),
                date=datetime.datetime.now().isoformat(timespec='seconds'))
