"""Visualizer of instance-level human parsing results."""
from typing import Optional

import mmcv
import numpy as np
from mmengine.visualization import Visualizer

from aten_mm.registry import VISUALIZERS

from .draw_parsing import draw_data_sample, draw_parsing  # noqa: F401
from .palette import palette_from_meta


def _has_parsing(data_sample, which: str) -> bool:
    """Whether the sample holds a part map or person masks (mmdet's
    ``PackDetInputs`` adds an empty ``gt_instances`` even without GT)."""
    if f'{which}_sem_seg' in data_sample:
        return True
    inst = data_sample.get(f'{which}_instances')
    return inst is not None and 'masks' in inst


@VISUALIZERS.register_module()
class ParsingVisualizer(Visualizer):
    """mmengine ``Visualizer`` drawing parts, person outlines and ids.

    ``add_datasample`` draws the ground truth and the prediction of one
    frame side by side (GT left) with :func:`draw_parsing`: the global part
    map of paper §4.5 in the dataset palette (``dataset_meta['palette']``,
    which the datasets carry in their metainfo; the VIP palette without
    one), alpha-blended, and each person of ``pred_instances`` /
    ``gt_instances`` outlined with its id in the colours of
    :func:`~aten_mm.visualization.palette.person_colors`. The result goes
    to ``out_file`` when given, else to the visualization backends
    (``LocalVisBackend`` writes PNGs under the work dir; add
    ``dict(type='TensorboardVisBackend')`` to ``vis_backends`` in the
    config for TensorBoard, which needs the ``tensorboard`` package).

    Args:
        name (str): Instance name. Defaults to ``'visualizer'``.
        image (np.ndarray, optional): Initial RGB image.
        vis_backends (list[dict], optional): Backend configs.
        save_dir (str, optional): Directory of the backends' files.
        alpha (float): Opacity of the part colours. Defaults to 0.6.
        palette (np.ndarray, optional): ``(C, 3)`` RGB colours; defaults to
            the ``palette`` of ``dataset_meta`` when present, else
            :data:`VIP_PALETTE`.
        legend (bool): Draw a legend of the classes present in each panel
            (names from ``dataset_meta['classes']``). Defaults to False.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 image: Optional[np.ndarray] = None,
                 vis_backends: Optional[list] = None,
                 save_dir: Optional[str] = None,
                 alpha: float = 0.6,
                 palette: Optional[np.ndarray] = None,
                 legend: bool = False) -> None:
        super().__init__(name=name, image=image, vis_backends=vis_backends,
                         save_dir=save_dir)
        self.alpha = alpha
        self.palette = palette
        self.legend = legend

    def _palette(self) -> np.ndarray:
        if self.palette is not None:
            return np.asarray(self.palette, dtype=np.uint8)
        return palette_from_meta(self.dataset_meta)

    def _class_names(self):
        if not self.legend:
            return None
        from aten_mm.datasets.vip_classes import VIP_CLASSES
        return (self.dataset_meta or {}).get('classes', VIP_CLASSES)

    def draw_datasample(self,
                        image: np.ndarray,
                        data_sample=None,
                        draw_gt: bool = True,
                        draw_pred: bool = True,
                        pred_score_thr: Optional[float] = None
                        ) -> np.ndarray:
        """Draw one frame's GT and prediction panels (no output).

        Args:
            image (np.ndarray): ``(H, W, 3)`` uint8 RGB frame at original
                size.
            data_sample (DetDataSample, optional): See
                :meth:`add_datasample`.
            draw_gt (bool): Draw the ground truth panel when present.
            draw_pred (bool): Draw the prediction panel when present.
            pred_score_thr (float, optional): Person score threshold.

        Returns:
            np.ndarray: ``(H, W', 3)`` uint8 RGB, the panels side by side
            (GT left); the plain image when there is nothing to draw.
        """
        image = np.ascontiguousarray(image)
        bgr = image[..., ::-1]
        palette = self._palette()
        names = self._class_names()
        panels = []
        if data_sample is not None:
            if draw_gt and _has_parsing(data_sample, 'gt'):
                panels.append(draw_data_sample(
                    bgr, data_sample, 'gt', self.alpha, palette=palette,
                    class_names=names))
            if draw_pred and _has_parsing(data_sample, 'pred'):
                panels.append(draw_data_sample(
                    bgr, data_sample, 'pred', self.alpha,
                    score_thr=pred_score_thr, palette=palette,
                    class_names=names))
        if not panels:
            panels.append(bgr)
        return np.ascontiguousarray(
            np.concatenate(panels, axis=1)[..., ::-1])

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample=None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       pred_score_thr: Optional[float] = None,
                       step: int = 0) -> np.ndarray:
        """Draw one frame's GT and prediction and store or show them.

        Args:
            name (str): Image name for the backends / window.
            image (np.ndarray): ``(H, W, 3)`` uint8 RGB frame at original
                size.
            data_sample (DetDataSample, optional): The frame's sample with
                ``gt_*`` and/or ``pred_*`` fields.
            draw_gt (bool): Draw the ground truth panel when present.
            draw_pred (bool): Draw the prediction panel when present.
            show (bool): Show the result in a window.
            wait_time (float): Seconds the window stays.
            out_file (str, optional): Write the result here (PNG/JPG)
                instead of to the backends.
            pred_score_thr (float, optional): Person score threshold.
            step (int): Global step for the backends.

        Returns:
            np.ndarray: The drawn ``(H, W', 3)`` uint8 RGB image (panels
            side by side).
        """
        drawn = self.draw_datasample(image, data_sample, draw_gt, draw_pred,
                                     pred_score_thr)
        self.set_image(drawn)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            if not mmcv.imwrite(drawn[..., ::-1], out_file):
                raise OSError(f'Cannot encode image "{out_file}" (unknown '
                              'extension?).')
        else:
            self.add_image(name, drawn, step)
        return drawn
