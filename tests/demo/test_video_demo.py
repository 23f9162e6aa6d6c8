"""demo/video_demo.py and demo/image_demo.py on synthetic frames with the
tiny per-frame model (random weights, saved as a checkpoint)."""
import glob
import importlib.util
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from aten_mm.apis import init_model
from aten_mm.visualization import draw_parsing

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'parsing_rcnn',
                  'parsing-rcnn_tiny_synthetic.py')


def load_script(relpath):
    spec = importlib.util.spec_from_file_location(
        'demo_' + osp.basename(relpath)[:-3], osp.join(REPO, relpath))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


video_demo = load_script('demo/video_demo.py')
image_demo = load_script('demo/image_demo.py')


def read_video(path):
    cap = cv2.VideoCapture(path)
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames, fps


@pytest.fixture(scope='module')
def assets(tmp_path_factory):
    from aten_mm.datasets.synthetic import generate_dataset
    tmp = tmp_path_factory.mktemp('demo')
    root = str(tmp / 'synthetic')
    generate_dataset(root, num_videos=2, num_frames=6, size=(96, 64),
                     annotate_every=5, seed=1, progress=False)
    folder = osp.join(root, 'VIP_Sequence', 'videos1')
    frames = [cv2.imread(p) for p in sorted(glob.glob(folder + '/*.jpg'))]
    video = str(tmp / 'clip.mp4')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             (96, 64))
    for frame in frames:
        writer.write(frame)
    writer.release()
    torch.manual_seed(0)
    model = init_model(CONFIG)
    ckpt = str(tmp / 'tiny.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    return dict(tmp=tmp, folder=folder, video=video, ckpt=ckpt,
                num_frames=len(frames))


def test_video_demo_writes_overlay_with_same_frames_and_fps(assets):
    tmp = assets['tmp']
    out = str(tmp / 'out' / 'overlay.mp4')
    off = str(tmp / 'official')
    video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--out', out,
                     '--out-dir', off, '--alpha', '1', '--score-thr', '2'])
    frames, fps = read_video(out)
    inputs, _ = read_video(assets['video'])
    assert len(frames) == len(inputs) == assets['num_frames'] == 6
    assert fps == pytest.approx(10)
    assert frames[0].shape == (64, 96, 3)
    assert os.listdir(osp.dirname(out)) == ['overlay.mp4']  # no temp left
    names = sorted(os.listdir(osp.join(off, 'clip', 'gray')))
    assert [n for n in names if n.startswith('global_')] == [
        f'global_{i:012d}.png' for i in range(1, 7)]
    # Each output frame is the input with the written part map painted in
    # the palette (alpha 1, persons hidden by --score-thr 2), up to the
    # mp4 compression.
    for i in (0, 5):
        part = np.array(Image.open(osp.join(
            off, 'clip', 'gray', f'global_{i + 1:012d}.png'))).astype(int)
        assert (part > 0).mean() > 0.05  # the random model paints parts
        expected = draw_parsing(inputs[i], part, alpha=1.0).astype(int)
        err = np.median(np.abs(frames[i].astype(int) - expected))
        off_by_input = np.abs(frames[i].astype(int) - inputs[i]).mean()
        assert err < 6 and err < off_by_input / 3


def test_video_demo_folder_input_side_by_side(assets):
    out = str(assets['tmp'] / 'sbs.mp4')
    video_demo.main([assets['folder'], CONFIG, assets['ckpt'], '--out', out,
                     '--side-by-side', '--fps', '5'])
    frames, fps = read_video(out)
    assert len(frames) == 6 and fps == pytest.approx(5)
    assert frames[0].shape == (64, 192, 3)
    src = cv2.imread(sorted(glob.glob(assets['folder'] + '/*.jpg'))[0])
    assert np.abs(frames[0][:, :96].astype(int) - src).mean() < 12
    video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--out', out,
                     '--max-frames', '4'])
    assert len(read_video(out)[0]) == 4


def test_video_demo_bad_inputs(assets, tmp_path):
    out = str(tmp_path / 'o.mp4')
    empty = tmp_path / 'empty.mp4'
    empty.write_bytes(b'')
    junk = tmp_path / 'junk.avi'
    junk.write_bytes(np.random.default_rng(0).bytes(2048))
    for path, error in ((str(empty), ValueError), (str(junk), ValueError),
                        (str(tmp_path / 'missing.mp4'), FileNotFoundError)):
        with pytest.raises(error, match=osp.basename(path)):
            video_demo.main([path, CONFIG, assets['ckpt'], '--out', out])
    assert sorted(os.listdir(tmp_path)) == ['empty.mp4', 'junk.avi']


def test_interrupted_video_demo_leaves_no_output(assets, tmp_path,
                                                 monkeypatch):
    calls = []

    def failing_draw(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return args[0]

    monkeypatch.setattr(video_demo, 'draw_data_sample', failing_draw)
    out = tmp_path / 'o.mp4'
    with pytest.raises(KeyboardInterrupt):
        video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--out',
                         str(out)])
    assert os.listdir(tmp_path) == []


def test_image_demo(assets):
    img = sorted(glob.glob(assets['folder'] + '/*.jpg'))[2]
    out = str(assets['tmp'] / 'img' / 'overlay.png')
    overlay, sample = image_demo.main([img, CONFIG, assets['ckpt'], '--out',
                                       out, '--side-by-side'])
    src = cv2.imread(img)
    saved = cv2.imread(out)
    assert saved.shape == (64, 192, 3) and np.array_equal(saved, overlay)
    assert np.array_equal(saved[:, :96], src)
    part = sample.pred_sem_seg.sem_seg[0].numpy()
    assert part.shape == (64, 96)
    with pytest.raises(FileNotFoundError, match='nope.png'):
        image_demo.main(['nope.png', CONFIG, assets['ckpt'], '--out', out])
