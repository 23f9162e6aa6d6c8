"""demo/video_demo.py (its command line over
:func:`aten_mm.apis.render_video`) on synthetic frames with the tiny
per-frame model (random weights saved as a checkpoint; fixtures in
conftest.py)."""
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
from demo_helpers import CONFIG, REPO, read_video
from PIL import Image

from aten_mm.apis import ConfigError, init_model, render
from aten_mm.datasets.vip_classes import VIP_CLASSES
from aten_mm.visualization import draw_parsing


@pytest.fixture(scope='module')
def video_demo(load_tool):
    return load_tool('demo/video_demo.py')


def _official_part_map(off, vid, i):
    return np.array(Image.open(osp.join(
        off, vid, 'gray', f'global_{i + 1:012d}.png'))).astype(int)


def _assert_overlay(frame, src, part, jpeg=False):
    """``frame`` is ``src`` with ``part`` painted (alpha 1, no persons), up
    to lossy compression (for a JPEG frame: no further from the painted
    frame than that frame's own JPEG round trip, plus 1)."""
    assert (part > 0).mean() > 0.05  # the random model paints parts
    expected = draw_parsing(src, part, alpha=1.0).astype(int)
    err = np.median(np.abs(frame.astype(int) - expected))
    off_by_input = np.abs(frame.astype(int) - src).mean()
    limit = 6
    if jpeg:
        ok, buf = cv2.imencode('.jpg', expected.astype(np.uint8))
        again = cv2.imdecode(buf, cv2.IMREAD_COLOR).astype(int)
        limit = np.median(np.abs(again - expected)) + 1
    assert err < max(limit, 1) and err < off_by_input / 3


def test_video_demo_writes_overlay_with_same_frames_and_fps(assets,
                                                            video_demo):
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
        _assert_overlay(frames[i], inputs[i],
                        _official_part_map(off, 'clip', i))


def test_out_as_folder_writes_numbered_frames(assets, video_demo):
    tmp = assets['tmp']
    off = str(tmp / 'official_frames')
    out = tmp / 'frames_out'  # no video extension: a folder of frames
    video_demo.main([assets['folder'], CONFIG, assets['ckpt'], '--out',
                     str(out), '--out-dir', off, '--alpha', '1',
                     '--score-thr', '2'])
    n = assets['num_frames']
    assert sorted(os.listdir(out)) == [f'{i:06d}.jpg' for i in range(n)]
    for i in range(n):
        frame = cv2.imread(str(out / f'{i:06d}.jpg'))
        _assert_overlay(frame, assets['frames'][i],
                        _official_part_map(off, 'videos1', i), jpeg=True)
    # an existing empty folder (its name has a dot) also gets frames
    existing = tmp / 'existing.v2'
    existing.mkdir()
    video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--out',
                     str(existing), '--max-frames', '2'])
    assert sorted(os.listdir(existing)) == ['000000.jpg', '000001.jpg']


def test_video_demo_folder_input_side_by_side(assets, video_demo):
    out = str(assets['tmp'] / 'sbs.mp4')
    video_demo.main([assets['folder'], CONFIG, assets['ckpt'], '--out', out,
                     '--side-by-side', '--fps', '5'])
    frames, fps = read_video(out)
    assert len(frames) == 6 and fps == pytest.approx(5)
    assert frames[0].shape == (64, 192, 3)
    assert np.abs(frames[0][:, :96].astype(int) -
                  assets['frames'][0]).mean() < 12
    video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--out', out,
                     '--max-frames', '4', '--overwrite'])
    assert len(read_video(out)[0]) == 4


def test_video_demo_bad_inputs(assets, tmp_path, video_demo):
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
    with pytest.raises(ConfigError, match='nothing to do'):
        video_demo.main([assets['video'], CONFIG, assets['ckpt']])
    with pytest.raises(ConfigError, match='--fourcc'):
        video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--out',
                         out, '--fourcc', 'h264x'])


@pytest.fixture
def no_model(monkeypatch):
    """Fail if the demo gets as far as building the model."""
    def refuse(*args, **kwargs):
        raise AssertionError('the model was built before the check')
    monkeypatch.setattr(render, 'init_model', refuse)


def test_out_equal_to_input_is_refused_before_processing(assets, tmp_path,
                                                          no_model,
                                                          video_demo):
    video = tmp_path / 'v.mp4'
    shutil.copy(assets['video'], video)
    before = video.read_bytes()
    for out in (str(video), str(tmp_path / '.' / 'v.mp4')):
        for extra in ([], ['--overwrite']):
            with pytest.raises(ValueError, match='is the input'):
                video_demo.main([str(video), CONFIG, assets['ckpt'],
                                 '--out', out] + extra)
    folder = tmp_path / 'frames'
    shutil.copytree(assets['folder'], folder)
    with pytest.raises(ValueError, match='is the input'):
        video_demo.main([str(folder), CONFIG, assets['ckpt'], '--out',
                         str(folder), '--overwrite'])
    assert video.read_bytes() == before
    assert sorted(os.listdir(folder)) == sorted(os.listdir(assets['folder']))
    assert sorted(os.listdir(tmp_path)) == ['frames', 'v.mp4']


