"""Apply one image transform to every frame of a clip with shared
randomness (same decision on all frames: paper §4.4 trains on clips)."""
from typing import Optional, Union

from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_random_params

from aten_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ClipTransformWrapper(BaseTransform):
    """Run an mmcv/mmdet transform on each frame of ``results['imgs']``.

    The target frame (``results['target_pos']``) is processed first with
    the ground truth (every ``gt_*`` key), then the other frames with the
    image only; ``@cache_randomness`` methods of the wrapped transform are
    cached over the clip (mmcv's ``cache_random_params``, the mechanism of
    ``TransformBroadcaster``), so every frame gets the same random
    parameters. The target's outputs (``img_shape``, ``scale_factor``,
    ``flip``, ``gt_*``...) are kept in ``results``.

    Args:
        transform (dict | BaseTransform): The per-frame transform, e.g.
            ``dict(type='RandomCrop', crop_size=(384, 640))`` (mmdet types
            resolve unscoped).
    """

    def __init__(self, transform: Union[dict, BaseTransform]):
        if isinstance(transform, dict):
            transform = TRANSFORMS.build(transform)
        self.transform_fn = transform

    def _frame_result(self, results: dict, img, with_gt: bool) -> dict:
        frame = {
            k: v
            for k, v in results.items()
            if k != 'imgs' and (with_gt or not k.startswith('gt_'))
        }
        frame['img'] = img
        return frame

    def postprocess_img(self, img):
        """Hook for subclasses: fix up one transformed frame."""
        return img

    def transform(self, results: dict) -> Optional[dict]:
        """Transform every frame of the clip.

        Args:
            results (dict): With ``imgs`` and ``target_pos``.

        Returns:
            dict | None: ``results`` with transformed ``imgs``; None when
            the wrapped transform rejects the target (mmengine's dataset
            then draws another item).
        """
        imgs = list(results['imgs'])
        tpos = results['target_pos']
        order = [tpos] + [i for i in range(len(imgs)) if i != tpos]
        target = None
        with cache_random_params(self.transform_fn):
            for i in order:
                out = self.transform_fn(
                    self._frame_result(results, imgs[i], i == tpos))
                if out is None:
                    return None
                imgs[i] = self.postprocess_img(out.pop('img'))
                if i == tpos:
                    target = out
                elif imgs[i].shape[:2] != imgs[tpos].shape[:2]:
                    raise RuntimeError(
                        f'{self.transform_fn!r} gave frames of different '
                        f'sizes {imgs[i].shape[:2]} / {imgs[tpos].shape[:2]}'
                    )
        results.update(target)
        results['imgs'] = imgs
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self.transform_fn!r})'
