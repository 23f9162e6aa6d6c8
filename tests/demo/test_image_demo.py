"""demo/image_demo.py on synthetic frames with the tiny per-frame model
(random weights saved as a checkpoint; fixtures in conftest.py)."""
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
from demo_helpers import CONFIG

from aten_mm.apis import ConfigError
from aten_mm.evaluation.functional import (
    load_vip_prediction,
    masks_to_id_map,
)
from aten_mm.evaluation.functional.vip_files import read_label_png
from aten_mm.visualization import draw_data_sample


@pytest.fixture(scope='module')
def image_demo(load_tool):
    return load_tool('demo/image_demo.py')


def test_folder_writes_one_overlay_and_label_files_per_image(assets, tmp_path,
                                                             image_demo):
    out = tmp_path / 'out'
    results = image_demo.main([assets['folder'], CONFIG, assets['ckpt'],
                               '--out', str(out), '--save-labels'])
    stems = [osp.splitext(osp.basename(f))[0] for f in assets['files']]
    assert [r['img'] for r in results] == assets['files']
    assert sorted(os.listdir(out)) == sorted(
        [s + '.png' for s in stems] + ['videos1'])
    gray = out / 'videos1' / 'gray'
    assert sorted(os.listdir(gray)) == sorted(
        f'{kind}_{s}{ext}' for s in stems for kind, ext in (
            ('global', '.png'), ('inst', '.png'), ('scores', '.txt')))
    assert sorted(os.listdir(out / 'videos1' / 'instance_part')) == sorted(
        s + ext for s in stems for ext in ('.png', '.txt'))
    painted = 0
    for r, stem, src in zip(results, stems, assets['frames']):
        sample = r['sample']
        # the overlay file is exactly the drawing of the prediction
        saved = cv2.imread(str(out / f'{stem}.png'))
        assert np.array_equal(saved, r['overlay_image'])
        assert np.array_equal(saved, draw_data_sample(src, sample, 'pred'))
        # the label PNG reads back as the predicted classes
        label = read_label_png(str(gray / f'global_{stem}.png'))
        pred = sample.pred_sem_seg.sem_seg[0].numpy()
        assert label.shape == (64, 96) and np.array_equal(label, pred)
        painted += (pred > 0).sum()
        # the person masks as the official id map, with one score each
        masks = sample.pred_instances.masks.numpy()
        inst = read_label_png(str(gray / f'inst_{stem}.png'))
        assert np.array_equal(inst, masks_to_id_map(masks))
        back = load_vip_prediction(str(out), 'videos1', stem)
        assert np.allclose(back['person_scores'],
                           sample.pred_instances.scores.numpy(), atol=1e-6)
    assert painted > 0  # the random model paints parts


def test_single_image_side_by_side(assets, tmp_path, image_demo):
    img = assets['files'][2]
    out = str(tmp_path / 'img' / 'overlay.png')
    [r] = image_demo.main([img, CONFIG, assets['ckpt'], '--out', out,
                           '--side-by-side'])
    src = cv2.imread(img)
    saved = cv2.imread(out)
    assert saved.shape == (64, 192, 3)
    assert np.array_equal(saved, r['overlay_image'])
    assert np.array_equal(saved[:, :96], src)
    assert r['sample'].pred_sem_seg.sem_seg[0].shape == (64, 96)
    with pytest.raises(FileNotFoundError, match='nope.png'):
        image_demo.main(['nope.png', CONFIG, assets['ckpt'], '--out', out])


@pytest.fixture
def no_model(monkeypatch, image_demo):
    """Fail if the demo gets as far as building the model."""
    def refuse(*args, **kwargs):
        raise AssertionError('the model was built before the check')
    monkeypatch.setattr(image_demo, 'init_model', refuse)


def test_out_equal_to_input_is_refused(assets, tmp_path, no_model, image_demo):
    folder = tmp_path / 'in'
    shutil.copytree(assets['folder'], folder)
    before = {n: (folder / n).read_bytes() for n in os.listdir(folder)}
    png = folder / 'x.png'
    cv2.imwrite(str(png), assets['frames'][0])
    before['x.png'] = png.read_bytes()
    # the image itself, also with --overwrite
    with pytest.raises(ConfigError, match='is the input'):
        image_demo.main([str(png), CONFIG, assets['ckpt'], '--out',
                         str(png), '--overwrite'])
    # the overlay x.png of x.png written into its own folder
    with pytest.raises(ConfigError, match='is the input'):
        image_demo.main([str(png), CONFIG, assets['ckpt'], '--out',
                         str(folder), '--overwrite'])
    # the input folder as the output folder
    with pytest.raises(ConfigError, match='is the input folder'):
        image_demo.main([str(folder), CONFIG, assets['ckpt'], '--out',
                         str(folder / '.')])
    assert {n: (folder / n).read_bytes()
            for n in os.listdir(folder)} == before


def test_existing_outputs_and_name_clashes(assets, tmp_path, no_model,
                                           image_demo):
    folder = tmp_path / 'in'
    folder.mkdir()
    cv2.imwrite(str(folder / 'a.jpg'), assets['frames'][0])
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'a.png').write_bytes(b'mine')
    with pytest.raises(ConfigError, match='exists; pass --overwrite'):
        image_demo.main([str(folder), CONFIG, assets['ckpt'], '--out',
                         str(out)])
    assert (out / 'a.png').read_bytes() == b'mine'
    cv2.imwrite(str(folder / 'a.png'), assets['frames'][1])
    with pytest.raises(ConfigError, match='same name stem'):
        image_demo.main([str(folder), CONFIG, assets['ckpt'], '--out',
                         str(tmp_path / 'new'), '--overwrite'])
    with pytest.raises(ConfigError, match='is a folder'):
        image_demo.main([str(folder), CONFIG, assets['ckpt'], '--out',
                         str(tmp_path / 'x.png')])
    assert sorted(os.listdir(tmp_path)) == ['in', 'out']


def test_non_utf8_names(assets, tmp_path, image_demo):
    base = os.fsencode(str(tmp_path))
    folder = base + b'/in\xff'
    os.mkdir(folder)
    shutil.copy(assets['files'][0], folder + b'/f\xfe.jpg')
    out = base + b'/out\xfd'
    [r] = image_demo.main([os.fsdecode(folder), CONFIG, assets['ckpt'],
                           '--out', os.fsdecode(out), '--save-labels'])
    assert sorted(os.listdir(out)) == [b'f\xfe.png', b'in\xff']
    label = read_label_png(os.fsdecode(
        out + b'/in\xff/gray/global_f\xfe.png'))
    assert np.array_equal(label, r['sample'].pred_sem_seg.sem_seg[0].numpy())
