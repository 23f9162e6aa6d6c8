import os

import cv2
import numpy as np
import pytest

from aten_mm.apis import AtomicVideoWriter, open_frame_source


def _frames(n, h=32, w=48):
    return [np.full((h, w, 3), 20 * i, np.uint8) for i in range(n)]


def test_folder_source_natural_order(tmp_path):
    for i, frame in zip([1, 2, 10], _frames(3)):
        cv2.imwrite(str(tmp_path / f'{i}.png'), frame)
    (tmp_path / 'notes.txt').write_text('x')
    src = open_frame_source(str(tmp_path), fps=7)
    assert (src.kind, src.num_frames, src.fps) == ('folder', 3, 7)
    assert not src.is_live
    # 10.png after 2.png (a plain string sort would put it second)
    assert [int(f[0, 0, 0]) for _, f in src] == [0, 20, 40]


def test_video_roundtrip_and_atomic_rename(tmp_path):
    out = tmp_path / 'v.mp4'
    with AtomicVideoWriter(str(out), fps=10) as writer:
        for f in _frames(5):
            writer.write(f)
            assert not out.exists()  # only the temporary file so far
    assert out.exists() and os.listdir(tmp_path) == ['v.mp4']
    src = open_frame_source(str(out), count_frames=True)
    assert (src.num_frames, src.fps, src.width, src.height) == (5, 10, 48,
                                                               32)
    assert len(list(src)) == 5


def test_interrupted_writer_leaves_nothing(tmp_path):
    out = tmp_path / 'v.mp4'
    with pytest.raises(KeyboardInterrupt):
        with AtomicVideoWriter(str(out), fps=10) as writer:
            writer.write(_frames(1)[0])
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


def test_bad_inputs_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.mp4'):
        open_frame_source(str(tmp_path / 'missing.mp4'))
    empty = tmp_path / 'empty.mp4'
    empty.write_bytes(b'')
    with pytest.raises(ValueError, match='empty.mp4'):
        open_frame_source(str(empty))
    junk = tmp_path / 'junk.mp4'
    junk.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ValueError, match='junk.mp4'):
        open_frame_source(str(junk))
    (tmp_path / 'nothing').mkdir()
    with pytest.raises(ValueError, match='holds no image'):
        open_frame_source(str(tmp_path / 'nothing'))


# -- outputs: video file or numbered frames, decided before any work -------
def test_output_kind_by_path(tmp_path):
    from aten_mm.apis import video_output_kind
    assert video_output_kind(str(tmp_path / 'o.mp4')) == 'video'
    assert video_output_kind(str(tmp_path / 'o.AVI')) == 'video'
    assert video_output_kind(str(tmp_path / 'frames')) == 'folder'
    assert video_output_kind(str(tmp_path / 'frames.v1')) == 'folder'
    assert video_output_kind(str(tmp_path)) == 'folder'  # existing folder
    (tmp_path / 'dir.mp4').mkdir()
    with pytest.raises(ValueError, match='existing folder'):
        video_output_kind(str(tmp_path / 'dir.mp4'))
    with pytest.raises(ValueError, match='image file name'):
        video_output_kind(str(tmp_path / 'o.png'))


def test_frame_folder_writer_close_abort_and_overwrite(tmp_path):
    from aten_mm.apis import FrameFolderWriter, open_video_output
    from aten_mm.apis.video_io import numbered_frames
    out = tmp_path / 'frames'
    with FrameFolderWriter(str(out)) as writer:
        for f in _frames(4):
            writer.write(f)
    assert sorted(os.listdir(out)) == [f'{i:06d}.jpg' for i in range(4)]
    assert int(np.median(cv2.imread(str(out / '000002.jpg')))) == 40
    # an existing folder with numbered frames needs --overwrite
    with pytest.raises(ValueError, match='4 numbered frame.*--overwrite'):
        open_video_output(str(out), fps=5)
    (out / 'notes.txt').write_text('mine')
    writer = open_video_output(str(out), fps=5, overwrite=True)
    assert isinstance(writer, FrameFolderWriter)
    writer.write(_frames(1)[0])
    writer.close()
    # the frames of the longer earlier run are gone, the user's file stays
    assert sorted(os.listdir(out)) == ['000000.jpg', 'notes.txt']
    assert numbered_frames(str(out)) == [0]
    # abort removes what it wrote, and a folder it created
    new = tmp_path / 'new'
    with pytest.raises(KeyboardInterrupt):
        with FrameFolderWriter(str(new)) as writer:
            writer.write(_frames(1)[0])
            raise KeyboardInterrupt
    assert not new.exists()
    assert sorted(os.listdir(out)) == ['000000.jpg', 'notes.txt']


