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
from typing import Dict, Optional

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



def config_schedule(path: str) -> Dict:
    """``l`` and ``p`` of a config without building its model.

    Args:
        path (str): Config file.

    Returns:
        dict: ``l`` (``key_interval``, 1 for the per-frame model) and ``p``
        (``num_refs``, 0 when absent).
    """
    from aten_mm.apis.config import load_config
    model = load_config(path, check_keys=False).model
    return dict(l=int(model.get('key_interval', 1)),
                p=int(model.get('num_refs', 0) or 0))
