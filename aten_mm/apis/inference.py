"""Model building and frame-by-frame (stream) inference for users.

:func:`init_model` builds a model from a config and a checkpoint (loaded
with the project's safe loader). :class:`VideoInferencer` feeds in-memory
frames one at a time (``F = 1``, docs/interfaces.md "Stream mode") through
the config's test pipeline (its loading transform replaced by the frame
itself) and ``model.test_step``, and hands back each frame's
``DetDataSample`` in frame order. A video model may return a frame's result
a few frames later (its key frame is a segment's median, §4.4); the model's
stream engine (``aten_mm.models.vid.stream_engine``) is the one place that
holds delayed frames and returns them in order; the inferencer only pairs
each result with the frame it fed.
"""
import copy
from typing import Iterable, Iterator, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from aten_mm.registry import MODELS
from aten_mm.utils.checkpoint import load_checkpoint_to_model, safe_torch_load
from aten_mm.utils.config_check import build_with_context
from aten_mm.utils.setup_env import register_all_modules

from .config import ConfigError, load_config

#: ``video_length`` given to a stream of unknown length (webcam); the end is
#: signalled with :meth:`VideoInferencer.flush`.
UNKNOWN_LENGTH = 10**9


def _drop_pretrained(cfg) -> None:
    """Set every ``init_cfg=dict(type='Pretrained', ...)`` to None, in
    place (no download at run time: a checkpoint holds all weights, and a
    model without one is meant to be random)."""
    if isinstance(cfg, dict):
        init = cfg.get('init_cfg')
        if isinstance(init, dict) and init.get('type') == 'Pretrained':
            cfg['init_cfg'] = None
        for value in cfg.values():
            _drop_pretrained(value)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            _drop_pretrained(value)


def _dataset_class_meta(cfg) -> Optional[dict]:
    """``METAINFO`` (classes, palette) of the config's test dataset class."""
    from aten_mm.registry import DATASETS
    dataset_type = cfg.get('test_dataloader', {}).get('dataset', {}).get(
        'type')
    dataset_cls = DATASETS.get(dataset_type) if dataset_type else None
    meta = getattr(dataset_cls, 'METAINFO', None)
    return copy.deepcopy(dict(meta)) if meta else None


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: Optional[str] = 'cpu',
               cfg_options: Optional[dict] = None,
               init_weights: bool = False) -> torch.nn.Module:
    """Build a model from a config and load its checkpoint.

    The one way a model is built from a config (and a checkpoint) outside
    the Runner: demos, benchmarks, the synthetic study and the tests all
    call it. The config is read by :func:`load_config` (every key
    checked), ``init_cfg=dict(type='Pretrained')`` entries are dropped (no
    download), and the checkpoint goes through the safe loader
    (:func:`aten_mm.utils.checkpoint.safe_torch_load` -- ``weights_only``
    -- and :func:`~aten_mm.utils.checkpoint.load_checkpoint_to_model`:
    key/dtype report, refusal of a checkpoint that matches nothing or holds
    NaN/inf weights).

    Args:
        config (str | Config): Config file path or loaded config.
        checkpoint (str, optional): Checkpoint path; ``None`` keeps the
            initial (random) weights.
        device (str, optional): ``'cpu'``, ``'cuda:0'`` ...; ``None``
            takes ``'cuda:0'`` when CUDA is available, else ``'cpu'``.
            Defaults to ``'cpu'``.
        cfg_options (dict, optional): Config overrides.
        init_weights (bool): Run the components' ``init_weights`` (their
            ``init_cfg`` initialisers, what a training starts from) before
            the checkpoint is loaded; seed ``torch`` first for repeatable
            random weights. Defaults to False (PyTorch's default
            initialisation of each layer).

    Returns:
        nn.Module: The model in eval mode on ``device``, with ``cfg`` (the
        config) and ``dataset_meta`` (from the checkpoint, else the
        config's test dataset ``metainfo``, else its dataset class's
        ``METAINFO``) attributes.

    Raises:
        FileNotFoundError: the config or checkpoint does not exist.
        ConfigError: the config or an override is wrong.
        ValueError: the checkpoint is not usable (see above).
        UnsafeCheckpointError: the checkpoint could run code.
    """
    cfg = load_config(config, cfg_options)
    if 'model' not in cfg:
        raise ConfigError(f'Config {cfg.filename} has no "model".')
    # read (and vet) the checkpoint before the model is built
    ckpt = None if checkpoint is None else safe_torch_load(checkpoint)
    register_all_modules(init_default_scope=False)
    init_default_scope(cfg.get('default_scope', 'aten_mm'))
    model_cfg = copy.deepcopy(cfg.model)
    _drop_pretrained(model_cfg)
    model = build_with_context(MODELS, model_cfg, where='model')
    if init_weights:
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel('WARNING')  # init_weights logs every parameter
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
    dataset_meta = None
    if ckpt is not None:
        load_checkpoint_to_model(model, ckpt, filename=str(checkpoint))
        meta = ckpt.get('meta', {})
        dataset_meta = meta.get('dataset_meta') if isinstance(
            meta, dict) else None
    if dataset_meta is None:
        dataset_meta = cfg.get('test_dataloader', {}).get(
            'dataset', {}).get('metainfo')
    if dataset_meta is None:
        dataset_meta = _dataset_class_meta(cfg)
    model.cfg = cfg
    model.dataset_meta = dataset_meta
    if device is None:
        device = 'cuda:0' if torch.cuda.is_available() else 'cpu'
    model.to(device)
    model.eval()
    return model


