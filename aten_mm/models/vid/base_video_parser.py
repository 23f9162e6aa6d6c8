"""Common part of the video parsers (ATEN, DFF, FGFA; paper §4).

A video parser owns an image :class:`ParsingRCNN` (``detector``: N_feat and
N_parse), optionally a flow network (``motion``, FlowNet-S with scale field,
§4.2) and a temporal encoder (``encoder``, §4.1). It computes the feature
F_t of a target frame from other frames and runs the detector's heads on it.

Two inference modes give the same result for the same frame:

* **clip mode** (``inputs`` with ``F > 1`` frames, a single frame that
  needs no other frame, or ``test_mode='clip'``): one target frame per
  sample; the clip carries every frame the target needs
  (``clip_frame_indices``) and the plan (``key_frame_index``,
  ``ref_frame_indices``) computed by the dataset with the same functions of
  :mod:`aten_mm.datasets.clip_sampling`. Stateless. At inference the
  dataset's key must be the model's (else a clear ValueError: the dataset's
  ``clip_cfg`` does not match the model).
* **stream mode** (any other ``F == 1`` sample, or ``test_mode='stream'``;
  a frame that continues the current stream always stays in it): the
  frames of a
  video arrive in order, one per sample. Because a frame can depend on
  *later* frames (the later keys at a video's start, §4.4; FGFA's ``+K``
  neighbours; the key of a segment is its median frame), results are
  emitted with a bounded delay: :meth:`stream_step` returns the results
  that became ready (possibly for earlier frames, in frame order, possibly
  none), and the last frame of a video (``frame_index ==
  video_length - 1``) releases all of them. :meth:`predict` in stream mode
  returns these ready results, so mmengine's ``TestLoop``/``ValLoop`` work
  unchanged (no special loop): its evaluator receives, per iteration, the
  finished data samples (each carries its own metainfo and ground-truth
  paths), whose number may differ from the batch size (an empty
  :class:`StreamResults` when none is ready). Over a whole dataset every
  frame is returned exactly once. The data must come in frame order with
  whole videos per rank (``VideoSampler``). :meth:`stream_flush` releases
  the frames of a video that ended early (fewer frames than
  ``video_length``); a new video flushes the previous one.

Key-frame logic lives in :meth:`plan` (one call into ``clip_sampling``);
both modes take a frame's key and references from it (clip mode: from the
dataset, which calls the same function).
"""
import copy
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmdet.structures import DetDataSample
from mmengine.model import BaseModel
from torch import Tensor

from aten_mm.models.layers.flow_warp import flow_warp
from aten_mm.registry import MODELS

from .stream_cache import StreamCache, StreamResults

_TEST_MODES = ('auto', 'clip', 'stream')


