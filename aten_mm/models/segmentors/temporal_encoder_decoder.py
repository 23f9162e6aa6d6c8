"""mmseg EncoderDecoder with ATEN's flow-guided temporal encoding (Eq. 3-4).

Shows the video components of aten_mm inside a plain mmseg segmentor: the
features of earlier frames are warped to the last frame with FlowNetS flow
and scale field (Eq. 3, 6) and fused with a temporal encoder (Eq. 4)
before an unmodified mmseg decode head.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
from mmengine.config import ConfigDict
from mmseg.models.segmentors import EncoderDecoder
from mmseg.structures import SegDataSample
from mmseg.utils import OptSampleList, SampleList
from torch import Tensor

from aten_mm.registry import MODELS

Frames = Union[Tensor, Sequence[Tensor]]


@MODELS.register_module()
class TemporalEncoderDecoder(EncoderDecoder):
    """mmseg ``EncoderDecoder`` over clips, the last frame being the target.

    For a clip ``I_1 ... I_T`` (``I_T`` the target, the "key" of paper
    §4.1), every frame goes through ``backbone`` (+ ``neck``); the map
    ``F_t = feats_t[fuse_index]`` (stride ``motion.feat_stride``) of each
    earlier frame is aligned to the target as in Eq. (3) by the shared
    aligner (:class:`FlowAligner`, the same module as the video parsers')::

        flow_t, S_t = motion(I_T, I_t)
        F(t -> T)   = warp(F_t, flow_t) * S_t

    and the encoder fuses them, target last (Eq. 4)::

        F̄_T = encoder([F(1 -> T), ..., F(T-1 -> T), F_T])

    ``F̄_T`` replaces ``F_T`` in the target's feature tuple, which then
    goes to the mmseg decode (and auxiliary) heads as usual: ``loss``,
    ``predict`` and ``_forward`` are mmseg's, only :meth:`extract_feat`
    changes. A single image ``(N, 3, H, W)`` is a clip with ``T = 1`` (the
    encoder sees ``[F_T]``).

    All frames of a batch are run through the backbone in one pass
    (batch ``T * N``). All clips of a batch must have the same length.

    Args:
        motion (dict): Flow network config, e.g. ``FlowNetS`` with
            ``scale_channels`` = channels of the fused map (0: no scale
            field).
        encoder (dict): Temporal encoder config (``ConvGRUEncoder``,
            ``ConvLSTMEncoder``, ``AverageEncoder``).
        warp (dict): Warping module. Defaults to ``dict(type='FlowWarp')``.
        aligner (dict, optional): Alignment module (Eq. 3, 6). Defaults to
            ``dict(type='FlowAligner', warp=warp)``; ``IdentityAligner``
            for the "w/o flow-warping align" ablation.
        fuse_index (int): Which map of the backbone/neck output tuple is
            warped and encoded. A neck returning one tensor counts as a
            1-tuple. Defaults to 0.
        test_cfg (dict, optional): As mmseg's ``EncoderDecoder``; its
            mode must be ``'whole'`` (sliding windows over clips are not
            supported); None means ``dict(mode='whole')``.
        **kwargs: ``backbone`` and ``decode_head`` (required), ``neck``,
            ``auxiliary_head``, ``train_cfg``, ``data_preprocessor``,
            ``pretrained``, ``init_cfg``: as mmseg's ``EncoderDecoder``.
    """

    def __init__(self,
                 motion: dict,
                 encoder: dict,
                 warp: dict = dict(type='FlowWarp'),
                 aligner: Optional[dict] = None,
                 fuse_index: int = 0,
                 test_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        if test_cfg is None:
            test_cfg = ConfigDict(mode='whole')
        super().__init__(test_cfg=test_cfg, **kwargs)
        mode = self.test_cfg.get('mode', 'whole')
        if mode != 'whole':
            raise ValueError('TemporalEncoderDecoder: test_cfg.mode must be '
                             f"'whole', got {mode!r}")
        self.motion = MODELS.build(motion)
        self.encoder = MODELS.build(encoder)
        self.aligner = MODELS.build(
            aligner or dict(type='aten_mm.FlowAligner', warp=warp))
        self.fuse_index = fuse_index

    @property
    def warp(self) -> Optional[torch.nn.Module]:
        """The sampler W of the aligner (None for an identity aligner)."""
        return getattr(self.aligner, 'warp', None)

    @staticmethod
    def split_frames(inputs: Frames) -> List[Tensor]:
        """The clip as a list of T frames ``(N, 3, H, W)``, target last.

        Args:
            inputs (Tensor | Sequence[Tensor]): ``(N, T, 3, H, W)``, one
                image batch ``(N, 3, H, W)`` (T = 1), or a list of T
                ``(N, 3, H, W)`` frames.

        Returns:
            list[Tensor]: T tensors (N, 3, H, W).
        """
        if isinstance(inputs, Tensor):
            if inputs.dim() == 5:
                return list(inputs.unbind(1))
            if inputs.dim() == 4:
                return [inputs]
            frames = [inputs]
        else:
            frames = list(inputs)
        if (len(frames) == 0 or any(
                not isinstance(f, Tensor) or f.dim() != 4
                or f.shape != frames[0].shape for f in frames)):
            shapes = [tuple(getattr(f, 'shape', ())) for f in frames]
            raise ValueError(
                'TemporalEncoderDecoder: inputs must be (N, T, 3, H, W), '
                '(N, 3, H, W) or a list of equally shaped (N, 3, H, W) '
                f'frames, got shapes {shapes}')
        return frames

    def extract_frame_feats(self, frames: Sequence[Tensor]
                            ) -> List[Tuple[Tensor, ...]]:
        """Backbone (+ neck) maps of every frame, one pass over all frames.

        Args:
            frames (Sequence[Tensor]): T frames (N, 3, H, W).

        Returns:
            list[tuple[Tensor]]: per frame, the feature tuple
            ``(N, C_i, H_i, W_i)`` (a neck's single tensor becomes a
            1-tuple).
        """
        n = frames[0].shape[0]
        x = super().extract_feat(torch.cat(list(frames), dim=0))
        if isinstance(x, Tensor):
            x = (x, )
        return [tuple(f[t * n:(t + 1) * n] for f in x)
                for t in range(len(frames))]

    def align_to_target(self, target: Tensor, refs: Sequence[Tensor],
                        ref_feats: Sequence[Tensor]) -> List[Tensor]:
        """Warp reference features to the target frame (Eq. 3, 6).

        Args:
            target (Tensor): Target frame (N, 3, H, W).
            refs (Sequence[Tensor]): R reference frames (N, 3, H, W).
            ref_feats (Sequence[Tensor]): Their maps (N, C, h, w) on the
                flow's grid (stride ``motion.feat_stride``).

        Returns:
            list[Tensor]: R maps ``warp(F_ref, flow) * S`` (N, C, h, w).
        """
        if len(refs) == 0:
            return []
        r, n = len(refs), target.shape[0]
        aligned = self.aligner(self.motion, torch.cat(list(ref_feats)),
                               target.repeat(r, 1, 1, 1),
                               torch.cat(list(refs), dim=0))
        return list(aligned.split(n, dim=0))

    def extract_feat(self, inputs: Frames) -> List[Tensor]:
        """Target-frame features with the fused map (Eq. 3-4).

        Args:
            inputs (Tensor | Sequence[Tensor]): See :meth:`split_frames`.

        Returns:
            list[Tensor]: The target frame's feature maps, entry
            ``fuse_index`` replaced by the encoded ``F̄_T`` (N, C, h, w).
        """
        frames = self.split_frames(inputs)
        feats = self.extract_frame_feats(frames)
        if not -len(feats[-1]) <= self.fuse_index < len(feats[-1]):
            raise ValueError(
                f'TemporalEncoderDecoder: fuse_index={self.fuse_index} but '
                f'the backbone/neck gives {len(feats[-1])} maps')
        maps = [f[self.fuse_index] for f in feats]
        aligned = self.align_to_target(frames[-1], frames[:-1], maps[:-1])
        out = list(feats[-1])
        out[self.fuse_index] = self.encoder(aligned + [maps[-1]])
        return out

    def predict(self,
                inputs: Frames,
                data_samples: OptSampleList = None) -> SampleList:
        """mmseg's ``predict`` on the target frame of each clip.

        Args:
            inputs (Tensor | Sequence[Tensor]): See :meth:`split_frames`.
            data_samples (list[SegDataSample], optional): The target
                frames' samples (``img_shape``, ``ori_shape``,
                ``padding_size``...). None: taken from the input size.

        Returns:
            list[SegDataSample]: with ``seg_logits`` and ``pred_sem_seg``
            (1, H0, W0) at the original size.
        """
        if data_samples is None:
            target = self.split_frames(inputs)[-1]
            shape = tuple(target.shape[2:])
            data_samples = [
                SegDataSample(metainfo=dict(
                    ori_shape=shape, img_shape=shape, pad_shape=shape,
                    padding_size=[0, 0, 0, 0]))
                for _ in range(target.shape[0])
            ]
        return super().predict(inputs, data_samples)