def build_frame_pipeline(cfg: Config) -> Compose:
    """The test pipeline for an in-memory frame.

    The config's ``test_dataloader.dataset.pipeline`` without its loading
    transforms (types starting with ``Load``: frames come from memory and
    there is no ground truth).

    Args:
        cfg (Config): Full config.

    Returns:
        Compose: Takes the dict of :func:`frame_results`.
    """
    try:
        pipeline = cfg.test_dataloader.dataset.pipeline
    except AttributeError:
        raise ConfigError(
            f'Config {cfg.filename} has no test_dataloader.dataset.pipeline'
            ' (needed to prepare frames).') from None
    kept = [t for t in copy.deepcopy(pipeline)
            if not str(t['type']).split('.')[-1].startswith('Load')]
    return Compose(kept)


def frame_results(frame_bgr: np.ndarray, frame_index: int, video_id: str,
                  video_length: int, img_path: Optional[str] = None) -> dict:
    """The pipeline input of one in-memory frame (what ``LoadClipFrames``
    would give for a stream item, docs/interfaces.md).

    Args:
        frame_bgr (np.ndarray): ``(H, W, 3)`` uint8 BGR frame.
        frame_index (int): 0-based position in the video.
        video_id (str): Video name (a new name resets the model's cache).
        video_length (int): Number of frames of the video.
        img_path (str, optional): File of the frame, when there is one.

    Returns:
        dict: ``imgs``, ``target_pos`` and the stream-item metainfo.
    """
    if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3:
        raise ValueError(f'frame {frame_index} must be (H, W, 3) BGR, got '
                         f'shape {frame_bgr.shape}')
    shape = frame_bgr.shape[:2]
    return dict(
        imgs=[frame_bgr], target_pos=0, img_shape=shape, ori_shape=shape,
        video_id=video_id, video_length=int(video_length),
        frame_id=frame_index, frame_index=frame_index,
        key_frame_index=frame_index, ref_frame_indices=[],
        clip_frame_indices=[frame_index], img_path=img_path, degraded=False,
        stream=True)