def test_existing_output_is_refused_before_processing(assets, tmp_path,
                                                      no_model, video_demo):
    existing = tmp_path / 'o.mp4'
    existing.write_bytes(b'mine')
    with pytest.raises(ValueError, match='exists; pass --overwrite'):
        video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--out',
                         str(existing)])
    (tmp_path / 'd.mp4').mkdir()
    with pytest.raises(ValueError, match='existing folder'):
        video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--out',
                         str(tmp_path / 'd.mp4')])
    assert existing.read_bytes() == b'mine'
    assert sorted(os.listdir(tmp_path)) == ['d.mp4', 'o.mp4']


def test_interrupted_file_input_leaves_no_output(assets, tmp_path, monkeypatch,
                                                 video_demo):
    calls = []

    def failing_draw(*args, **kwargs):
        calls.append(1)
        if len(calls) % 3 == 0:
            raise KeyboardInterrupt
        return args[0]

    monkeypatch.setattr(render, 'draw_data_sample', failing_draw)
    for out in (tmp_path / 'o.mp4', tmp_path / 'frames'):
        with pytest.raises(KeyboardInterrupt):
            video_demo.main([assets['video'], CONFIG, assets['ckpt'],
                             '--out', str(out)])
        assert os.listdir(tmp_path) == []
    assert len(calls) == 6  # both runs were stopped at their third frame


def test_show_without_display_is_a_clear_error(assets, tmp_path, monkeypatch,
                                               video_demo):
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    with pytest.raises(ConfigError, match='--show needs a display'):
        video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--show',
                         '--out', str(tmp_path / 'o.mp4')])
    assert os.listdir(tmp_path) == []


def test_legend_and_palette_reach_the_drawing(assets, tmp_path, monkeypatch,
                                              video_demo):
    seen = []
    draw = render.draw_data_sample

    def spy(*args, **kwargs):
        seen.append((kwargs['class_names'], kwargs['palette']))
        return draw(*args, **kwargs)

    monkeypatch.setattr(render, 'draw_data_sample', spy)
    video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--out',
                     str(tmp_path / 'a.mp4'), '--max-frames', '1',
                     '--legend'])
    video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--out',
                     str(tmp_path / 'b.mp4'), '--max-frames', '1'])
    assert [names for names, _ in seen] == [VIP_CLASSES, None]
    # the palette is the dataset's metainfo palette
    from aten_mm.datasets import VIPDataset
    assert seen[0][1].tolist() == VIPDataset.METAINFO['palette']


def test_default_device_and_dataset_meta():
    import torch
    model = init_model(CONFIG, device=None)
    expected = 'cuda' if torch.cuda.is_available() else 'cpu'
    assert next(model.parameters()).device.type == expected
    # no checkpoint meta, no metainfo in the config: the dataset class's
    from aten_mm.datasets import VIPDataset
    assert model.dataset_meta == VIPDataset.METAINFO


# -- real processes: Ctrl-C on a live source, paths OpenCV cannot take -----
def _env():
    return dict(os.environ, OMP_NUM_THREADS='1',
                PYTHONPATH=REPO + os.pathsep + os.environ.get(
                    'PYTHONPATH', ''))


#: an endless y4m stream into a named pipe: the input of a live source
Y4M_WRITER = r'''
import os, sys
import cv2, numpy as np
frames = np.load(sys.argv[2])
h, w = frames.shape[1:3]
try:
    with open(sys.argv[1], 'wb') as f:
        f.write(b'YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n' % (w, h))
        i = 0
        while True:
            yuv = cv2.cvtColor(frames[i % len(frames)],
                               cv2.COLOR_BGR2YUV_I420)
            f.write(b'FRAME\n' + yuv.tobytes())
            i += 1
except (BrokenPipeError, OSError):
    os._exit(0)
'''


