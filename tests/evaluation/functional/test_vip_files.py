"""VIP ground-truth reading/validation and the official prediction files."""
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from aten_mm.evaluation.functional import (
    load_vip_gt,
    load_vip_prediction,
    vip_prediction_paths,
    write_vip_prediction,
)


def _png(path, arr):
    Image.fromarray(arr).save(path)
    return str(path)


@pytest.fixture
def gt_files(tmp_path):
    sem = np.zeros((4, 5), np.uint8)
    sem[:2, :2] = 13
    sem[3, 4] = 255
    human = np.zeros((4, 5), np.uint8)
    human[:2, :2] = 1
    inst = np.zeros((4, 5), np.uint8)
    inst[:2, :2] = 13
    txt = tmp_path / 'inst.txt'
    txt.write_text('13 13 1\n99 2 1\n')  # 99 absent from the PNG: ignored
    return dict(seg_map_path=_png(tmp_path / 'cat.png', sem),
                human_map_path=_png(tmp_path / 'human.png', human),
                instance_map_path=_png(tmp_path / 'inst.png', inst),
                instance_txt_path=str(txt))


def test_load_gt(gt_files):
    gt = load_vip_gt(**gt_files)
    assert gt['sem_seg'][3, 4] == 255 and gt['sem_seg'][0, 0] == 13
    assert gt['part_table'] == {13: 13, 99: 2}
    assert gt['person_map'].sum() == 4


def test_bad_label_value_names_file(gt_files):
    sem = np.zeros((4, 5), np.uint8)
    sem[0, 0] = 20
    _png(gt_files['seg_map_path'], sem)
    with pytest.raises(ValueError, match=r'cat\.png.*\[20\]'):
        load_vip_gt(**gt_files)


def test_table_disagreeing_with_png_names_file(gt_files):
    with open(gt_files['instance_txt_path'], 'w') as f:
        f.write('14 13 1\n')
    with pytest.raises(ValueError, match=r'inst\.txt.*\[13\]'):
        load_vip_gt(**gt_files)
    with open(gt_files['instance_txt_path'], 'w') as f:
        f.write('13 thirteen 1\n')
    with pytest.raises(ValueError, match=r'inst\.txt:1'):
        load_vip_gt(**gt_files)


def test_missing_gt_file(gt_files):
    gt_files['human_map_path'] += '.missing'
    with pytest.raises(FileNotFoundError, match='missing'):
        load_vip_gt(**gt_files)


def test_writer_reader_round_trip_16bit(tmp_path):
    rng = np.random.default_rng(0)
    h, w, m = 20, 30, 300  # > 255 part instances -> uint16
    part_map = rng.integers(0, m + 1, (h, w))
    part_map[0, :] = np.arange(w) + 271  # make ids above 255 present
    person_map = np.zeros((h, w), int)
    person_map[2:5, 3:7] = 1
    person_map[10:12, 20:30] = 2
    pred = dict(sem_seg=rng.integers(0, 20, (h, w)), person_map=person_map,
                person_scores=np.array([0.91234567, 0.5]),
                part_map=part_map, part_labels=rng.integers(1, 20, m),
                part_scores=rng.random(m))
    write_vip_prediction(str(tmp_path), 'videos7', '000000000026', pred)
    paths = vip_prediction_paths(str(tmp_path), 'videos7', '000000000026')
    assert paths['global_'].endswith(
        osp.join('videos7', 'gray', 'global_000000000026.png'))
    assert Image.open(paths['inst']).mode == 'L'
    with open(paths['scores']) as f:
        assert f.read().splitlines() == ['0.912346 2 3 4 6',
                                         '0.500000 10 20 11 29']
    back = load_vip_prediction(str(tmp_path), 'videos7', '000000000026')
    for k in ('sem_seg', 'person_map', 'part_map', 'part_labels'):
        np.testing.assert_array_equal(back[k], pred[k])
    assert back['part_map'].dtype == np.uint16
    np.testing.assert_allclose(back['part_scores'], pred['part_scores'],
                               atol=5e-7)
    assert back['person_scores'].tolist() == [0.912346, 0.5]


def test_reader_errors(tmp_path):
    pred = dict(sem_seg=np.zeros((3, 3), int),
                person_map=np.ones((3, 3), int), person_scores=[0.9],
                part_map=np.zeros((3, 3), int), part_labels=[],
                part_scores=[])
    write_vip_prediction(str(tmp_path), 'v', 'f', pred)
    paths = vip_prediction_paths(str(tmp_path), 'v', 'f')
    with open(paths['scores'], 'w') as f:
        f.write('')
    with pytest.raises(ValueError, match='inst_f.png.*no line'):
        load_vip_prediction(str(tmp_path), 'v', 'f')
    with pytest.raises(FileNotFoundError, match='global_g.png'):
        load_vip_prediction(str(tmp_path), 'v', 'g')


def _tiny_pred():
    return dict(sem_seg=np.zeros((3, 3), int),
                person_map=np.ones((3, 3), int), person_scores=[0.9],
                part_map=np.zeros((3, 3), int), part_labels=[],
                part_scores=[])


@pytest.mark.parametrize('video', ['../escaped', '/tmp/escaped', 'a/../..'])
def test_writer_stays_inside_its_folder(tmp_path, video):
    out = tmp_path / 'out'
    out.mkdir()
    with pytest.raises(ValueError, match='outside the output folder'):
        write_vip_prediction(str(out), video, '000000000001', _tiny_pred())
    assert sorted(p.name for p in tmp_path.iterdir()) == ['out']
    assert not any(out.iterdir())


@pytest.mark.parametrize('score', ['nan', 'inf', '-inf'])
def test_non_finite_scores_are_refused_naming_file_and_line(tmp_path,
                                                             score):
    write_vip_prediction(str(tmp_path), 'v', 'f', _tiny_pred())
    paths = vip_prediction_paths(str(tmp_path), 'v', 'f')
    with open(paths['scores'], 'w') as f:
        f.write(f'\n{score} 0 0 2 2\n')
    with pytest.raises(ValueError) as info:
        load_vip_prediction(str(tmp_path), 'v', 'f')
    assert str(info.value).startswith(f'{paths["scores"]}:2: expected')
    assert 'finite' in str(info.value)
