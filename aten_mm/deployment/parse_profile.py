"""Where the time of N_parse goes (§4.3, the heads on F; Eq. 8's N_parse).

:class:`ParseStepTimer` extends the benchmark's :class:`TermTimer` with
the steps of the heads of ``ParsingRCNN.predict_from_feat``: the global
parsing head (its atrous convs, then the upsampling and softmax of the
part map), the RPN (its convs, then anchor decoding and NMS), the RoI
heads (RoIAlign, the box and mask towers, mask pasting) and the
person/part fusion, and with ``propagate_heads`` the key's dense heads
(``head_maps``). :func:`profile_parse` times them inside interleaved
stream runs (the benchmark's), with either backend, so that a step's share
of N_parse is measured on the same frames under the same load for every
row. Shares within one run are what to compare on a loaded machine.
"""
from typing import Dict, List, Optional, Sequence

import torch.nn as nn

from aten_mm.utils.benchmark import TermTimer

#: ``(label, attribute path from the detector, method)``; an indented label
#: is a part of the step above it.
STEPS = (
    ('parsing head', 'parsing_head', 'predict'),
    ('  atrous convs', 'parsing_head', 'forward'),
    ('RPN', 'rpn_head', 'predict'),
    ('  convs', 'rpn_head', 'forward'),
    ('RoI heads', 'roi_head', 'predict'),
    ('  box RoIAlign', 'roi_head.bbox_roi_extractor', 'forward'),
    ('  box tower', 'roi_head.bbox_head', 'forward'),
    ('  mask RoIAlign', 'roi_head.mask_roi_extractor', 'forward'),
    ('  mask tower', 'roi_head.mask_head', 'forward'),
    ('  mask pasting', 'roi_head.mask_head', 'predict_by_feat'),
    ('fusion', '', '_fuse'),
    # propagate_heads: the dense heads run once per key, outside
    # predict_from_feat; their convs are then counted under '  atrous
    # convs' and '  convs' too, not under their parent steps
    ('key head maps', '', 'head_maps'),
)


def _resolve(obj, path: str):
    for attr in filter(None, path.split('.')):
        obj = getattr(obj, attr, None)
    return obj


class ParseStepTimer(TermTimer):
    """:class:`TermTimer` plus the steps of :data:`STEPS` (units: calls).

    Args:
        model (nn.Module): Per-frame ``ParsingRCNN`` or a video parser.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__(model)
        det = getattr(model, 'detector', model)
        self.steps: List[str] = []
        for label, path, method in STEPS:
            obj = _resolve(det, path)
            if obj is not None and hasattr(obj, method):
                self._wrap(obj, method, label, lambda *a, **k: 1)
                self.steps.append(label)

    def reset(self) -> None:
        super().reset()
        for label, _, _ in STEPS:
            self.seconds[label], self.units[label] = 0.0, 0

    def step_shares(self) -> Dict[str, Dict]:
        """Per step: ``share`` of the N_parse time and ``calls``."""
        total = self.seconds['N_parse']
        return {s: dict(share=self.seconds[s] / total if total else 0.0,
                        calls=self.units[s]) for s in self.steps}


def profile_parse(configs: Sequence[str], backends: Sequence[str],
                  frames: int = 6, size: int = 512, warmup: int = 3,
                  checkpoints: Optional[Sequence[Optional[str]]] = None,
                  ) -> List[Dict]:
    """Time the steps of N_parse in interleaved stream runs.

    Args:
        configs (list[str]): Config files (one row each).
        backends (list[str]): ``'pytorch'`` or ``'onnxruntime'`` per row.
        frames (int): Timed frames per row, after the warm-up.
        size (int): Longer side of the synthetic frames.
        warmup (int): Least untimed frames (rounded up to whole segments
            after the stream's start-up delay).
        checkpoints (list, optional): Weights per row; random if None.

    Returns:
        list[dict]: Per row ``config``, ``backend``, ``frames``,
        ``n_parse_ms`` (per frame) and ``steps`` (of
        :meth:`ParseStepTimer.step_shares`).
    """
    from aten_mm.utils.benchmark import (
        StreamRun,
        build_model,
        build_samples,
        model_schedule,
        run_interleaved,
        steady_warmup,
    )
    from aten_mm.utils.benchmark.frames import render_synthetic

    from .ort_backend import use_onnxruntime
    checkpoints = checkpoints or [None] * len(configs)
    runs = []
    for config, backend, ckpt in zip(configs, backends, checkpoints):
        model = build_model(config, ckpt)
        warm = steady_warmup(model_schedule(model), warmup)
        samples = build_samples(render_synthetic(warm + frames, size),
                                model.data_preprocessor)
        if backend == 'onnxruntime':
            use_onnxruntime(model, example=samples[0][0])
        run = StreamRun(model, samples, warm)
        run.timer.remove()
        run.timer = ParseStepTimer(model)
        runs.append(run)
    results = run_interleaved(runs)
    rows = []
    for config, backend, run, res in zip(configs, backends, runs, results):
        rows.append(dict(config=config, backend=backend,
                         frames=res['frames'],
                         n_parse_ms=res['terms_ms']['N_parse'],
                         steps=run.timer.step_shares()))
    return rows
