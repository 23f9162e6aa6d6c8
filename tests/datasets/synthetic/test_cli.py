"""Tests of the generator's CLI and of the demo's data step."""
import os.path as osp

import pytest

from aten_mm.datasets.synthetic import generate_dataset


@pytest.fixture(scope='module')
def cli(load_tool):
    return load_tool('tools/dataset_converters/make_synthetic_vip.py')


@pytest.mark.parametrize('argv,msg', [
    (['--size', '12x'], 'expected WxH'),
    (['--size', '16x16'], 'must be >= 32'),
    (['--annotate-every', '0'], 'expected an integer >= 1'),
    (['--degrade-ratio', '2'], r'\[0, 1\]'),
    (['--format', 'coco'], 'invalid choice'),
    (['--occlusion-ratio', '3'], r'\[0, 1\]'),
    (['--person-height', '0.9,0.5'], 'MIN,MAX'),
    (['--person-height', 'big'], 'MIN,MAX'),
    (['--max-people', '0'], 'expected an integer >= 1'),
])
def test_bad_cli_arguments(cli, tmp_path, capsys, argv, msg):
    with pytest.raises(SystemExit):
        cli.main(['--out', str(tmp_path / 'o')] + argv)
    assert pytest.importorskip('re').search(msg, capsys.readouterr().err)
    assert not (tmp_path / 'o').exists()


def test_cli_writes_set_and_refuses_foreign_folder(cli, tmp_path):
    out = tmp_path / 'o'
    summary = cli.main(['--out', str(out), '--videos', '2', '--frames', '4',
                        '--size', '48x32', '--annotate-every', '2',
                        '--format', 'davis', '--no-progress'])
    assert summary['format'] == 'davis' and summary['num_videos'] == 2
    assert (out / 'JPEGImages/480p/videos2/00003.jpg').is_file()
    assert (out / 'flow/videos2/00003.flo').is_file()
    assert not (out / 'flow/videos2/00000.flo').exists()
    summary = cli.main(['--out', str(out), '--videos', '1', '--frames', '3',
                        '--size', '48x32', '--no-flow', '--person-height',
                        '0.2,0.4', '--max-people', '1', '--no-progress'])
    assert summary['flow'] is False and not (out / 'flow').exists()
    assert summary['person_height'] == [0.2, 0.4]
    other = tmp_path / 'other'
    other.mkdir()
    (other / 'x').write_text('x')
    with pytest.raises(SystemExit, match='not a synthetic set'):
        cli.main(['--out', str(other), '--no-progress'])


def test_demo_data_step_reuses_set_and_adds_preview(load_tool, tmp_path,
                                                    capsys):
    demo = load_tool('tools/misc/run_demo.py')
    root = str(tmp_path / 'data')
    generate_dataset(root, num_videos=3, num_frames=6, size=(64, 48),
                     progress=False)
    assert not osp.exists(osp.join(root, 'preview.png'))
    work = tmp_path / 'work'
    work.mkdir()
    # only the data step (the whole job is tests/tools/test_run_demo.py)
    res = demo.step_data(demo.parse_args(['--work-dir', str(work),
                                          '--data-root', root]))
    out = capsys.readouterr().out
    assert 'reusing' in out and 'face' in out and 'preview' in out
    assert res['num_videos'] == 3
    assert osp.isfile(osp.join(root, 'preview.png'))
    assert osp.isfile(tmp_path / 'work' / 'data_summary.json')
