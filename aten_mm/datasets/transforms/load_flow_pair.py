"""Load a frame pair with its ground-truth flow (FlowPairDataset items)."""
from typing import Optional

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from aten_mm.registry import TRANSFORMS

from .load_clip_frames import load_image


def read_flow(path: str) -> np.ndarray:
    """Read a Middlebury ``.flo`` file with ``mmcv.flowread``.

    Args:
        path (str): The file.

    Returns:
        np.ndarray: (H, W, 2) float32 flow in pixels.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: Not a valid ``.flo`` file.
    """
    try:
        flow = mmcv.flowread(path)
    except FileNotFoundError:
        raise FileNotFoundError(f'flow file not found: {path}') from None
    except (OSError, IOError, ValueError, TypeError) as e:
        raise ValueError(f'cannot read flow file {path}: {e}') from None
    if flow.ndim != 3 or flow.shape[2] != 2:
        raise ValueError(f'flow file {path}: expected (H, W, 2), got '
                         f'{flow.shape}')
    return flow.astype(np.float32)


@TRANSFORMS.register_module()
class LoadFlowPair(BaseTransform):
    """Load frames ``t`` and ``t - 1``, the flow, its mask and the person.

    Required keys: ``img_path``, ``ref_img_path``, ``flow_path``,
    ``valid_path`` (None: all valid), ``person_path`` (None: unknown).

    Added keys: ``imgs`` ([frame t, frame t-1], (H, W, 3) uint8 BGR),
    ``target_pos`` (0), ``gt_flow`` ((H, W, 2) float32 pixels, backward
    flow of frame t), ``gt_valid`` ((H, W) bool), ``gt_person`` ((H, W)
    bool, or None when frame t is not annotated), ``img_shape``,
    ``ori_shape``.

    Args:
        backend_args (dict, optional): mmengine file backend arguments.
    """

    def __init__(self, backend_args: Optional[dict] = None) -> None:
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        """Load the pair.

        Raises:
            FileNotFoundError: A file is missing.
            ValueError: The frames, flow and masks differ in size.
        """
        cur = load_image(results['img_path'],
                         backend_args=self.backend_args)
        ref = load_image(results['ref_img_path'],
                         backend_args=self.backend_args)
        flow = read_flow(results['flow_path'])
        size = cur.shape[:2]
        if results.get('valid_path'):
            valid = load_image(results['valid_path'], flag='grayscale',
                               backend_args=self.backend_args) > 127
        else:
            valid = np.ones(size, dtype=bool)
        person = None
        if results.get('person_path'):
            person = load_image(results['person_path'], flag='unchanged',
                                backend_args=self.backend_args)
            person = (person.reshape(person.shape[:2] + (-1, ))
                      > 0).any(-1)
        for name, arr in (('frame t-1', ref), ('flow', flow),
                          ('valid mask', valid), ('person mask', person)):
            if arr is not None and arr.shape[:2] != size:
                raise ValueError(
                    f'{results["flow_path"]}: {name} is {arr.shape[:2]}, '
                    f'frame t ({results["img_path"]}) is {size}')
        results.update(imgs=[cur, ref], target_pos=0, gt_flow=flow,
                       gt_valid=valid, gt_person=person, img_shape=size,
                       ori_shape=size)
        return results
