"""Common part of the video parsers (ATEN, DFF, FGFA; paper §4).

A video parser owns an image :class:`ParsingRCNN` (``detector``: N_feat and
N_parse), optionally a flow network (``motion``, FlowNet-S with scale
field, §4.2) used through one aligner (:class:`FlowAligner`, Eq. 3/6) and
a temporal encoder (``encoder``, §4.1). It computes the feature F_t of a
target frame from other frames and runs the detector's heads on it.

The data says which inference mode a sample is in (metainfo ``stream``,
docs/interfaces.md); both give the same result for the same frame:

* **clip mode** (``stream`` absent or False, :mod:`.clip_mode`): one
  target frame per sample with every frame it needs; stateless.
* **stream mode** (``stream=True``, :mod:`.stream_engine`): the frames of
  a video arrive in order, one per sample; the results that became ready
  are returned in frame order.

The frame plan of a model (:meth:`plan`) is the one place of its key-frame
logic; :meth:`clip_cfg` states it as the datasets' ``clip_cfg``, from
which a full config's datasets are derived when it is loaded.
"""
import copy
import inspect
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmdet.structures import DetDataSample
from mmengine.model import BaseModel
from torch import Tensor

from aten_mm.registry import MODELS
from aten_mm.structures.frame_plan import KEY_POSITIONS

from .clip_mode import unpack_clip
from .propagated_feat import PropagatedFeat
from .stream_engine import StreamCache, StreamEngine, StreamResults


