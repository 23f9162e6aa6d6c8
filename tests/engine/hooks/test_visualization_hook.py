import os.path as osp
from types import SimpleNamespace

import cv2
import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import PixelData

from aten_mm.registry import HOOKS, VISUALIZERS


def test_test_drawings_use_the_dataset_palette(tmp_path):
    """``--show-dir`` drawings: the part colours come from the dataset's
    metainfo palette, which the loops give the visualizer."""
    frame = np.full((12, 16, 3), 40, np.uint8)
    img_path = str(tmp_path / '000000000001.png')
    cv2.imwrite(img_path, frame)
    part = np.zeros((12, 16), np.int64)
    part[2:10, 3:12] = 5
    sample = DetDataSample(metainfo=dict(img_path=img_path, video_id='v1',
                                         ori_shape=(12, 16)))
    sample.pred_sem_seg = PixelData(sem_seg=torch.from_numpy(part)[None])
    vis = VISUALIZERS.build(dict(type='ParsingVisualizer', alpha=1.0,
                                 name=f'hook_palette_{id(tmp_path)}'))
    palette = [[c, 100, 200 - c] for c in range(20)]
    vis.dataset_meta = dict(classes=tuple(map(str, range(20))),
                            palette=palette)  # what the test loop sets
    hook = HOOKS.build(dict(type='ParsingVisualizationHook', draw=True,
                            test_out_dir='vis'))
    runner = SimpleNamespace(work_dir=str(tmp_path), timestamp='t')
    hook.before_test(runner)
    hook.after_test_iter(runner, 0, {}, [sample])
    drawn = cv2.imread(osp.join(tmp_path, 't', 'vis', 'v1',
                                '000000000001.png'))
    assert drawn[5, 6].tolist() == palette[5][::-1]   # BGR on disk
    assert drawn[0, 0].tolist() == [40, 40, 40]       # background kept
