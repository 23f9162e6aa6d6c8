"""ATEN: Adaptive Temporal Encoding Network (paper §4, Algorithm 1)."""
from typing import Dict, List, Optional, Tuple, Union

import torch
from torch import Tensor

from aten_mm.models.layers.flow_compose import compose_flows
from aten_mm.registry import MODELS
from aten_mm.structures.frame_plan import key_clip_indices

from .base_video_parser import BaseVideoParser
from .propagated_feat import PropagatedFeat
from .stream_engine import StreamCache


@MODELS.register_module()
class ATEN(BaseVideoParser):
    """Adaptive temporal encoding with flow-guided propagation (§4).

    For a target frame t with key k (the median frame of t's segment of
    length l) and reference keys k_1 … k_p (the p previous keys, later keys
    at a video's start, §4.4; see :func:`key_clip_indices`):

    1. N_feat on the key frames only: F_k, F_{k_i} (Algorithm 1).
    2. Alignment of every reference key to the key (Eq. 3) by the aligner:
       ``F_{k_i→k} = W(F_{k_i}, FlowNet(I_k, I_{k_i})) ⊙ S``
       (``align_refs=False``: the raw F_{k_i}, the "w/o flow-warping
       align" ablation of §5.4).
    3. Temporal encoding (Eq. 4): ``F̄_k = ε(F_{k_p→k}, …, F_{k_1→k}, F_k)``
       (ConvGRU by default; ConvLSTM / average for the ablations), refs in
       the encoder order of :func:`key_clip_indices`, the key last.
    4. Propagation to the target (Eq. 2): ``F_t = W(F̄_k, FlowNet(I_t, I_k))
       ⊙ S`` for t ≠ k (the same aligner; ``propagate='none'``: F̄_k
       unwarped), ``F_t = F̄_k`` for t = k.
    5. N_parse (the detector's heads) on F_t; in training the loss of
       Eq. (7) flows back into every module that is not frozen.

    Stream mode caches the key frames (image + raw feature F_k, at most
    p + 1 of them) and the current F̄_k; frames wait until their key and
    references have arrived (at most (p + 1)·l frames at a video's start).

    With ``compose_flows=True`` stream mode runs FlowNet once per key for
    its reference keys instead of p times: the flow ``k -> k - j·l`` is the
    composition of ``k -> k - l`` with the flows the previous keys already
    computed (:func:`~aten_mm.models.layers.compose_flows`); clip mode and
    training always use direct flows.

    With ``propagate_heads=True`` inference runs the dense parts of N_parse
    (the parsing head's convs, the RPN's convs:
    ``detector.head_maps``) once per key, on F̄_k, and warps their outputs
    to the key's other frames with the flow of step 4 (Eq. 2 applied to
    the head outputs; the RoI heads still read the warped F_t). It is a
    cost option of the efficient configs, in clip and stream mode alike;
    training is unchanged.

    Args:
        key_interval (int): l. Defaults to 3.
        num_refs (int): p. Defaults to 2.
        encoder (dict, optional): Encoder config (Eq. 4); None when
            ``num_refs == 0`` (then F̄_k = F_k).
        compose_flows (bool): Compose reference-key flows in stream mode
            (see above). Defaults to False.
        propagate_heads (bool): Warp the key's dense head outputs to the
            non-key frames at inference (see above). Defaults to False.
        **kwargs: The other arguments of :class:`BaseVideoParser`
            (``detector``, ``motion``, ``aligner``, ``key_position``,
            ``align_refs``, ``propagate``, ``freeze_modules``,
            ``data_preprocessor``, ``init_cfg``).
    """

    def __init__(self,
                 key_interval: int = 3,
                 num_refs: int = 2,
                 encoder: Optional[dict] = None,
                 key_position: str = 'median',
                 compose_flows: bool = False,
                 propagate_heads: bool = False,
                 **kwargs) -> None:
        if num_refs > 0 and encoder is None:
            raise ValueError(f'{type(self).__name__}: num_refs={num_refs} '
                             'needs an encoder config (Eq. 4)')
        super().__init__(key_interval=key_interval, num_refs=num_refs,
                         encoder=encoder, key_position=key_position,
                         **kwargs)
        self.compose_flows = bool(compose_flows)
        self.propagate_heads = bool(propagate_heads)

    def plan(self, t: int, num_frames: int) -> Dict:
        """Key and reference keys of ``t`` (§4.1, §4.4)."""
        return key_clip_indices(t, self.key_interval, self.num_refs,
                                num_frames, key_position=self.key_position)

    # -- Eq. 2-4 -----------------------------------------------------------
    def encode_key(self, key_img: Tensor, key_feat: Tensor,
                   ref_imgs: List[Tensor], ref_feats: List[Tensor],
                   motion=None) -> Tensor:
        """Encoded key feature F̄_k (Eq. 3 and 4).

        Args:
            key_img (Tensor): ``(1, 3, H, W)`` key frame I_k.
            key_feat (Tensor): ``(1, C, h, w)`` raw feature F_k.
            ref_imgs (list[Tensor]): p frames ``(1, 3, H, W)``, encoder
                order.
            ref_feats (list[Tensor]): Their raw features ``(1, C, h, w)``.
            motion (Callable, optional): Flow net for the references
                (``motion(cur, refs) -> (flow, scale)``); the model's own
                FlowNet-S if None.

        Returns:
            Tensor: ``(1, C, h, w)`` F̄_k.
        """
        if not ref_feats:
            return key_feat
        refs = self._stack(ref_feats)
        if self.align_refs:
            refs = self.align(refs, key_img, self._stack(ref_imgs),
                              motion=motion)
        seq = list(refs.split(1)) + [key_feat]
        return self.encoder(seq)

    def propagate_key(self, enc: Tensor, img_t: Tensor, key_img: Tensor,
                      head_maps: Optional[Tensor] = None
                      ) -> Union[Tensor, PropagatedFeat]:
        """Feature of a non-key frame from F̄_k (Eq. 2).

        Args:
            enc (Tensor): ``(1, C, h, w)`` F̄_k.
            img_t (Tensor): ``(1, 3, H, W)`` target frame I_t.
            key_img (Tensor): ``(1, 3, H, W)`` key frame I_k.
            head_maps (Tensor, optional): ``detector.head_maps(F̄_k)``,
                warped along (``propagate_heads``).

        Returns:
            Tensor | PropagatedFeat: ``(1, C, h, w)`` F_t; with
            ``head_maps`` F_t and the warped maps.
        """
        if self.propagate == 'none':
            return enc if head_maps is None else PropagatedFeat(
                enc, head_maps)
        if head_maps is None:
            return self.align(enc, img_t, key_img)
        return PropagatedFeat(
            *self.align(enc, img_t, key_img, maps=head_maps))

    # -- clip mode ---------------------------------------------------------
    def _clip_enc(self, frames: Dict[int, Tensor], plan: Dict) -> Tensor:
        """F̄_k of a clip's key (Eq. 3, 4)."""
        key, refs = plan['key'], plan['refs']
        feats = self.unique_feats(frames, [key, *refs])
        return self.encode_key(frames[key], feats[key],
                               [frames[r] for r in refs],
                               [feats[r] for r in refs])

    def clip_feat(self, frames: Dict[int, Tensor], t: int,
                  plan: Dict) -> Tensor:
        """F_t from a clip {I_refs…, I_k, I_t} (training and clip mode)."""
        enc = self._clip_enc(frames, plan)
        if t == plan['key']:
            return enc
        return self.propagate_key(enc, frames[t], frames[plan['key']])

    def clip_predict_feat(self, frames: Dict[int, Tensor], t: int,
                          plan: Dict) -> Union[Tensor, PropagatedFeat]:
        """F_t for inference; with ``propagate_heads`` the key's head maps
        warped along (:class:`PropagatedFeat`)."""
        if not self.propagate_heads:
            return self.clip_feat(frames, t, plan)
        enc = self._clip_enc(frames, plan)
        maps = self.detector.head_maps(enc)
        if t == plan['key']:
            return PropagatedFeat(enc, maps)
        return self.propagate_key(enc, frames[t], frames[plan['key']],
                                  head_maps=maps)

    # -- stream mode -------------------------------------------------------
    def is_stream_entry(self, t: int, num_frames: int) -> bool:
        """Key frames are cached (image + raw feature)."""
        return self.plan(t, num_frames)['key'] == t

    def stream_needs(self, t: int, num_frames: int) -> List[int]:
        """The key of ``t`` and its reference keys."""
        plan = self.plan(t, num_frames)
        return [plan['key'], *plan['refs']]

    def stream_feat(self, t: int, img: Tensor, cache: StreamCache
                    ) -> Union[Tensor, PropagatedFeat]:
        """F_t from the cached keys; F̄_k (and with ``propagate_heads`` its
        head maps) is computed once per key."""
        plan = self.plan(t, cache.video_length)
        key, refs = plan['key'], plan['refs']
        memo = cache.memo
        if memo.get('key') != key:
            entries = cache.entries
            memo['key'] = key
            motion = None
            if self.compose_flows and self.align_refs and refs:
                motion = KeyFlows(self.motion, key, refs, entries,
                                  memo.get('key_flows', {}))
            memo['enc'] = self.encode_key(
                entries[key]['img'], entries[key]['feat'],
                [entries[r]['img'] for r in refs],
                [entries[r]['feat'] for r in refs], motion=motion)
            if motion is not None:
                memo['key_flows'] = motion.flows
            memo['maps'] = (self.detector.head_maps(memo['enc'])
                            if self.propagate_heads else None)
        maps = memo['maps']
        if t == key:
            return memo['enc'] if maps is None else PropagatedFeat(
                memo['enc'], maps)
        return self.propagate_key(memo['enc'], img,
                                  cache.entries[key]['img'], head_maps=maps)