class BaseVideoParser(BaseModel):
    """Base class of the video parsers.

    Subclasses set :attr:`CLIP_MODE` / :attr:`PLAN_ARGS` and implement
    :meth:`plan`, :meth:`clip_feat` and the stream hooks
    :meth:`is_stream_entry`, :meth:`stream_needs`, :meth:`stream_feat`.

    Args:
        detector (dict): :class:`ParsingRCNN` config (N_feat + N_parse). A
            ``data_preprocessor`` inside it is used for the video model
            when ``data_preprocessor`` is not given.
        motion (dict, optional): Flow network config (``FlowNetS``);
            ``FlowNetS(cur, ref)`` gives the flow cur→ref in feature pixels
            and the scale field (Eq. 6).
        aligner (dict, optional): The alignment module (Eq. 3, 6).
            Defaults to ``dict(type='FlowAligner')``; ``IdentityAligner``
            uses every feature unwarped.
        encoder (dict, optional): Temporal encoder config (Eq. 4).
        key_interval (int): Segment length l. Defaults to 1.
        num_refs (int): Encoding range p (ATEN) or neighbours K per side
            (FGFA). Defaults to 0.
        key_position (str): ``'median'`` (ATEN) or ``'first'`` (DFF's own
            schedule) key of each segment. Defaults to ``'median'``.
        align_refs (bool): Align the reference frames to the frame they
            are encoded into (Eq. 3). False is the "w/o flow-warping align"
            ablation (Table 3). Defaults to True.
        propagate (str): ``'flow'`` (non-key frames get the aligned key
            feature, Eq. 2) or ``'none'`` (the key feature unwarped).
            Defaults to ``'flow'``.
        freeze_modules (Sequence[str]): Names of sub-modules (e.g.
            ``'motion'``, ``'detector.backbone'``) whose parameters get
            ``requires_grad=False`` and that stay in eval mode.
        data_preprocessor (dict, optional): ``VideoDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    #: ``clip_cfg['mode']`` of the datasets for this model.
    CLIP_MODE = 'key'
    #: Constructor arguments that make up the frame plan.
    PLAN_ARGS = ('key_interval', 'num_refs', 'key_position')

    def __init__(self,
                 detector: dict,
                 motion: Optional[dict] = None,
                 aligner: Optional[dict] = None,
                 encoder: Optional[dict] = None,
                 key_interval: int = 1,
                 num_refs: int = 0,
                 key_position: str = 'median',
                 align_refs: bool = True,
                 propagate: str = 'flow',
                 freeze_modules: Sequence[str] = (),
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        detector = copy.deepcopy(dict(detector))
        det_preprocessor = detector.pop('data_preprocessor', None)
        if data_preprocessor is None:
            data_preprocessor = det_preprocessor
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        name = type(self).__name__
        if int(key_interval) < 1 or int(num_refs) < 0:
            raise ValueError(f'{name}: key_interval must be >= 1 and '
                             f'num_refs >= 0, got {key_interval} and '
                             f'{num_refs}')
        if propagate not in ('flow', 'none'):
            raise ValueError(f"{name}: propagate must be 'flow' or 'none', "
                             f'got {propagate!r}')
        if key_position not in KEY_POSITIONS:
            raise ValueError(f'{name}: key_position must be one of '
                             f'{KEY_POSITIONS}, got {key_position!r}')
        self.aligner = MODELS.build(
            aligner or dict(type='aten_mm.FlowAligner'))
        if (self.aligner.needs_motion and motion is None
                and (align_refs or propagate == 'flow')):
            raise ValueError(
                f'{name}: aligning features (align_refs=True or '
                "propagate='flow') needs a motion (flow network) config; "
                "set motion, or align_refs=False and propagate='none'")
        self.detector = MODELS.build(detector)
        self.motion = MODELS.build(motion) if motion is not None else None
        self.encoder = (MODELS.build(encoder)
                        if encoder is not None else None)
        self.key_interval = int(key_interval)
        self.num_refs = int(num_refs)
        self.key_position = key_position
        self.align_refs = bool(align_refs)
        self.propagate = propagate
        self.freeze_modules = list(freeze_modules)
        for module_name in self.freeze_modules:
            module = self._frozen_module(module_name)
            module.eval()
            for param in module.parameters():
                param.requires_grad = False
        self._stream = StreamEngine()

    # -- module bookkeeping ----------------------------------------------
    def _frozen_module(self, name: str) -> torch.nn.Module:
        module = self
        for part in name.split('.'):  # 'detector.backbone' -> nested
            if not isinstance(getattr(module, part, None), torch.nn.Module):
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

    # -- the frame plan ----------------------------------------------------
    def plan(self, t: int, num_frames: int) -> Dict:
        """Frames 0-based target ``t`` of a ``num_frames`` video needs:
        ``dict(key=int, refs=list[int])`` (encoder order)."""
        raise NotImplementedError

    def clip_cfg(self) -> Dict:
        """The datasets' ``clip_cfg`` of this model's frame plan."""
        return dict(mode=self.CLIP_MODE,
                    **{a: getattr(self, a) for a in self.PLAN_ARGS})

    @classmethod
    def clip_cfg_of(cls, model_cfg: dict) -> Dict:
        """:meth:`clip_cfg` of the model ``model_cfg`` would build (its
        values, else the constructor's defaults; nothing is built)."""
        params = inspect.signature(cls).parameters
        return dict(mode=cls.CLIP_MODE, **{
            a: model_cfg.get(a, params[a].default) for a in cls.PLAN_ARGS})

    # -- building blocks shared by the subclasses --------------------------
    def extract_feat(self, imgs: Tensor) -> Tensor:
        """N_feat on frames: ``(M, 3, H, W)`` -> ``(M, C, H/4, W/4)``."""
        return self.detector.extract_feat(imgs)

    def align(self, feats: Tensor, cur: Tensor, refs: Tensor,
              motion=None, maps: Optional[Tensor] = None):
        """The aligner on ``feats`` of ``refs`` onto ``cur`` (Eq. 3, 6).

        Args:
            feats (Tensor): ``(M, C, h, w)`` features of the ``refs``.
            cur (Tensor): ``(1 or M, 3, H, W)`` frame(s) to align to.
            refs (Tensor): ``(M, 3, H, W)`` frames of ``feats``.
            motion (Callable, optional): Flow source instead of the flow
                net (e.g. ATEN's composed key flows).
            maps (Tensor, optional): Head maps of the ``refs`` warped by
                the same flow (``propagate_heads``).

        Returns:
            Tensor: ``(M, C, h, w)`` aligned features; with ``maps`` the
            tuple (features, warped maps).
        """
        # aligners of other projects may not take maps: pass it only when set
        extra = {} if maps is None else dict(maps=maps)
        return self.aligner(motion or self.motion, feats, cur, refs, **extra)

    @staticmethod
    def _stack(imgs: List[Tensor]) -> Tensor:
        return torch.cat(imgs) if len(imgs) > 1 else imgs[0]

    def unique_feats(self, frames: Dict[int, Tensor],
                     indices: Union[List[int], set]) -> Dict[int, Tensor]:
        """N_feat once per distinct frame of ``indices`` (one batch):
        ``frame_index -> (1, C, H/4, W/4)``."""
        uniq = sorted(set(indices))
        feats = self.extract_feat(self._stack([frames[i] for i in uniq]))
        return {i: feats[j:j + 1] for j, i in enumerate(uniq)}

    # -- subclass hooks ----------------------------------------------------
    def clip_feat(self, frames: Dict[int, Tensor], t: int,
                  plan: Dict) -> Tensor:
        """Feature F_t ``(1, C, H/4, W/4)`` of target ``t`` from a clip
        (``frames``: ``frame_index -> (1, 3, H, W)``)."""
        raise NotImplementedError

    def clip_predict_feat(self, frames: Dict[int, Tensor], t: int,
                          plan: Dict) -> Union[Tensor, PropagatedFeat]:
        """What inference parses for target ``t`` of a clip: F_t
        (:meth:`clip_feat`), or a :class:`PropagatedFeat` when the model
        propagates its head outputs (ATEN/DFF ``propagate_heads``)."""
        return self.clip_feat(frames, t, plan)

    def parse_feat(self, feat: Union[Tensor, PropagatedFeat],
                   data_samples: List[DetDataSample],
                   rescale: bool = True) -> List[DetDataSample]:
        """N_parse on what :meth:`clip_predict_feat` or
        :meth:`stream_feat` returned (the detector's
        ``predict_from_feat``)."""
        if isinstance(feat, PropagatedFeat):
            return self.detector.predict_from_feat(
                feat.feat, data_samples, rescale=rescale,
                head_maps=feat.head_maps)
        return self.detector.predict_from_feat(
            feat, data_samples, rescale=rescale)

    def is_stream_entry(self, t: int, num_frames: int) -> bool:
        """Whether frame ``t`` is cached in stream mode when it arrives."""
        raise NotImplementedError

    def stream_needs(self, t: int, num_frames: int) -> List[int]:
        """Cached entries target ``t`` needs before it can be parsed."""
        raise NotImplementedError

    def make_stream_entry(self, t: int, img: Tensor) -> Dict:
        """Cache record of frame ``t``: its image and raw feature F_t."""
        return dict(img=img, feat=self.extract_feat(img))

    def stream_feat(self, t: int, img: Tensor, cache: StreamCache
                    ) -> Union[Tensor, PropagatedFeat]:
        """F_t ``(1, C, H/4, W/4)`` of target ``t`` from the stream cache
        (equal to :meth:`clip_predict_feat`)."""
        raise NotImplementedError

    # -- mmengine entry points ---------------------------------------------
    def forward(self, inputs: Tensor,
                data_samples: Optional[List[DetDataSample]] = None,
                mode: str = 'tensor'):
        """Dispatch on ``mode``; ``inputs`` ``(N, F, 3, H, W)``."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._clip_feats(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, '
                           'predict and tensor mode')

    def _clip_feats(self, inputs: Tensor,
                    data_samples: List[DetDataSample]) -> Tensor:
        """Target features of a batch of clips: ``(N, C, H/4, W/4)``."""
        if inputs.dim() != 5:
            raise ValueError(
                f'{type(self).__name__}: expected inputs (N, F, 3, H, W) '
                f'from VideoDataPreprocessor, got {tuple(inputs.shape)}')
        return torch.cat([self.clip_feat(*unpack_clip(self, clip, sample))
                          for clip, sample in zip(inputs, data_samples)])

    def loss(self, inputs: Tensor,
             data_samples: List[DetDataSample]) -> dict:
        """Multi-task loss of the target frames (Eq. 7), end to end."""
        return self.detector.loss_from_feat(
            self._clip_feats(inputs, data_samples), data_samples)

    def predict(self, inputs: Tensor, data_samples: List[DetDataSample],
                rescale: bool = True) -> List[DetDataSample]:
        """Parse clip samples, or feed stream samples to the engine.

        Args:
            inputs (Tensor): ``(N, F, 3, H, W)``.
            data_samples (list[DetDataSample]): One per sample; metainfo
                ``stream=True`` marks a stream-mode frame.
            rescale (bool): Results at the original size.

        Returns:
            list[DetDataSample]: Clip samples filled, and the stream frames
            whose results became ready (:meth:`stream_step`); a
            :class:`StreamResults` when there are none.
        """
        outputs = []
        for clip, sample in zip(inputs, data_samples):
            if sample.metainfo.get('stream', False):
                outputs.extend(self.stream_step(clip, sample, rescale))
                continue
            feat = self.clip_predict_feat(
                *unpack_clip(self, clip, sample, check_plan=True))
            outputs.extend(self.parse_feat(feat, [sample], rescale=rescale))
        return outputs if outputs else StreamResults()

    # -- stream mode (the engine: .stream_engine) --------------------------
    @property
    def stream_cache(self) -> Optional[StreamCache]:
        """The current video's :class:`StreamCache` (None before a video)."""
        return self._stream.cache

    def stream_reset(self) -> None:
        """Forget the current video's state without parsing its frames."""
        self._stream.reset()

    def stream_step(self, img: Tensor, data_sample: DetDataSample,
                    rescale: bool = True) -> List[DetDataSample]:
        """Feed the next frame of a video: :meth:`StreamEngine.step`."""
        return self._stream.step(self, img, data_sample, rescale)

    def stream_flush(self, rescale: bool = True) -> List[DetDataSample]:
        """End a video early: :meth:`StreamEngine.flush`."""
        return self._stream.flush(self, rescale)
