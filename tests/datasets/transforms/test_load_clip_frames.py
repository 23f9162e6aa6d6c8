"""Frame files that are empty, truncated or not images: errors name them."""
import cv2
import numpy as np
import pytest

from aten_mm.datasets.transforms.load_clip_frames import load_image


def _jpeg(tmp_path, name='f.jpg'):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
    path = str(tmp_path / name)
    assert cv2.imwrite(path, img)
    return path, open(path, 'rb').read()


def test_complete_jpeg_loads_like_opencv(tmp_path):
    path, data = _jpeg(tmp_path)
    assert np.array_equal(load_image(path), cv2.imread(path))
    # bytes after the end-of-image marker are legal: still loads
    open(path, 'wb').write(data + b'trailing metadata')
    assert np.array_equal(load_image(path), cv2.imread(path))


def test_truncated_jpeg_is_refused(tmp_path):
    path, data = _jpeg(tmp_path)
    open(path, 'wb').write(data[:len(data) * 2 // 3])
    assert cv2.imread(path) is not None  # OpenCV decodes it silently
    with pytest.raises(ValueError, match='truncated') as info:
        load_image(path)
    assert path in str(info.value)


def test_empty_and_undecodable_files_are_named(tmp_path):
    empty = tmp_path / 'empty.jpg'
    empty.write_bytes(b'')
    with pytest.raises(ValueError, match=r'empty \(0 bytes\)') as info:
        load_image(str(empty))
    assert str(empty) in str(info.value)
    text = tmp_path / 'text.jpg'
    text.write_text('not an image')
    with pytest.raises(ValueError, match='cannot decode image file') as info:
        load_image(str(text))
    assert str(text) in str(info.value)
