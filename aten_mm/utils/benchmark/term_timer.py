"""Time the Eq.-8 terms inside a model's real inference (paper §4.5).

The terms and their units are those of :mod:`.cost_model`.
"""
import time
from typing import Dict

import torch
from torch import nn

from .cost_model import TERMS


class TermTimer:
    """Time the Eq.-8 terms inside a model's real inference.

    Wraps (as instance attributes, undone by :meth:`remove`) the model's
    ``detector.extract_feat`` (N_feat; units = images), ``motion.forward``
    (F; units = image pairs), ``align`` (F + W; W = align - F, units =
    warped maps), ``encoder.forward`` (GRU; units = calls) and
    ``detector.predict_from_feat`` (N_parse; units = frames; with
    ``propagate_heads`` also ``detector.head_maps``, no units). For a
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
        if hasattr(det, 'head_maps'):
            # a key's head maps (propagate_heads) are N_parse time of the
            # frames that use them; the frames are counted by
            # predict_from_feat
            self._wrap(det, 'head_maps', 'N_parse', lambda *a, **k: 0)
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
