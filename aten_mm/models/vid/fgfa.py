"""FGFA: Flow-Guided Feature Aggregation (Zhu et al., ICCV 2017), Table 1.
"""
from typing import Dict, List, Optional

import torch
from torch import Tensor

from aten_mm.registry import MODELS
from aten_mm.structures.frame_plan import neighbor_clip_indices

from .base_video_parser import BaseVideoParser
from .stream_engine import StreamCache


@MODELS.register_module()
class FGFA(BaseVideoParser):
    """Flow-guided aggregation of the ``±K`` neighbours' features.

    N_feat runs on every frame. The neighbours j of the target t (``t-K …
    t+K``, the nearest frame repeated at the video's borders, see
    :func:`neighbor_clip_indices`) are aligned to t by the aligner (flow
    warping; FGFA has no scale field, so its configs build FlowNet-S
    without one) and aggregated with the per-pixel cosine-similarity weights of
    :class:`EmbedAggregator` (softmax over the frames); the target's own
    feature takes part with its unwarped feature. N_parse runs on the
    aggregate.

    Stream mode keeps a window of the last 2K + 1 frames (image + feature);
    a frame is parsed when its K later neighbours have arrived.

    Args:
        aggregator (dict): :class:`EmbedAggregator` config.
        num_neighbors (int): K. Defaults to 2.
        **kwargs: ``detector``, ``motion``, ``aligner``, ``align_refs``,
            ``freeze_modules``, ``data_preprocessor``, ``init_cfg`` of
            :class:`BaseVideoParser`.
    """

    CLIP_MODE = 'neighbors'
    PLAN_ARGS = ('num_neighbors', )

    def __init__(self,
                 aggregator: Optional[dict] = None,
                 num_neighbors: int = 2,
                 **kwargs) -> None:
        super().__init__(encoder=None, key_interval=1,
                         num_refs=num_neighbors, propagate='none', **kwargs)
        self.aggregator = MODELS.build(
            aggregator or dict(type='EmbedAggregator'))

    @property
    def num_neighbors(self) -> int:
        """int: K, the neighbours on each side."""
        return self.num_refs

    def plan(self, t: int, num_frames: int) -> Dict:
        """The target (as ``key``) and its ``±K`` neighbours (``refs``)."""
        return neighbor_clip_indices(t, self.num_refs, num_frames)

    def aggregate(self, img_t: Tensor, feat_t: Tensor,
                  ref_imgs: List[Tensor], ref_feats: List[Tensor]) -> Tensor:
        """Aggregated feature of the target.

        Args:
            img_t (Tensor): ``(1, 3, H, W)`` target frame.
            feat_t (Tensor): ``(1, C, h, w)`` its feature.
            ref_imgs (list[Tensor]): Neighbour frames ``(1, 3, H, W)``.
            ref_feats (list[Tensor]): Their features ``(1, C, h, w)``.

        Returns:
            Tensor: ``(1, C, h, w)``.
        """
        if not ref_feats:
            return feat_t
        aligned = self._stack(ref_feats)
        if self.align_refs:
            aligned = self.align(aligned, img_t, self._stack(ref_imgs))
        return self.aggregator(feat_t, torch.cat([feat_t, aligned]))

    def clip_feat(self, frames: Dict[int, Tensor], t: int,
                  plan: Dict) -> Tensor:
        """Aggregated F_t from a clip of the target and its neighbours."""
        refs = plan['refs']
        feats = self.unique_feats(frames, [t, *refs])
        return self.aggregate(frames[t], feats[t], [frames[r] for r in refs],
                              [feats[r] for r in refs])

    def is_stream_entry(self, t: int, num_frames: int) -> bool:
        """Every frame is cached (FGFA needs every frame's feature)."""
        return True

    def stream_needs(self, t: int, num_frames: int) -> List[int]:
        """The target and its neighbours."""
        return [t, *self.plan(t, num_frames)['refs']]

    def stream_feat(self, t: int, img: Tensor, cache: StreamCache) -> Tensor:
        """Aggregated F_t from the window of cached frames."""
        refs = self.plan(t, cache.video_length)['refs']
        entries = cache.entries
        return self.aggregate(img, entries[t]['feat'],
                              [entries[r]['img'] for r in refs],
                              [entries[r]['feat'] for r in refs])