class VideoInferencer:
    """Stream inference over the frames of one video, in order.

    Args:
        model (nn.Module): From :func:`init_model` (per-frame
            ``ParsingRCNN`` or a video model: ATEN/DFF/FGFA).
        video_id (str): Name of the video.
        video_length (int, optional): Number of frames; ``None`` for an
            open-ended stream (call :meth:`flush` at its end).
        pipeline (Compose, optional): Defaults to
            :func:`build_frame_pipeline` of ``model.cfg``.

    Example:
        >>> inferencer = VideoInferencer(model, 'clip', len(frames))
        >>> for i, frame in enumerate(frames):
        ...     for sample in inferencer.feed(frame):
        ...         print(sample.frame_index, sample.pred_instances)
        >>> rest = inferencer.flush()
    """

    def __init__(self, model, video_id: str = 'video',
                 video_length: Optional[int] = None,
                 pipeline: Optional[Compose] = None) -> None:
        self.model = model
        self.video_id = str(video_id)
        self.video_length = (UNKNOWN_LENGTH if video_length is None else
                             int(video_length))
        if self.video_length < 1:
            raise ValueError(f'video_length must be >= 1, got {video_length}')
        self.pipeline = pipeline or build_frame_pipeline(model.cfg)
        self.next_index = 0
        self._fed = {}  # frame_index -> frame, until its result returns
        if hasattr(model, 'stream_reset'):
            model.stream_reset()

    @torch.no_grad()
    def feed(self, frame_bgr: np.ndarray,
             img_path: Optional[str] = None) -> List:
        """Run the next frame; returns the samples that became ready.

        Args:
            frame_bgr (np.ndarray): ``(H, W, 3)`` uint8 BGR frame.
            img_path (str, optional): Its file, kept in the metainfo.

        Returns:
            list[DetDataSample]: Finished frames (in frame order; their
            ``frame_index`` says which), possibly none.
        """
        return [s for _, s in self.feed_pairs(frame_bgr, img_path)]

    @torch.no_grad()
    def feed_pairs(self, frame_bgr: np.ndarray,
                   img_path: Optional[str] = None) -> List[Tuple]:
        """:meth:`feed`, each result paired with the frame it belongs to.

        Returns:
            list[tuple]: ``(frame_bgr, DetDataSample)`` of the finished
            frames, in the order the model returned them.
        """
        t = self.next_index
        if t >= self.video_length:
            raise ValueError(
                f'video {self.video_id} has {self.video_length} frames; got '
                f'one more')
        data = self.pipeline(frame_results(
            frame_bgr, t, self.video_id, self.video_length, img_path))
        batch = dict(inputs=[data['inputs']],
                     data_samples=[data['data_samples']])
        self.next_index += 1
        self._fed[t] = frame_bgr
        return self._pair(self.model.test_step(batch))

    @torch.no_grad()
    def flush(self) -> List:
        """End the video; returns the frames still pending (in order)."""
        return [s for _, s in self.flush_pairs()]

    @torch.no_grad()
    def flush_pairs(self) -> List[Tuple]:
        """:meth:`flush`, each result paired with its frame."""
        out = []
        if hasattr(self.model, 'stream_flush'):
            out = self._pair(self.model.stream_flush())
        if self._fed:
            raise RuntimeError(
                f'video {self.video_id}: {self.next_index} frames fed but '
                f'{self.next_index - len(self._fed)} results returned')
        return out

    def _pair(self, samples: List) -> List[Tuple]:
        pairs = []
        for sample in samples:
            t = int(sample.metainfo['frame_index'])
            if t not in self._fed:
                raise RuntimeError(
                    f'video {self.video_id}: the model returned frame {t}, '
                    'which is not waiting for its result')
            pairs.append((self._fed.pop(t), sample))
        return pairs


def inference_frames(model,
                     frames: Iterable[np.ndarray],
                     video_id: str = 'video',
                     video_length: Optional[int] = None
                     ) -> Iterator[Tuple[np.ndarray, object]]:
    """Stream-mode inference over frames; yields ``(frame, sample)``.

    Every input frame is paired with its own result, in order, whatever
    delay the model needs (the frames waiting for their result are kept,
    at most the model's look-ahead).

    Args:
        model (nn.Module): From :func:`init_model`.
        frames (Iterable[np.ndarray]): ``(H, W, 3)`` uint8 BGR frames.
        video_id (str): Name of the video.
        video_length (int, optional): Number of frames (``len(frames)``
            when it has a length; else an open-ended stream).

    Yields:
        tuple: ``(frame_bgr, DetDataSample)`` with ``pred_sem_seg``,
        ``pred_instances`` and ``pred_part_instances`` at frame size.
    """
    if video_length is None and hasattr(frames, '__len__'):
        video_length = len(frames) or None
    inferencer = VideoInferencer(model, video_id, video_length)
    for frame in frames:
        yield from inferencer.feed_pairs(frame)
    yield from inferencer.flush_pairs()
