import glob
import os.path as osp
from types import SimpleNamespace

import cv2
import mmcv
import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import PixelData

from aten_mm.registry import HOOKS, VISUALIZERS
from aten_mm.visualization import draw_parsing


def _sample(img_path):
    part = torch.zeros(1, 12, 16, dtype=torch.long)
    part[0, 2:6, 3:9] = 2
    sample = DetDataSample(metainfo=dict(img_path=img_path, video_id='vid',
                                         img_shape=(12, 16)))
    sample.pred_sem_seg = PixelData(sem_seg=part)
    return sample, part[0].numpy()


def test_hook_draws_val_and_test_frames(tmp_path):
    img = np.random.default_rng(0).integers(0, 256, (12, 16, 3), np.uint8)
    img_path = str(tmp_path / '000000000026.png')
    mmcv.imwrite(img, img_path)  # BGR, lossless
    VISUALIZERS.build(dict(
        type='ParsingVisualizer', name='hook_test', alpha=1.0,
        vis_backends=[dict(type='LocalVisBackend')],
        save_dir=str(tmp_path / 'vis')))
    runner = SimpleNamespace(iter=0, work_dir=str(tmp_path / 'work'),
                             timestamp='ts')
    sample, part = _sample(img_path)

    off = HOOKS.build(dict(type='ParsingVisualizationHook'))
    off.after_test_iter(runner, 0, {}, [sample])
    assert not glob.glob(str(tmp_path / 'work' / '**' / '*.png'),
                         recursive=True)

    hook = HOOKS.build(dict(type='ParsingVisualizationHook', draw=True,
                            interval=1, test_out_dir='overlays'))
    hook.after_val_iter(runner, 0, {}, [sample])
    assert len(glob.glob(str(tmp_path / 'vis' / '**' / '*.png'),
                         recursive=True)) == 1
    hook.before_test(runner)
    hook.after_test_iter(runner, 0, {}, [sample])
    out = osp.join(runner.work_dir, 'ts', 'overlays', 'vid',
                   '000000000026.png')
    assert np.array_equal(mmcv.imread(out),
                          draw_parsing(img, part, alpha=1.0))


def test_test_overlays_stay_inside_the_show_dir(tmp_path):
    """A video id that leads outside --show-dir is refused, not written."""
    import pytest
    img_path = str(tmp_path / '000000000026.png')
    mmcv.imwrite(np.zeros((12, 16, 3), np.uint8), img_path)
    VISUALIZERS.build(dict(
        type='ParsingVisualizer', name='hook_escape', alpha=1.0,
        vis_backends=[dict(type='LocalVisBackend')],
        save_dir=str(tmp_path / 'vis')))
    runner = SimpleNamespace(iter=0, work_dir=str(tmp_path / 'work'),
                             timestamp='ts')
    sample, _ = _sample(img_path)
    sample.set_metainfo(dict(video_id='../../../escaped'))
    hook = HOOKS.build(dict(type='ParsingVisualizationHook', draw=True,
                            interval=1, test_out_dir='overlays'))
    hook.before_test(runner)
    with pytest.raises(ValueError, match='outside the output folder'):
        hook.after_test_iter(runner, 0, {}, [sample])
    assert not glob.glob(str(tmp_path / '**' / 'escaped*'), recursive=True)


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