def _ignore_sigint():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_live_source_stopped_by_sigint_keeps_the_video(assets, tmp_path):
    """A named pipe fed forever is a live source: SIGINT ends the demo,
    which finalises the video of the frames written so far. The demo is
    started with SIGINT *ignored* (as in a background job of a
    non-interactive shell): it must restore the default handler itself."""
    fifo = tmp_path / 'live.y4m'
    os.mkfifo(fifo)
    np.save(tmp_path / 'frames.npy', np.stack(assets['frames']))
    out = tmp_path / 'out' / 'live.mp4'
    off = tmp_path / 'official'
    log = open(tmp_path / 'demo.log', 'w+')
    feeder = subprocess.Popen(
        [sys.executable, '-c', Y4M_WRITER, str(fifo),
         str(tmp_path / 'frames.npy')], env=_env())
    demo = subprocess.Popen(
        [sys.executable, osp.join(REPO, 'demo', 'video_demo.py'), str(fifo),
         CONFIG, assets['ckpt'], '--out', str(out), '--out-dir', str(off)],
        stdout=log, stderr=subprocess.STDOUT, env=_env(),
        preexec_fn=_ignore_sigint)
    try:
        # wait (no fixed sleep) until 4 frames were written, then interrupt
        fourth = off / 'live' / 'gray' / 'global_000000000004.png'
        deadline = time.monotonic() + 600  # a failure bound, not a timing
        while not fourth.exists():
            if demo.poll() is not None:
                log.seek(0)
                pytest.fail(f'demo ended on its own:\n{log.read()}')
            assert time.monotonic() < deadline, 'no frame after 600 s'
            time.sleep(0.1)
        demo.send_signal(signal.SIGINT)
        code = demo.wait(timeout=120)  # a failure bound
    finally:
        for proc in (demo, feeder):
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    log.seek(0)
    text = log.read()
    assert code == 0, text
    assert 'stopped by Ctrl-C' in text
    assert os.listdir(out.parent) == ['live.mp4']  # finalised, no temp
    frames, fps = read_video(str(out))
    written = len([n for n in os.listdir(off / 'live' / 'gray')
                   if n.startswith('global_')])
    # the video holds every frame written before the signal (the last one
    # may have made it into the video but not into the official files)
    assert written >= 4 and written <= len(frames) <= written + 1
    assert frames[0].shape == (64, 96, 3) and fps == pytest.approx(10)


NON_UTF8_RUN = r'''
import runpy, sys
main = runpy.run_path(sys.argv[1])['main']  # the script, not as __main__
video, folder, out_video, out_frames, config, ckpt = sys.argv[2:8]
main([video, config, ckpt, '--out', out_video])
main([folder, config, ckpt, '--out', out_frames])
print('done')
'''


def test_non_utf8_paths_do_not_crash(assets, tmp_path):
    """Input video, frame folder (and a frame in it), output video and
    output folder whose names are not UTF-8: OpenCV would crash (exit
    139) on any of them."""
    base = os.fsencode(str(tmp_path))
    video = base + b'/clip\xff.mp4'
    shutil.copy(assets['video'], video)
    folder = base + b'/frames\xfe'
    os.mkdir(folder)
    for i, src in enumerate(assets['files']):
        shutil.copy(src, folder + b'/%d\xfd.jpg' % i)
    out_video = base + b'/out\xff.mp4'
    out_frames = base + b'/out\xfe'
    proc = subprocess.run(
        [sys.executable, '-c', NON_UTF8_RUN,
         os.fsencode(osp.join(REPO, 'demo', 'video_demo.py')), video,
         folder, out_video, out_frames, os.fsencode(CONFIG),
         os.fsencode(assets['ckpt'])],
        capture_output=True, env=_env(), timeout=600)
    assert proc.returncode == 0, proc.stderr.decode(errors='replace')
    assert b'done' in proc.stdout
    n = assets['num_frames']
    assert sorted(os.listdir(out_frames)) == [
        b'%06d.jpg' % i for i in range(n)]
    # the video is complete: read it back through a UTF-8 link
    link = tmp_path / 'link.mp4'
    os.symlink(out_video, link)
    assert len(read_video(str(link))[0]) == n
    assert not [p for p in os.listdir(base) if b'.part' in p]


def test_onnxruntime_backend_writes_the_torch_part_maps(assets, video_demo):
    """``--backend onnxruntime``: same official part maps as PyTorch (the
    graphs are exported at the first frame; docs/deployment.md)."""
    tmp = assets['tmp']
    maps = {}
    for backend in ('pytorch', 'onnxruntime'):
        off = str(tmp / f'official_{backend}')
        video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--out-dir',
                         off, '--backend', backend])
        maps[backend] = [_official_part_map(off, 'clip', i)
                         for i in range(assets['num_frames'])]
    for ref, got in zip(maps['pytorch'], maps['onnxruntime']):
        assert (ref > 0).mean() > 0.05  # the maps are not all background
        assert (ref == got).mean() >= 0.999


def test_onnx_dir_without_the_onnxruntime_backend_is_refused(assets,
                                                             video_demo):
    with pytest.raises(ConfigError, match='--onnx-dir needs --backend'):
        video_demo.main([assets['video'], CONFIG, assets['ckpt'], '--out-dir',
                         str(assets['tmp'] / 'x'), '--onnx-dir', 'g'])