class BaseVideoParser(BaseModel):
    """Base class of the video parsers.

    Subclasses implement :meth:`plan` (which frames a target needs),
    :meth:`clip_feat` (F_t from a clip) and the stream hooks
    :meth:`is_stream_entry`, :meth:`stream_needs`, :meth:`stream_feat`.

    Args:
        detector (dict): :class:`ParsingRCNN` config (N_feat + N_parse). A
            ``data_preprocessor`` inside it is used for the video model when
            ``data_preprocessor`` is not given, and removed from the
            detector.
        motion (dict, optional): Flow network config (``FlowNetS``);
            ``FlowNetS(cur, ref)`` gives the flow cur→ref in stride-4
            feature pixels and the scale field (Eq. 6).
        encoder (dict, optional): Temporal encoder config (Eq. 4).
        key_interval (int): Segment length l. Defaults to 1.
        num_refs (int): Encoding range p (ATEN) or neighbours K per side
            (FGFA). Defaults to 0.
        propagate (str): ``'flow'`` (Eq. 6: warp ⊙ scale) or ``'none'``
            (features used unwarped; the "w/o flow-warping alignment"
            ablation, Table 3). Defaults to ``'flow'``.
        freeze_modules (Sequence[str]): Names of sub-modules (e.g.
            ``'motion'``, ``'detector.backbone'``) whose parameters get
            ``requires_grad=False`` and that stay in eval mode.
        test_mode (str): ``'auto'`` (clip mode when a sample carries more
            than one frame or when the target needs no other frame, stream
            mode otherwise), ``'clip'`` or ``'stream'``. Defaults to
            ``'auto'``.
        data_preprocessor (dict, optional): ``VideoDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 detector: dict,
                 motion: Optional[dict] = None,
                 encoder: Optional[dict] = None,
                 key_interval: int = 1,
                 num_refs: int = 0,
                 propagate: str = 'flow',
                 freeze_modules: Sequence[str] = (),
                 test_mode: str = 'auto',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        detector = copy.deepcopy(dict(detector))
        det_preprocessor = detector.pop('data_preprocessor', None)
        if data_preprocessor is None:
            data_preprocessor = det_preprocessor
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if int(key_interval) < 1:
            raise ValueError(f'{type(self).__name__}: key_interval must be '
                             f'>= 1, got {key_interval}')
        if int(num_refs) < 0:
            raise ValueError(f'{type(self).__name__}: num_refs must be '
                             f'>= 0, got {num_refs}')
        if propagate not in ('flow', 'none'):
            raise ValueError(f"{type(self).__name__}: propagate must be "
                             f"'flow' or 'none', got {propagate!r}")
        if test_mode not in _TEST_MODES:
            raise ValueError(f'{type(self).__name__}: test_mode must be one '
                             f'of {_TEST_MODES}, got {test_mode!r}')
        if propagate == 'flow' and motion is None:
            raise ValueError(f"{type(self).__name__}: propagate='flow' needs "
                             "a motion (flow network) config")
        self.detector = MODELS.build(detector)
        self.motion = MODELS.build(motion) if motion is not None else None
        self.encoder = (MODELS.build(encoder)
                        if encoder is not None else None)
        self.key_interval = int(key_interval)
        self.num_refs = int(num_refs)
        self.propagate = propagate
        self.test_mode = test_mode
        self.freeze_modules = list(freeze_modules)
        for name in self.freeze_modules:
            module = self._frozen_module(name)
            module.eval()
            for param in module.parameters():
                param.requires_grad = False
        self._stream: Optional[StreamCache] = None

    # -- module bookkeeping ----------------------------------------------
    def _frozen_module(self, name: str) -> torch.nn.Module:
        module = self
        for part in name.split('.'):
            if not hasattr(module, part) or not isinstance(
                    getattr(module, part), torch.nn.Module):
                raise ValueError(
                    f'{type(self).__name__}: freeze_modules entry '
                    f'{name!r} is not a sub-module (expected names like '
                    "'motion', 'encoder', 'detector.backbone')")
            module = getattr(module, part)
        return module

    def train(self, mode: bool = True) -> 'BaseVideoParser':
        """Set train/eval mode; frozen modules always stay in eval mode."""
        super().train(mode)
        for name in self.freeze_modules:
            self._frozen_module(name).eval()
        return self

    # -- building blocks shared by the subclasses --------------------------
    def plan(self, t: int, num_frames: int) -> Dict:
        """Frames target ``t`` needs: ``dict(key=int, refs=list[int])``.

        The ONE place of the key-frame logic of a model; subclasses call
        into :mod:`aten_mm.datasets.clip_sampling`.

        Args:
            t (int): 0-based target frame index.
            num_frames (int): Number of frames of the video.

        Returns:
            dict: ``key`` and ``refs`` (0-based, encoder order).
        """
        raise NotImplementedError

    def extract_feat(self, imgs: Tensor) -> Tensor:
        """N_feat on frames: ``(M, 3, H, W)`` -> ``(M, C, H/4, W/4)``."""
        return self.detector.extract_feat(imgs)

    def align(self, feats: Tensor, cur: Tensor, refs: Tensor) -> Tensor:
        """Warp features of ``refs`` onto ``cur`` (Eq. 2, 3, 6).

        ``W(F_ref, FlowNet(I_cur, I_ref)) ⊙ S``; with ``propagate='none'``
        the features are returned unchanged; a flow net without scale
        head (``scale`` None) warps only.

        Args:
            feats (Tensor): ``(M, C, h, w)`` features of the ``refs``.
            cur (Tensor): ``(1, 3, H, W)`` or ``(M, 3, H, W)`` frame the
                features are aligned to.
            refs (Tensor): ``(M, 3, H, W)`` frames of ``feats``.

        Returns:
            Tensor: ``(M, C, h, w)`` aligned features.
        """
        if self.propagate == 'none':
            return feats
        if cur.size(0) != refs.size(0):
            cur = cur.expand(refs.size(0), -1, -1, -1)
        flow, scale = self.motion(cur, refs)
        if flow.shape[-2:] != feats.shape[-2:]:
            raise ValueError(
                f'{type(self).__name__}: flow grid {tuple(flow.shape[-2:])} '
                f'differs from the feature grid {tuple(feats.shape[-2:])}; '
                'the flow net and N_feat must share the output stride')
        warped = flow_warp(feats, flow)
        return warped if scale is None else warped * scale

    # -- subclass hooks ----------------------------------------------------
    def clip_feat(self, frames: Dict[int, Tensor], t: int,
                  plan: Dict) -> Tensor:
        """Feature F_t of target ``t`` from a clip.

        Args:
            frames (dict[int, Tensor]): ``frame_index -> (1, 3, H, W)``.
            t (int): Target frame index.
            plan (dict): ``key`` and ``refs`` of ``t``.

        Returns:
            Tensor: ``(1, C, H/4, W/4)``.
        """
        raise NotImplementedError

    def is_stream_entry(self, t: int, num_frames: int) -> bool:
        """Whether frame ``t`` is kept in the stream cache when it arrives.
        """
        raise NotImplementedError

    def stream_needs(self, t: int, num_frames: int) -> List[int]:
        """Cached entries target ``t`` needs before it can be parsed."""
        raise NotImplementedError

    def make_stream_entry(self, t: int, img: Tensor) -> Dict:
        """Cache record of frame ``t``: its image and raw feature F_t."""
        return dict(img=img, feat=self.extract_feat(img))

    def stream_feat(self, t: int, img: Tensor, cache: StreamCache) -> Tensor:
        """Feature F_t of target ``t`` from the stream cache.

        Args:
            t (int): Target frame index.
            img (Tensor): ``(1, 3, H, W)`` target frame.
            cache (StreamCache): Holds every entry of
                :meth:`stream_needs`.

        Returns:
            Tensor: ``(1, C, H/4, W/4)``, equal to :meth:`clip_feat`.
        """
        raise NotImplementedError

    # -- mmengine entry points ---------------------------------------------
    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List[DetDataSample]] = None,
                mode: str = 'tensor'):
        """Dispatch on ``mode`` (``'loss'``, ``'predict'``, ``'tensor'``).

        Args:
            inputs (Tensor): ``(N, F, 3, H, W)`` clips.
            data_samples (list[DetDataSample]): One per clip (target).
            mode (str): See :class:`mmengine.model.BaseModel`.
        """
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, '
                           'predict and tensor mode')

    def _clip_inputs(self, inputs: Tensor, sample: DetDataSample,
                     check_key: bool = False):
        """Frames, target and plan of one clip sample.

        With ``check_key`` (inference) the dataset's key must be the
        model's key for the frame: a dataset ``clip_cfg`` with another
        ``key_interval`` than the model would otherwise silently run a
        different model.
        """
        meta = sample.metainfo
        if inputs.dim() != 4:
            raise ValueError(f'{type(self).__name__}: expected one clip '
                             f'(F, 3, H, W), got {tuple(inputs.shape)}')
        t = int(meta.get('frame_index', 0))
        indices = list(meta.get('clip_frame_indices', [t]))
        if len(indices) > inputs.size(0):
            raise ValueError(
                f'{type(self).__name__}: clip_frame_indices {indices} do '
                f'not match the {inputs.size(0)} frames of the clip')
        # frames beyond len(indices) are batch padding and are ignored
        if 'key_frame_index' in meta and 'ref_frame_indices' in meta:
            plan = dict(key=int(meta['key_frame_index']),
                        refs=[int(r) for r in meta['ref_frame_indices']])
        else:
            plan = self.plan(t, int(meta['video_length']))
        if check_key and 'video_length' in meta:
            own = self.plan(t, int(meta['video_length']))['key']
            if own != plan['key']:
                raise ValueError(
                    f'{type(self).__name__}: the clip of video '
                    f"{meta.get('video_id')} frame_index {t} has key frame "
                    f"{plan['key']} but the model's key is {own} "
                    f'(key_interval={self.key_interval}); make the '
                    "dataset's clip_cfg match the model")
        frames = {int(i): inputs[j:j + 1] for j, i in enumerate(indices)}
        lost = sorted({t, plan['key'], *plan['refs']} - set(frames))
        if lost:
            raise ValueError(
                f'{type(self).__name__}: the clip of video '
                f"{meta.get('video_id')} frame_index {t} lacks frames "
                f'{lost} (has {indices}); the dataset clip_cfg must match '
                'the model (key_interval, num_refs)')
        return frames, t, plan

    def _clip_feats(self, inputs: Tensor,
                    data_samples: List[DetDataSample]) -> Tensor:
        """Target features of a batch of clips: ``(N, C, H/4, W/4)``."""
        if inputs.dim() != 5:
            raise ValueError(
                f'{type(self).__name__}: expected inputs (N, F, 3, H, W) '
                f'from VideoDataPreprocessor, got {tuple(inputs.shape)}')
        feats = [self.clip_feat(*self._clip_inputs(clip, sample))
                 for clip, sample in zip(inputs, data_samples)]
        return torch.cat(feats)

    def loss(self, inputs: Tensor,
             data_samples: List[DetDataSample]) -> dict:
        """Multi-task loss of the target frames (Eq. 7), end to end.

        Args:
            inputs (Tensor): ``(N, F, 3, H, W)`` clips (refs, key, target).
            data_samples (list[DetDataSample]): Target ground truth.

        Returns:
            dict[str, Tensor]: The detector's losses.
        """
        return self.detector.loss_from_feat(
            self._clip_feats(inputs, data_samples), data_samples)

    def _forward(self, inputs: Tensor,
                 data_samples: Optional[List[DetDataSample]] = None
                 ) -> Tensor:
        """Target features F_t of a batch of clips (clip mode)."""
        return self._clip_feats(inputs, data_samples)

    def _use_clip_mode(self, inputs: Tensor, sample: DetDataSample) -> bool:
        """Choose the mode of one sample (``test_mode='auto'``).

        Clip mode for ``F > 1``. A single frame continuing the current
        stream goes to stream mode. Otherwise a single frame is a clip when
        it is all the target needs (by the model's plan, or by a
        dataset-made plan whose key and references are all the target
        itself), else it starts a stream.
        """
        if self.test_mode != 'auto':
            return self.test_mode == 'clip'
        if inputs.size(0) > 1:
            return True
        meta = sample.metainfo
        t = int(meta.get('frame_index', 0))
        cache = self._stream
        if (cache is not None and cache.accepts(meta.get('video_id'), t)
                and t == cache.last_index + 1):
            return False
        plan = self.plan(t, int(meta.get('video_length', t + 1)))
        if {plan['key'], *plan['refs']} <= {t}:
            return True
        refs = list(meta.get('ref_frame_indices', []))
        return (meta.get('key_frame_index') == t and len(refs) > 0
                and len(refs) == len(plan['refs'])
                and all(r == t for r in refs))

    def predict(self, inputs: Tensor, data_samples: List[DetDataSample],
                rescale: bool = True) -> List[DetDataSample]:
        """Parse target frames (clip mode) or stream frames (stream mode).

        Args:
            inputs (Tensor): ``(N, F, 3, H, W)``.
            data_samples (list[DetDataSample]): One per sample.
            rescale (bool): Results at the original size.

        Returns:
            list[DetDataSample]: Clip mode: the N samples, filled. Stream
            mode: the results that became ready (see :meth:`stream_step`);
            a :class:`StreamResults` when there are none.
        """
        outputs = []
        for clip, sample in zip(inputs, data_samples):
            if self._use_clip_mode(clip, sample):
                feat = self.clip_feat(
                    *self._clip_inputs(clip, sample, check_key=True))
                outputs.extend(self.detector.predict_from_feat(
                    feat, [sample], rescale=rescale))
            else:
                outputs.extend(self.stream_step(clip, sample, rescale))
        return outputs if outputs else StreamResults()

    # -- stream mode -------------------------------------------------------
    @property
    def stream_cache(self) -> Optional[StreamCache]:
        """The current video's :class:`StreamCache` (None before a video)."""
        return self._stream

    def stream_reset(self) -> None:
        """Forget the current video's state without parsing its frames."""
        self._stream = None

    def stream_step(self, img: Tensor, data_sample: DetDataSample,
                    rescale: bool = True) -> List[DetDataSample]:
        """Feed the next frame of a video (stream mode, Algorithm 1).

        The state is reset when ``video_id`` changes or ``frame_index ==
        0`` (pending frames of the previous video are flushed first).

        Args:
            img (Tensor): Preprocessed frame ``(3, H, W)``, ``(1, 3, H, W)``
                or ``(1, 1, 3, H, W)``.
            data_sample (DetDataSample): Its sample, with ``video_id``,
                ``frame_index`` and ``video_length`` in the metainfo.
            rescale (bool): Results at the original size.

        Returns:
            list[DetDataSample]: The frames whose result became ready, in
            frame order (their own data samples, filled); empty while the
            frame waits for later frames.
        """
        img = img.reshape(-1, *img.shape[-3:])
        if img.size(0) != 1:
            raise ValueError(f'{type(self).__name__}.stream_step takes one '
                             f'frame, got {tuple(img.shape)}')
        meta = data_sample.metainfo
        for name in ('video_id', 'frame_index', 'video_length'):
            if name not in meta:
                raise ValueError(f'{type(self).__name__}: stream mode needs '
                                 f"'{name}' in the data sample's metainfo")
        vid, t = meta['video_id'], int(meta['frame_index'])
        n = int(meta['video_length'])
        outputs = []
        cache = self._stream
        if cache is None or not cache.accepts(vid, t):
            outputs.extend(self.stream_flush(rescale))
            if t != 0:
                raise ValueError(
                    f'{type(self).__name__}: stream mode needs the frames '
                    f'of a video in order from frame_index 0; video {vid} '
                    f'starts at frame_index {t}')
            cache = self._stream = StreamCache(vid, n)
        elif t != cache.last_index + 1:
            raise ValueError(
                f'{type(self).__name__}: stream mode needs the frames of '
                f'video {vid} in order; got frame_index {t} after '
                f'{cache.last_index}')
        if not t < cache.video_length:
            raise ValueError(
                f'{type(self).__name__}: frame_index {t} of video {vid} is '
                f'beyond its video_length {cache.video_length}')
        cache.last_index = t
        cache.pending.append((t, img, data_sample))
        if self.is_stream_entry(t, cache.video_length):
            cache.entries[t] = self.make_stream_entry(t, img)
        outputs.extend(self._stream_drain(cache, rescale))
        if t == cache.video_length - 1:
            self._stream = None
        return outputs

    def stream_flush(self, rescale: bool = True) -> List[DetDataSample]:
        """Release the pending frames of a video that ended early.

        Normally the last frame (``frame_index == video_length - 1``)
        releases everything and this returns ``[]``. When fewer frames
        arrived, the video is treated as ending at the last frame received
        (``video_length`` = frames seen) and its pending frames are parsed.
        Frames released before the flush keep the plan of the announced
        length: with an open-ended stream (``video_length`` unknown, a
        large placeholder) a short last segment whose full-length median
        key arrived uses that key, not the median of the frames that
        exist; with the true ``video_length`` every result equals clip
        mode.

        Returns:
            list[DetDataSample]: The remaining results, in frame order.
        """
        cache, self._stream = self._stream, None
        if cache is None or not cache.pending:
            return []
        cache.video_length = cache.last_index + 1
        images = {t: img for t, img, _ in cache.pending}
        for t, img in images.items():
            if t not in cache.entries and self.is_stream_entry(
                    t, cache.video_length):
                cache.entries[t] = self.make_stream_entry(t, img)
        cache.memo.clear()
        outputs = self._stream_drain(cache, rescale)
        if cache.pending:
            raise RuntimeError(
                f'{type(self).__name__}: cannot finish video '
                f'{cache.video_id}: frames {[p[0] for p in cache.pending]} '
                'need frames that are no longer cached')
        return outputs

    def _stream_drain(self, cache: StreamCache,
                      rescale: bool) -> List[DetDataSample]:
        """Parse the pending frames whose needs are cached, then evict."""
        n = cache.video_length
        outputs = []
        while cache.pending:
            t, img, sample = cache.pending[0]
            if any(i not in cache.entries for i in self.stream_needs(t, n)):
                break
            feat = self.stream_feat(t, img, cache)
            cache.pending.popleft()
            outputs.extend(self.detector.predict_from_feat(
                feat, [sample], rescale=rescale))
        # Keep what a pending or the next frame needs; later frames need
        # no older entry than these (the plans move forward with t).
        keep = set()
        for t in [p[0] for p in cache.pending] + [cache.last_index + 1]:
            if t < n:
                keep.update(self.stream_needs(t, n))
        cache.evict(keep)
        return outputs

    @staticmethod
    def _stack(imgs: List[Tensor]) -> Tensor:
        return torch.cat(imgs) if len(imgs) > 1 else imgs[0]

    def unique_feats(self, frames: Dict[int, Tensor],
                     indices: Union[List[int], set]) -> Dict[int, Tensor]:
        """N_feat once per distinct frame of ``indices`` (one batch).

        Args:
            frames (dict[int, Tensor]): ``frame_index -> (1, 3, H, W)``.
            indices (list[int] | set): Frames whose features are needed.

        Returns:
            dict[int, Tensor]: ``frame_index -> (1, C, H/4, W/4)``.
        """
        uniq = sorted(set(indices))
        feats = self.extract_feat(self._stack([frames[i] for i in uniq]))
        return {i: feats[j:j + 1] for j, i in enumerate(uniq)}