def test_output_refusals(tmp_path):
    from aten_mm.apis import AtomicVideoWriter, open_video_output
    video = tmp_path / 'in.mp4'
    with AtomicVideoWriter(str(video), fps=5) as writer:
        writer.write(_frames(1)[0])
    before = video.read_bytes()
    # the input itself, also through another spelling and with --overwrite
    for out in (str(video), str(tmp_path / '.' / 'in.mp4')):
        with pytest.raises(ValueError, match='is the input'):
            open_video_output(out, fps=5, inputs=[str(video)],
                              overwrite=True)
    folder = tmp_path / 'frames'
    folder.mkdir()
    cv2.imwrite(str(folder / '000000.jpg'), _frames(1)[0])
    with pytest.raises(ValueError, match='is the input'):
        open_video_output(str(folder), fps=5, inputs=[str(folder)],
                          overwrite=True)
    # an existing file is only replaced when asked
    other = tmp_path / 'other.mp4'
    other.write_bytes(b'x')
    with pytest.raises(ValueError, match='exists; pass --overwrite'):
        open_video_output(str(other), fps=5, inputs=[str(video)])
    assert isinstance(open_video_output(str(other), fps=5, overwrite=True),
                      AtomicVideoWriter)
    # a file where a frame folder is expected
    (tmp_path / 'plain').write_bytes(b'x')
    with pytest.raises(ValueError, match='existing file, not a folder'):
        open_video_output(str(tmp_path / 'plain'), fps=5, overwrite=True)
    assert video.read_bytes() == before and other.read_bytes() == b'x'
    with pytest.raises(ValueError, match='four-character'):
        AtomicVideoWriter(str(tmp_path / 'x.mp4'), fps=5, fourcc='h264x')


# -- paths that are not UTF-8 (OpenCV crashes on them) ----------------------
def test_non_utf8_paths_read_and_write(tmp_path):
    from aten_mm.apis import read_image, write_image
    weird = os.fsdecode(b'd\xff')  # a folder whose name is not UTF-8
    folder = tmp_path / weird
    folder.mkdir()
    frames = _frames(3)
    for i, f in enumerate(frames):
        write_image(str(folder / os.fsdecode(b'%d\xfe.png' % i)), f)
    one = str(folder / os.fsdecode(b'1\xfe.png'))
    assert np.array_equal(read_image(one), frames[1])
    src = open_frame_source(str(folder))
    assert [int(f[0, 0, 0]) for _, f in src] == [0, 20, 40]
    video = folder / os.fsdecode(b'v\xff.mp4')
    with AtomicVideoWriter(str(video), fps=5) as writer:
        for f in frames:
            writer.write(f)
    assert os.listdir(tmp_path / weird).count(video.name) == 1
    assert not [n for n in os.listdir(folder) if '.part' in n]
    src = open_frame_source(str(video), count_frames=True)
    assert (src.kind, src.num_frames) == ('video', 3)
    values = [int(np.median(f)) for _, f in src]
    assert np.abs(np.array(values) - [0, 20, 40]).max() <= 4  # lossy mp4
    empty = folder / 'empty.jpg'
    empty.write_bytes(b'')
    with pytest.raises(ValueError, match='empty.jpg'):
        read_image(str(empty))


def test_named_pipe_is_a_live_source(tmp_path):
    import subprocess
    import sys
    fifo = tmp_path / 'live.y4m'
    os.mkfifo(fifo)
    # a writer that sends 3 frames of a y4m stream, then ends
    code = ('import sys; h, w = 32, 48\n'
            'with open(sys.argv[1], "wb") as f:\n'
            '    f.write(b"YUV4MPEG2 W48 H32 F10:1 Ip A1:1 C420jpeg\\n")\n'
            '    for v in (30, 90, 150):\n'
            '        f.write(b"FRAME\\n" + bytes([v]) * (h * w) + '
            'bytes([128]) * (h * w // 2))\n')
    writer = subprocess.Popen([sys.executable, '-c', code, str(fifo)])
    try:
        src = open_frame_source(str(fifo), count_frames=True)
        assert (src.kind, src.is_live, src.num_frames) == ('stream', True,
                                                           None)
        assert src.fps == pytest.approx(10)
        values = [int(np.median(f)) for _, f in src]
    finally:  # the reader saw the end: the writer is done (or failed)
        if writer.poll() is None:
            writer.kill()
        writer.wait()
    assert len(values) == 3 and values[0] < values[1] < values[2]
