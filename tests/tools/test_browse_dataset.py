"""tools/misc/browse_dataset.py: the config's visualizer draws the ground
truth in the palette of the dataset's metainfo."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from aten_mm.apis import ConfigError

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'parsing_rcnn',
                  'parsing-rcnn_tiny_synthetic.py')


#: the palette of the test config: class c is (c, 200, 255 - c) RGB
PALETTE = [[c, 200, 255 - c] for c in range(20)]


@pytest.fixture(scope='module')
def browse(load_tool):
    return load_tool('tools/misc/browse_dataset.py')


@pytest.fixture(scope='module')
def config(tmp_path_factory):
    """A config over a tiny synthetic set whose dataset metainfo carries
    its own palette, with a deterministic training pipeline (no flip, no
    colour jitter) and the visualizer painting at full opacity."""
    from aten_mm.datasets.synthetic import generate_dataset
    tmp = tmp_path_factory.mktemp('browse')
    root = str(tmp / 'set')
    generate_dataset(root, num_videos=3, num_frames=6, size=(64, 48),
                     annotate_every=2, seed=0, progress=False)
    cfg = tmp / 'browse_cfg.py'
    cfg.write_text(
        f'_base_ = [{CONFIG!r}]\n'
        'train_pipeline = [\n'
        '    dict(type="LoadClipFrames"),\n'
        '    dict(type="LoadVIPAnnotations"),\n'
        '    dict(type="ClipResize", scale=(128, 128), keep_ratio=True),\n'
        '    dict(type="PackClipInputs")]\n'
        f'train_dataloader = dict(dataset=dict(data_root={root + "/"!r}, '
        'pipeline=train_pipeline, '
        f'metainfo=dict(palette={PALETTE!r})))\n'
        "visualizer = dict(alpha=1.0, name='browse_test')\n")
    return str(cfg)


def test_writes_clips_drawn_by_the_visualizer(config, tmp_path, browse):
    from mmengine.config import Config

    from aten_mm.registry import DATASETS
    from aten_mm.visualization import VIP_PALETTE, draw_parsing
    out = tmp_path / 'out'
    written = browse.main([config, '--not-show', '--output-dir', str(out),
                           '--num', '3'])
    assert sorted(os.listdir(out)) == sorted(
        osp.basename(p) for p in written) and len(written) == 3
    # the last item's image: its frame, then the frame with its ground
    # truth drawn in the palette of the dataset's metainfo
    dataset = DATASETS.build(Config.fromfile(config).train_dataloader.dataset)
    item = dataset[2]
    frame = item['inputs'][0].permute(1, 2, 0).numpy()
    sample = item['data_samples']
    part = sample.gt_sem_seg.sem_seg[0].numpy().astype(np.int64)
    part[part == 255] = 0
    masks = sample.gt_instances.masks.to_ndarray().astype(bool)
    assert (part > 0).mean() > 0.05 and len(masks) > 0
    ids = list(range(1, len(masks) + 1))
    image = cv2.imread(written[2]).astype(int)
    h, w = frame.shape[:2]
    assert image.shape == (h, 2 * w, 3)
    tile = image[:, w:]
    ours = draw_parsing(frame, part, masks, ids, alpha=1.0,
                        palette=np.array(PALETTE, np.uint8))
    vip = draw_parsing(frame, part, masks, ids, alpha=1.0,
                       palette=VIP_PALETTE)
    # inside the parts (away from edges and outlines, where JPEG rings)
    inner = cv2.erode((part > 0).astype(np.uint8), np.ones((5, 5))) > 0
    inner &= ~cv2.dilate(masks.any(0).astype(np.uint8) -
                         cv2.erode(masks.any(0).astype(np.uint8),
                                   np.ones((7, 7))), np.ones((3, 3))
                         ).astype(bool)
    assert inner.sum() > 50
    err = np.abs(tile - ours)[inner].mean()
    assert err < 6 and np.abs(tile - vip)[inner].mean() > 5 * err
    assert np.abs(image[20:, :w] - frame[20:]).mean() < 4  # below the tag


def test_reports_images_it_could_not_write(config, tmp_path, browse):
    out = tmp_path / 'out'
    first = browse.main([config, '--not-show', '--output-dir', str(out),
                         '--num', '2'])
    # a folder where the first image goes: that write fails
    os.remove(first[0])
    os.mkdir(first[0])
    with pytest.raises(ConfigError,
                       match=r'could not write 1 of 2 images:\n  .*' +
                       osp.basename(first[0])):
        browse.main([config, '--not-show', '--output-dir', str(out),
                     '--num', '2'])


def test_flags_checked_first(config, monkeypatch, browse):
    with pytest.raises(ConfigError, match='nothing to do'):
        browse.main([config, '--not-show'])
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    with pytest.raises(ConfigError, match='needs a display'):
        browse.main([config])
