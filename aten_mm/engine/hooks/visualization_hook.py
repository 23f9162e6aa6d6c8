"""Hook drawing parsing results during validation and testing."""
import os.path as osp
from typing import Optional, Sequence

import mmcv
from mmengine.fileio import get
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmengine.visualization import Visualizer

from aten_mm.registry import HOOKS
from aten_mm.utils.path_check import join_inside


@HOOKS.register_module()
class ParsingVisualizationHook(Hook):
    """Draw GT and predicted parsing of val/test frames with the visualizer.

    Like mmdet's ``DetVisualizationHook``: off unless ``draw=True``
    (``tools/test.py --show-dir DIR`` or ``--show`` switches it on). During
    validation one frame every ``interval`` iterations goes to the
    visualization backends; during testing every frame is drawn, and with
    ``test_out_dir`` written to
    ``<work_dir>/<timestamp>/<test_out_dir>/<video_id>/<frame>.png``.
    The drawings use the palette of the dataset's metainfo
    (``metainfo['palette']``), which mmengine's loops hand to the
    visualizer as ``dataset_meta``.

    Args:
        draw (bool): Whether to draw at all. Defaults to False.
        interval (int): Draw every ``interval``-th val/test iteration.
            Defaults to 50 (val); testing with ``test_out_dir`` draws all.
        score_thr (float, optional): Person score threshold for drawing.
        show (bool): Show each drawing in a window.
        wait_time (float): Seconds a shown window stays.
        test_out_dir (str, optional): Sub-directory of the run's directory
            for test overlays.
        backend_args (dict, optional): File backend of the images.
    """

    def __init__(self,
                 draw: bool = False,
                 interval: int = 50,
                 score_thr: Optional[float] = None,
                 show: bool = False,
                 wait_time: float = 0.,
                 test_out_dir: Optional[str] = None,
                 backend_args: Optional[dict] = None) -> None:
        self.draw = draw
        self.interval = interval
        self.score_thr = score_thr
        self.show = show
        self.wait_time = wait_time
        self.test_out_dir = test_out_dir
        self.backend_args = backend_args
        self._test_index = 0

    @property
    def _visualizer(self) -> Visualizer:
        return Visualizer.get_current_instance()

    def _image(self, data_sample):
        img_path = data_sample.metainfo.get('img_path')
        if img_path is None:
            raise KeyError(
                'ParsingVisualizationHook needs "img_path" in the data '
                'sample metainfo to draw on the original frame.')
        img_bytes = get(img_path, backend_args=self.backend_args)
        return mmcv.imfrombytes(img_bytes, channel_order='rgb')

    @staticmethod
    def _frame_name(data_sample) -> str:
        meta = data_sample.metainfo
        stem = osp.splitext(osp.basename(meta.get('img_path', 'frame')))[0]
        video = meta.get('video_id')
        return osp.join(str(video), stem) if video is not None else stem

    def after_val_iter(self, runner: Runner, batch_idx: int,
                       data_batch: dict, outputs: Sequence) -> None:
        """Draw the first frame of every ``interval``-th val batch."""
        if not self.draw or not outputs:
            return
        total_curr_iter = runner.iter + batch_idx
        if total_curr_iter % self.interval != 0:
            return
        sample = outputs[0]
        self._visualizer.add_datasample(
            osp.basename(self._frame_name(sample)) + '_val',
            self._image(sample),
            data_sample=sample,
            show=self.show,
            wait_time=self.wait_time,
            pred_score_thr=self.score_thr,
            step=total_curr_iter)

    def before_test(self, runner: Runner) -> None:
        self._test_index = 0

    def after_test_iter(self, runner: Runner, batch_idx: int,
                        data_batch: dict, outputs: Sequence) -> None:
        """Draw every test frame (to ``test_out_dir`` when set)."""
        if not self.draw:
            return
        out_root = None
        if self.test_out_dir is not None:
            out_root = osp.join(runner.work_dir, runner.timestamp,
                                self.test_out_dir)
        for sample in outputs:
            self._test_index += 1
            if out_root is None and self._test_index % self.interval != 0 \
                    and not self.show:
                continue
            name = self._frame_name(sample)
            out_file = None
            if out_root is not None:
                out_file = join_inside(out_root, name + '.png')
            self._visualizer.add_datasample(
                name,
                self._image(sample),
                data_sample=sample,
                show=self.show,
                wait_time=self.wait_time,
                pred_score_thr=self.score_thr,
                out_file=out_file,
                step=self._test_index)
