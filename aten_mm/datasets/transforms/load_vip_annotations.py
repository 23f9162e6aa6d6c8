"""Load VIP ground truth of the target frame (docs/vip_protocol.md §1, §2)."""
from typing import Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.structures.bbox import HorizontalBoxes
from mmdet.structures.mask import BitmapMasks

from aten_mm.registry import TRANSFORMS

from .load_clip_frames import load_image


def load_label_map(path: str, backend_args: Optional[dict] = None
                   ) -> np.ndarray:
    """Read a single-channel raw-id png; errors name the file.

    Returns:
        np.ndarray: ``(H, W)`` integer map.
    """
    lbl = load_image(path, 'unchanged', 'cv2', backend_args)
    if lbl.ndim == 3 and lbl.shape[2] == 1:
        lbl = lbl[..., 0]
    if lbl.ndim != 2:
        raise ValueError(f'{path}: expected a single-channel label png of '
                         f'raw ids, got shape {lbl.shape}')
    return lbl


def load_target_label_map(results: dict, key: str,
                          backend_args: Optional[dict] = None
                          ) -> Tuple[np.ndarray, str]:
    """Read the label png ``results[key]`` of the target frame.

    Args:
        results (dict): Transform results with ``ori_shape`` (set by
            :class:`LoadClipFrames`) and ``key``.
        key (str): The path key, e.g. ``'seg_map_path'``.
        backend_args (dict | None): mmengine file backend arguments.

    Returns:
        tuple[np.ndarray, str]: The ``(H, W)`` integer map and its path.

    Raises:
        ValueError: The map is not single-channel or its size differs from
            the frame's ``ori_shape``.
    """
    path = results.get(key)
    if path is None:
        raise FileNotFoundError(
            f'frame {results.get("img_path")} has no {key}: its '
            'ground-truth file is not on disk')
    lbl = load_label_map(path, backend_args)
    if tuple(lbl.shape[:2]) != tuple(results['ori_shape'][:2]):
        raise ValueError(f'{path}: label size {lbl.shape[:2]} differs from '
                         f'the frame size {tuple(results["ori_shape"])}')
    return lbl, path


@TRANSFORMS.register_module()
class LoadVIPAnnotations(BaseTransform):
    """Part map and person instances of the target frame.

    Reads ``seg_map_path`` (``Category_ids``: part class 0..19, 255 =
    ignore) into ``gt_seg_map`` and ``human_map_path`` (``Human_ids``: 0 =
    background, k = person k) into one person instance per distinct
    non-zero id (ascending): ``gt_masks`` (``BitmapMasks`` (n, H, W)),
    ``gt_bboxes`` (``HorizontalBoxes`` (n, 4) xyxy, the mask extents),
    ``gt_bboxes_labels`` (n,) all 0 (person), ``gt_ignore_flags`` (n,)
    False. Must run after :class:`LoadClipFrames` (sizes are checked
    against the frame).

    Args:
        with_seg (bool): Load the part map. Defaults to True.
        with_instances (bool): Load the persons. Defaults to True.
        num_classes (int): Valid part ids are ``0..num_classes-1``.
            Defaults to 20.
        ignore_index (int): The one other allowed value. Defaults to 255.
        backend_args (dict | None): mmengine file backend arguments.
    """

    def __init__(self,
                 with_seg: bool = True,
                 with_instances: bool = True,
                 num_classes: int = 20,
                 ignore_index: int = 255,
                 backend_args: Optional[dict] = None):
        self.with_seg = with_seg
        self.with_instances = with_instances
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.backend_args = backend_args

    def _load_seg(self, results: dict) -> None:
        seg, path = load_target_label_map(results, 'seg_map_path',
                                          self.backend_args)
        bad = (seg >= self.num_classes) & (seg != self.ignore_index)
        if bad.any():
            values = np.unique(seg[bad])[:5].tolist()
            raise ValueError(
                f'{path}: part label values {values} outside '
                f'0..{self.num_classes - 1} (or {self.ignore_index} = '
                'ignore)')
        results['gt_seg_map'] = seg.astype(np.uint8)
        results['ignore_index'] = self.ignore_index

    def _load_instances(self, results: dict) -> None:
        human, _ = load_target_label_map(results, 'human_map_path',
                                         self.backend_args)
        ids = np.unique(human)
        ids = ids[ids != 0]
        h, w = human.shape
        masks = BitmapMasks(
            (human[None] == ids[:, None, None]).astype(np.uint8), h, w)
        results['gt_masks'] = masks
        results['gt_bboxes'] = masks.get_bboxes(dst_type='hbox') if len(
            ids) else HorizontalBoxes(np.zeros((0, 4), np.float32))
        results['gt_bboxes_labels'] = np.zeros(len(ids), np.int64)
        results['gt_ignore_flags'] = np.zeros(len(ids), bool)

    def transform(self, results: dict) -> dict:
        """Load the target frame's ground truth.

        Raises:
            FileNotFoundError: A ground-truth file is missing.
            ValueError: A part label outside ``0..num_classes-1`` / 255, or
                a label map whose size differs from the frame.
        """
        if self.with_seg:
            self._load_seg(results)
        if self.with_instances:
            self._load_instances(results)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(with_seg={self.with_seg}, '
                f'with_instances={self.with_instances}, '
                f'num_classes={self.num_classes})')
