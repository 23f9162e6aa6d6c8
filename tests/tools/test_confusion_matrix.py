"""confusion_matrix.py on two hand-made frames: the matrix, the CSV, the
worst-frame ranking and the side-by-side panels."""
import csv
import os.path as osp

import cv2
import numpy as np
import pytest
from PIL import Image

# frame A: 255 (ignored) under a predicted 0; L/R arms confused
GT_A = np.array([[0, 0, 14, 14], [15, 15, 2, 255]], np.uint8)
PRED_A = np.array([[0, 14, 15, 14], [14, 15, 2, 0]], np.uint8)
# frame B: perfect
GT_B = np.array([[2, 2, 13, 13], [2, 2, 13, 13]], np.uint8)
PRED_B = GT_B.copy()


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('tools/analysis_tools/confusion_matrix.py')


@pytest.fixture
def layout(tmp_path):
    root, pred = tmp_path / 'VIP', tmp_path / 'pred'
    lists = root / 'VIP_Fine' / 'lists'
    lists.mkdir(parents=True)
    (lists / 'val_id.txt').write_text(
        'videos1/000000000001\nvideos1/000000000026\n')
    ann = root / 'VIP_Fine' / 'Annotations' / 'Category_ids' / 'videos1'
    gray = pred / 'videos1' / 'gray'
    img_dir = root / 'VIP_Fine' / 'Images' / 'videos1'
    for folder in (ann, gray, img_dir):
        folder.mkdir(parents=True)
    for frame, gt, pr in (('000000000001', GT_A, PRED_A),
                          ('000000000026', GT_B, PRED_B)):
        Image.fromarray(gt).save(ann / f'{frame}.png')
        Image.fromarray(pr).save(gray / f'global_{frame}.png')
        cv2.imwrite(str(img_dir / f'{frame}.jpg'),
                    np.full((2, 4, 3), 128, np.uint8))
    return root, pred


def test_matrix_csv_and_worst_frames(layout, tmp_path, tool):
    root, pred = layout
    out = tmp_path / 'analysis'
    r = tool.main([str(pred), str(root), '--out-dir', str(out),
                   '--topk', '1', '--show-dir', str(tmp_path / 'show')])
    expected = np.zeros((20, 20), np.int64)
    # hand count of (gt, pred) pairs; the 255 pixel is ignored
    for g, p, n in ((0, 0, 1), (0, 14, 1), (14, 15, 1), (14, 14, 1),
                    (15, 14, 1), (15, 15, 1), (2, 2, 1 + 4), (13, 13, 4)):
        expected[g, p] += n
    np.testing.assert_array_equal(r['confusion'], expected)
    with open(out / 'confusion_matrix.csv') as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ['gt \\ pred', 'background', 'hat']
    assert rows[15][0] == 'left-arm'
    np.testing.assert_array_equal(
        np.array([[int(v) for v in row[1:]] for row in rows[1:]]), expected)
    png = cv2.imread(str(out / 'confusion_matrix.png'))
    assert png is not None and png.shape[0] > 200
    # frame A: IoU bg 1/2, left-arm 1/4, right-arm 1/3, hair 1
    (miou, video, frame), = r['worst']
    assert (video, frame) == ('videos1', '000000000001')
    assert miou == pytest.approx((1 / 2 + 1 / 4 + 1 / 3 + 1) / 4)
    with open(out / 'worst_frames.csv') as f:
        assert list(csv.reader(f))[1] == [
            '1', 'videos1', '000000000001', f'{miou * 100:.2f}']
    panel, = r['shown']
    assert osp.basename(panel) == '001_videos1_000000000001.png'
    img = cv2.imread(panel)
    assert img.shape == (2, 12, 3)
    # the third panel is the prediction: pixel (0, 1) is left-arm (14)
    from aten_mm.visualization.palette import VIP_PALETTE
    np.testing.assert_array_equal(img[0, 8 + 1], VIP_PALETTE[14][::-1])


def test_missing_prediction_is_named(layout, tmp_path, tool):
    root, pred = layout
    (pred / 'videos1' / 'gray' / 'global_000000000026.png').unlink()
    with pytest.raises(FileNotFoundError, match='global_000000000026'):
        tool.main([str(pred), str(root), '--out-dir',
                   str(tmp_path / 'a')])
