"""Horizontal flip of a whole clip that swaps left/right part classes."""
from typing import Optional, Sequence

import numpy as np
from mmdet.datasets.transforms import RandomFlip

from aten_mm.registry import TRANSFORMS

from ..vip_classes import VIP_FLIP_PAIRS
from .clip_transform_wrapper import ClipTransformWrapper


def swap_labels(seg: np.ndarray, pairs: Sequence) -> np.ndarray:
    """Exchange the ids of each pair ``(a, b)`` in a label map.

    Args:
        seg (np.ndarray): (H, W) label map.
        pairs (Sequence[tuple[int, int]]): Id pairs.

    Returns:
        np.ndarray: A new map with ``a`` and ``b`` swapped.
    """
    lut = np.arange(max(256, int(seg.max()) + 1), dtype=seg.dtype)
    for a, b in pairs:
        lut[a], lut[b] = b, a
    return lut[seg]


@TRANSFORMS.register_module()
class ClipRandomFlip(ClipTransformWrapper):
    """mmdet ``RandomFlip`` with one decision for all frames of a clip.

    Flipping mirrors the person, so after mmdet flips the frames, the
    target's boxes, masks and part map, the part map's left/right classes
    are swapped (docs/vip_protocol.md §2: 14↔15, 16↔17, 18↔19; mmdet's
    ``RandomFlip`` does not apply ``swap_seg_labels`` itself).

    Args:
        prob (float): Flip probability. Defaults to 0.5.
        direction (str): Defaults to ``'horizontal'``.
        swap_seg_labels (Sequence[tuple] | None): Class pairs to swap.
            Defaults to the VIP pairs; use ``None`` for DAVIS.
    """

    def __init__(self,
                 prob: float = 0.5,
                 direction: str = 'horizontal',
                 swap_seg_labels: Optional[Sequence] = VIP_FLIP_PAIRS):
        super().__init__(RandomFlip(prob=prob, direction=direction))
        self.swap_seg_labels = (None if swap_seg_labels is None else
                                [tuple(p) for p in swap_seg_labels])

    def transform(self, results: dict) -> dict:
        """Flip the clip; swap the L/R classes of the target's part map."""
        results = super().transform(results)
        if (results.get('flip') and self.swap_seg_labels
                and results.get('gt_seg_map') is not None):
            results['gt_seg_map'] = swap_labels(results['gt_seg_map'],
                                                self.swap_seg_labels)
        return results
