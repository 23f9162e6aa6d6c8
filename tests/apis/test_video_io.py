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