class KeyFlows:
    """Flows from a key to its reference keys, composed where possible.

    Called like the flow net by the aligner (``(cur, refs) -> (flow,
    scale)`` for the p references at once), it computes directly only the
    pairs it cannot compose: references nearest first, ``k -> r`` is
    ``compose(k -> m, m -> r)`` when ``k -> m`` was computed now and
    ``m -> r`` by an earlier key (``known``). Afterwards :attr:`flows`
    holds this key's pairs, for the next key.

    Args:
        motion (nn.Module): The flow net (FlowNet-S with scale field).
        key (int): Frame index of the key k.
        refs (list[int]): Reference keys, encoder order.
        entries (dict): Stream cache entries (``img`` per frame index).
        known (dict): ``(a, b) -> (flow, scale)`` of the previous key.
    """

    def __init__(self, motion, key: int, refs: List[int], entries: Dict,
                 known: Dict[Tuple[int, int], Tuple]) -> None:
        self.motion = motion
        self.key = key
        self.refs = list(refs)
        self.entries = entries
        self.known = known
        self.flows: Dict[Tuple[int, int], Tuple] = {}

    def _pair(self, ref: int) -> Tuple[Tensor, Optional[Tensor]]:
        for (a, mid), (flow_km, scale_km) in list(self.flows.items()):
            if a == self.key and (mid, ref) in self.known:
                flow_mr, scale_mr = self.known[(mid, ref)]
                return compose_flows(flow_km, flow_mr, scale_km, scale_mr)
        return self.motion(self.entries[self.key]['img'],
                           self.entries[ref]['img'])

    def __call__(self, cur: Tensor, refs: Tensor):
        order = sorted(self.refs, key=lambda r: abs(self.key - r))
        for ref in order:
            self.flows[(self.key, ref)] = self._pair(ref)
        flows = [self.flows[(self.key, r)] for r in self.refs]
        flow = torch.cat([f for f, _ in flows])
        scales = [s for _, s in flows]
        scale = None if scales[0] is None else torch.cat(scales)
        return flow, scale
