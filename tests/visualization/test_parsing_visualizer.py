import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.structures import InstanceData, PixelData

from aten_mm.registry import VISUALIZERS
from aten_mm.visualization import VIP_PALETTE, draw_parsing


def _sample(h=16, w=24, pad=8):
    """A sample with GT padded to (h + pad, w + pad) and prediction at
    (h, w): the GT of the padded area must be cropped away."""
    gt = np.zeros((h + pad, w + pad), np.int64)
    gt[2:6, 2:8] = 5
    gt[h:, :] = 7          # padding area: must not show up
    gt[10, 10] = 255       # ignore -> drawn as background
    pred = np.zeros((h, w), np.int64)
    pred[8:12, 4:20] = 9
    person = np.zeros((1, h, w), bool)
    person[0, 7:13, 3:21] = True
    sample = DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w),
                                         video_id='v', img_path='v/1.jpg'))
    sample.gt_sem_seg = PixelData(sem_seg=torch.from_numpy(gt)[None])
    sample.gt_instances = InstanceData(
        masks=BitmapMasks(np.zeros((0, h + pad, w + pad), np.uint8),
                          h + pad, w + pad))
    sample.pred_sem_seg = PixelData(sem_seg=torch.from_numpy(pred)[None])
    sample.pred_instances = InstanceData(
        masks=torch.from_numpy(person), scores=torch.tensor([0.9]))
    return sample, gt[:h, :w].copy(), pred, person


def test_add_datasample_gt_left_pred_right(tmp_path):
    vis = VISUALIZERS.build(
        dict(type='ParsingVisualizer', name='vis_test_1', alpha=1.0))
    rgb = np.random.default_rng(0).integers(0, 256, (16, 24, 3), np.uint8)
    sample, gt, pred, person = _sample()
    out_file = tmp_path / 'x.png'
    drawn = vis.add_datasample('f', rgb, sample, out_file=str(out_file))
    assert drawn.shape == (16, 48, 3)
    gt[gt == 255] = 0
    bgr = rgb[..., ::-1]
    exp_gt = draw_parsing(bgr, gt, np.zeros((0, 16, 24), bool), [],
                          alpha=1.0)[..., ::-1]
    exp_pred = draw_parsing(bgr, pred, person, [1], alpha=1.0)[..., ::-1]
    assert np.array_equal(drawn[:, :24], exp_gt)
    assert np.array_equal(drawn[:, 24:], exp_pred)
    # GT class 5 in the palette (RGB), the padding class 7 nowhere
    assert drawn[3, 3].tolist() == VIP_PALETTE[5].tolist()
    assert not (drawn[:, :24] == VIP_PALETTE[7]).all(-1).any()
    import mmcv
    assert np.array_equal(mmcv.imread(str(out_file), channel_order='rgb'),
                          drawn)


def test_score_threshold_and_pred_only():
    vis = VISUALIZERS.build(
        dict(type='ParsingVisualizer', name='vis_test_2', alpha=1.0))
    rgb = np.zeros((16, 24, 3), np.uint8)
    sample, _, pred, person = _sample()
    kept = vis.add_datasample('f', rgb, sample, draw_gt=False)
    dropped = vis.add_datasample('f', rgb, sample, draw_gt=False,
                                 pred_score_thr=0.95)
    assert kept.shape == dropped.shape == (16, 24, 3)
    # the person outline (row 7) exists only below the threshold
    assert not np.array_equal(kept, dropped)
    assert np.array_equal(dropped[..., ::-1],
                          draw_parsing(rgb, pred, alpha=1.0))


def test_dataset_meta_palette_and_legend():
    vis = VISUALIZERS.build(
        dict(type='ParsingVisualizer', name='vis_test_3', alpha=1.0))
    rgb = np.zeros((16, 24, 3), np.uint8)
    sample, _, pred, _ = _sample()
    default = vis.draw_datasample(rgb, sample, draw_gt=False,
                                  pred_score_thr=1.0)
    assert default[10, 8].tolist() == VIP_PALETTE[9].tolist()
    palette = [[i, 2 * i, 3 * i] for i in range(20)]
    vis.dataset_meta = dict(classes=tuple('c%d' % i for i in range(20)),
                            palette=palette)
    drawn = vis.draw_datasample(rgb, sample, draw_gt=False,
                                pred_score_thr=1.0)
    # the pants pixels (class 9) take the metainfo colour
    assert drawn[10, 8].tolist() == [9, 18, 27]
    # add_datasample draws the same image
    assert np.array_equal(
        vis.add_datasample('f', rgb, sample, draw_gt=False,
                           pred_score_thr=1.0), drawn)
    vis.legend = True
    with_legend = vis.draw_datasample(rgb, sample, draw_gt=False,
                                      pred_score_thr=1.0)
    from aten_mm.visualization import draw_legend
    assert np.array_equal(
        with_legend[..., ::-1],
        draw_legend(drawn[..., ::-1], [9], vis.dataset_meta['classes'],
                    np.array(palette, np.uint8)))
