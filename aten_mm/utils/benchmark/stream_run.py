"""Stream inference of benchmark models, one frame per call, timed.

Frames are preprocessed outside the timing (:func:`build_samples`), fed in
stream mode (:class:`StreamRun`), alone or several models in turn
(:func:`run_interleaved`); the Eq.-8 terms are timed inside the run by
:class:`.TermTimer`.
"""
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import nn

from .term_timer import TermTimer


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



def build_model(config: str, checkpoint: Optional[str] = None,
                seed: int = 0, channels_last: bool = False) -> nn.Module:
    """A model of ``config`` in eval mode for timing.

    Random weights (every ``init_cfg`` dropped: no download; seeded, so
    the same ``seed`` gives configs that share a detector the same detector
    weights) or ``checkpoint``, built by :func:`aten_mm.apis.init_model`.

    Args:
        config (str): Config file.
        checkpoint (str, optional): Weights; None for random ones.
        seed (int): ``torch.manual_seed`` before building.
        channels_last (bool): Convert the model to channels-last memory.

    Returns:
        nn.Module: The model.
    """
    from aten_mm.apis import init_model
    torch.manual_seed(seed)
    model = init_model(config, checkpoint or None, init_weights=True)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model


def stream_fps(config: str, checkpoint: str, frames: Sequence[np.ndarray],
               warmup: Sequence[np.ndarray]) -> float:
    """Frames per second of the user API's stream inference.

    Runs :func:`aten_mm.apis.inference_frames` (what the demo runs: the
    frame pipeline, the model and the stream cache) over ``warmup`` (a
    video of its own, untimed), then over ``frames`` timed.

    Args:
        config (str): Config file.
        checkpoint (str): Trained weights.
        frames (Sequence[np.ndarray]): The timed ``(H, W, 3)`` BGR frames
            of one video, in order.
        warmup (Sequence[np.ndarray]): Frames run first.

    Returns:
        float: ``len(frames) / seconds``.
    """
    from aten_mm.apis import inference_frames, init_model
    model = init_model(config, checkpoint)
    for _ in inference_frames(model, warmup, 'warmup'):
        pass
    start = time.perf_counter()
    count = sum(1 for _ in inference_frames(model, frames, 'timed'))
    return count / (time.perf_counter() - start)


def save_random_checkpoint(config: str, path: str, seed: int = 0) -> str:
    """Save the seeded random model of ``config`` (:func:`build_model`) as
    a checkpoint at ``path``; returns ``path``."""
    model = build_model(config, None, seed)
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return path
