"""browse_dataset.py writes one image per item and names those it could
not write."""
import importlib.util
import os.path as osp

import cv2
import pytest

from aten_mm.datasets.synthetic import generate_dataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'aten', 'aten_tiny_synthetic.py')


def _load_tool():
    path = osp.join(REPO, 'tools', 'misc', 'browse_dataset.py')
    spec = importlib.util.spec_from_file_location('browse_dataset', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('browse') / 'set')
    generate_dataset(root, num_videos=4, num_frames=7, size=(64, 48),
                     annotate_every=3, seed=0, progress=False)
    return root


def test_writes_one_image_per_item(data_root, tmp_path):
    out = tmp_path / 'out'
    num = _load_tool().main([
        CONFIG, '--output-dir', str(out), '--num', '2', '--cfg-options',
        f'train_dataloader.dataset.data_root={data_root}'])
    images = sorted(out.iterdir())
    assert num == 2 and len(images) == 2
    img = cv2.imread(str(images[0]))
    # the clip's frames (resized to 128 x 96) + the labelled target
    assert img.shape[0] == 96 and img.shape[1] % 128 == 0
    assert img.shape[1] >= 2 * 128


def test_images_that_cannot_be_written_are_named(data_root, tmp_path):
    out = tmp_path / 'out'
    tool = _load_tool()
    args = [CONFIG, '--output-dir', str(out), '--num', '2', '--cfg-options',
            f'train_dataloader.dataset.data_root={data_root}']
    tool.main(args)
    first = sorted(out.iterdir())[0]
    first.unlink()
    first.mkdir()  # a folder where the image should go
    with pytest.raises(OSError, match='1 of 2 images could not be written') \
            as info:
        tool.main(args)
    assert str(first) in str(info.value)
