"""ATEN: Adaptive Temporal Encoding Network (paper §4, Algorithm 1)."""
from typing import Dict, List, Optional, Sequence

from torch import Tensor

from aten_mm.datasets.clip_sampling import key_clip_indices
from aten_mm.registry import MODELS

from .base_video_parser import BaseVideoParser
from .stream_cache import StreamCache


@MODELS.register_module()
class ATEN(BaseVideoParser):
    """Adaptive temporal encoding with flow-guided propagation (§4).

    For a target frame t with key k (the median frame of t's segment of
    length l) and reference keys k_1 … k_p (the p previous keys, later keys
    at a video's start, §4.4; see :func:`key_clip_indices`):

    1. N_feat on the key frames only: F_k, F_{k_i} (Algorithm 1).
    2. Alignment of every reference key to the key (Eq. 3):
       ``F_{k_i→k} = W(F_{k_i}, FlowNet(I_k, I_{k_i})) ⊙ S``.
    3. Temporal encoding (Eq. 4): ``F̄_k = ε(F_{k_p→k}, …, F_{k_1→k}, F_k)``
       (ConvGRU by default; ConvLSTM / average for the ablations), refs in
       the encoder order of :func:`key_clip_indices`, the key last.
    4. Propagation to the target (Eq. 2): ``F_t = W(F̄_k, FlowNet(I_t, I_k))
       ⊙ S`` for t ≠ k, ``F_t = F̄_k`` for t = k.
    5. N_parse (the detector's heads) on F_t; in training the loss of
       Eq. (7) flows back into every module that is not frozen.

    Stream mode caches the key frames (image + raw feature F_k, at most
    p + 1 of them) and the current F̄_k; frames wait until their key and
    references have arrived (at most (p + 1)·l frames at a video's start).

    Args:
        detector (dict): :class:`ParsingRCNN` config.
        motion (dict, optional): FlowNetS config (required unless
            ``propagate='none'``).
        encoder (dict, optional): Encoder config (Eq. 4); None when
            ``num_refs == 0`` (then F̄_k = F_k).
        key_interval (int): l. Defaults to 3.
        num_refs (int): p. Defaults to 2.
        propagate (str): ``'flow'`` or ``'none'`` ("w/o flow-warping
            alignment": references and non-key frames use the unwarped
            features). Defaults to ``'flow'``.
        freeze_modules (Sequence[str]): Modules kept frozen (e.g.
            ``['motion']``).
        test_mode (str): ``'auto'``, ``'clip'`` or ``'stream'``.
        data_preprocessor (dict, optional): ``VideoDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 detector: dict,
                 motion: Optional[dict] = None,
                 encoder: Optional[dict] = None,
                 key_interval: int = 3,
                 num_refs: int = 2,
                 propagate: str = 'flow',
                 freeze_modules: Sequence[str] = (),
                 test_mode: str = 'auto',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if num_refs > 0 and encoder is None:
            raise ValueError(f'{type(self).__name__}: num_refs={num_refs} '
                             'needs an encoder config (Eq. 4)')
        super().__init__(
            detector=detector, motion=motion, encoder=encoder,
            key_interval=key_interval, num_refs=num_refs,
            propagate=propagate, freeze_modules=freeze_modules,
            test_mode=test_mode, data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)

    def plan(self, t: int, num_frames: int) -> Dict:
        """Key and reference keys of ``t`` (§4.1, §4.4)."""
        return key_clip_indices(t, self.key_interval, self.num_refs,
                                num_frames)

    # -- Eq. 2-4 -----------------------------------------------------------
    def encode_key(self, key_img: Tensor, key_feat: Tensor,
                   ref_imgs: List[Tensor], ref_feats: List[Tensor]
                   ) -> Tensor:
        """Encoded key feature F̄_k (Eq. 3 and 4).

        Args:
            key_img (Tensor): ``(1, 3, H, W)`` key frame I_k.
            key_feat (Tensor): ``(1, C, h, w)`` raw feature F_k.
            ref_imgs (list[Tensor]): p frames ``(1, 3, H, W)``, encoder
                order.
            ref_feats (list[Tensor]): Their raw features ``(1, C, h, w)``.

        Returns:
            Tensor: ``(1, C, h, w)`` F̄_k.
        """
        if not ref_feats:
            return key_feat
        aligned = self.align(
            self._stack(ref_feats), key_img, self._stack(ref_imgs))
        seq = list(aligned.split(1)) + [key_feat]
        return self.encoder(seq)

    def propagate_key(self, enc: Tensor, img_t: Tensor,
                      key_img: Tensor) -> Tensor:
        """Feature of a non-key frame from F̄_k (Eq. 2).

        Args:
            enc (Tensor): ``(1, C, h, w)`` F̄_k.
            img_t (Tensor): ``(1, 3, H, W)`` target frame I_t.
            key_img (Tensor): ``(1, 3, H, W)`` key frame I_k.

        Returns:
            Tensor: ``(1, C, h, w)`` F_t.
        """
        return self.align(enc, img_t, key_img)

    # -- clip mode ---------------------------------------------------------
    def clip_feat(self, frames: Dict[int, Tensor], t: int,
                  plan: Dict) -> Tensor:
        """F_t from a clip {I_refs…, I_k, I_t} (training and clip mode)."""
        key, refs = plan['key'], plan['refs']
        feats = self.unique_feats(frames, [key, *refs])
        enc = self.encode_key(frames[key], feats[key],
                              [frames[r] for r in refs],
                              [feats[r] for r in refs])
        if t == key:
            return enc
        return self.propagate_key(enc, frames[t], frames[key])

    # -- stream mode -------------------------------------------------------
    def is_stream_entry(self, t: int, num_frames: int) -> bool:
        """Key frames are cached (image + raw feature)."""
        return self.plan(t, num_frames)['key'] == t

    def stream_needs(self, t: int, num_frames: int) -> List[int]:
        """The key of ``t`` and its reference keys."""
        plan = self.plan(t, num_frames)
        return [plan['key'], *plan['refs']]

    def stream_feat(self, t: int, img: Tensor, cache: StreamCache) -> Tensor:
        """F_t from the cached keys; F̄_k is computed once per key."""
        plan = self.plan(t, cache.video_length)
        key, refs = plan['key'], plan['refs']
        memo = cache.memo
        if memo.get('key') != key:
            entries = cache.entries
            memo['key'] = key
            memo['enc'] = self.encode_key(
                entries[key]['img'], entries[key]['feat'],
                [entries[r]['img'] for r in refs],
                [entries[r]['feat'] for r in refs])
        if t == key:
            return memo['enc']
        return self.propagate_key(memo['enc'], img,
                                  cache.entries[key]['img'])
