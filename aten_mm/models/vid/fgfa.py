"""FGFA: Flow-Guided Feature Aggregation (Zhu et al., ICCV 2017), Table 1.
"""
from typing import Dict, List, Optional, Sequence

import torch
from torch import Tensor

from aten_mm.datasets.clip_sampling import neighbor_clip_indices
from aten_mm.registry import MODELS

from .base_video_parser import BaseVideoParser
from .stream_cache import StreamCache


@MODELS.register_module()
class FGFA(BaseVideoParser):
    """Flow-guided aggregation of the ``±K`` neighbours' features.

    N_feat runs on every frame. The neighbours j of the target t (``t-K …
    t+K``, the nearest frame repeated at the video's borders, see
    :func:`neighbor_clip_indices`) are aligned to t by flow warping ⊙ scale
    (Eq. 6) and aggregated with the per-pixel cosine-similarity weights of
    :class:`EmbedAggregator` (softmax over the frames); the target's own
    feature takes part with its unwarped feature. N_parse runs on the
    aggregate.

    Stream mode keeps a window of the last 2K + 1 frames (image + feature);
    a frame is parsed when its K later neighbours have arrived.

    Args:
        detector (dict): :class:`ParsingRCNN` config.
        motion (dict, optional): FlowNetS config.
        aggregator (dict): :class:`EmbedAggregator` config.
        num_neighbors (int): K. Defaults to 2.
        propagate (str): ``'flow'`` or ``'none'``.
        freeze_modules (Sequence[str]): Modules kept frozen.
        test_mode (str): ``'auto'``, ``'clip'`` or ``'stream'``.
        data_preprocessor (dict, optional): ``VideoDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 detector: dict,
                 motion: Optional[dict] = None,
                 aggregator: Optional[dict] = None,
                 num_neighbors: int = 2,
                 propagate: str = 'flow',
                 freeze_modules: Sequence[str] = (),
                 test_mode: str = 'auto',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            detector=detector, motion=motion, encoder=None, key_interval=1,
            num_refs=num_neighbors, propagate=propagate,
            freeze_modules=freeze_modules, test_mode=test_mode,
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
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
        aligned = self.align(
            self._stack(ref_feats), img_t, self._stack(ref_imgs))
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
