"""Pack a frame pair and its flow for ``FlowEstimator``."""
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import BaseDataElement

from aten_mm.registry import TRANSFORMS

FLOW_META_KEYS = ('img_path', 'ref_img_path', 'flow_path', 'video', 'frame',
                  'img_shape', 'ori_shape', 'flip')


@TRANSFORMS.register_module()
class PackFlowInputs(BaseTransform):
    """Pack ``imgs`` and the ground truth.

    Returns ``inputs``: uint8 (2, 3, H, W) [frame t, frame t-1] (BGR, as
    loaded; the ``VideoDataPreprocessor`` converts), and ``data_samples``:
    a ``BaseDataElement`` with ``gt_flow`` (2, H, W) float32 pixels,
    ``gt_valid`` (H, W) bool, ``gt_person`` (H, W) bool (all False when
    frame t has no person annotation) and the meta ``has_person``.
    """

    def transform(self, results: dict) -> dict:
        """Pack one pair."""
        imgs = np.stack(results['imgs']).transpose(0, 3, 1, 2)
        meta = {k: results[k] for k in FLOW_META_KEYS if k in results}
        person = results.get('gt_person')
        meta['has_person'] = person is not None
        if person is None:
            person = np.zeros(results['gt_valid'].shape, dtype=bool)
        sample = BaseDataElement(metainfo=meta)
        sample.gt_flow = torch.from_numpy(np.ascontiguousarray(
            results['gt_flow'].transpose(2, 0, 1)))
        sample.gt_valid = torch.from_numpy(np.ascontiguousarray(
            results['gt_valid']))
        sample.gt_person = torch.from_numpy(np.ascontiguousarray(person))
        return dict(inputs=torch.from_numpy(np.ascontiguousarray(imgs)),
                    data_samples=sample)
