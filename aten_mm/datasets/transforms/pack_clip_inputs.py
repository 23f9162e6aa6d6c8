"""Pack a clip into ``inputs`` + a ``DetDataSample`` (docs/interfaces.md)."""
import numpy as np
import torch
from mmdet.datasets.transforms import PackDetInputs

from aten_mm.registry import TRANSFORMS

CLIP_META_KEYS = (
    'video_id', 'video_length', 'frame_id', 'frame_index', 'key_frame_index',
    'ref_frame_indices', 'clip_frame_indices', 'img_path', 'ori_shape',
    'img_shape', 'scale_factor', 'flip', 'flip_direction', 'degraded',
    'seg_map_path', 'human_map_path', 'instance_map_path',
    'instance_txt_path', 'stream')


@TRANSFORMS.register_module()
class PackClipInputs(PackDetInputs):
    """mmdet ``PackDetInputs`` for a clip.

    ``inputs`` is the uint8 tensor ``(F, 3, H, W)`` (BGR) of the F frames
    in ``clip_frame_indices`` order; the data sample is the target frame's
    ``DetDataSample`` built by ``PackDetInputs`` (``gt_instances`` with
    ``HorizontalBoxes`` boxes, labels and ``BitmapMasks``; ``gt_sem_seg``
    as ``PixelData(sem_seg=(1, H, W) long)``) with the clip metainfo.

    Args:
        meta_keys (tuple[str]): Metainfo keys copied when present. Defaults
            to the contract's keys (``CLIP_META_KEYS``).
    """

    def __init__(self, meta_keys=CLIP_META_KEYS):
        super().__init__(meta_keys=meta_keys)

    def transform(self, results: dict) -> dict:
        """Pack the clip.

        Args:
            results (dict): After the clip transforms (``imgs``,
                ``target_pos``, ground truth of the target).

        Returns:
            dict: ``inputs`` (F, 3, H, W) uint8 and ``data_samples``.
        """
        imgs = results['imgs']
        results['img'] = imgs[results['target_pos']]
        if 'flip' not in results:
            results['flip'] = False
            results['flip_direction'] = None
        if 'scale_factor' not in results:
            results['scale_factor'] = (1.0, 1.0)
        packed = super().transform(results)
        del results['img']
        clip = np.ascontiguousarray(np.stack(imgs).transpose(0, 3, 1, 2))
        packed['inputs'] = torch.from_numpy(clip)
        sample = packed['data_samples']
        if 'gt_sem_seg' in sample:
            sample.gt_sem_seg.sem_seg = sample.gt_sem_seg.sem_seg.long()
        return packed
