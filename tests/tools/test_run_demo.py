"""tools/misc/run_demo.py (the ``make demo`` job) end to end with --quick
on a tiny generated set: data -> train -> eval -> render."""
import json
import os.path as osp

import cv2
import pytest


@pytest.fixture(scope='module')
def run_demo(load_tool):
    return load_tool('tools/misc/run_demo.py')


@pytest.fixture(scope='module')
def tiny_set(tmp_path_factory):
    from aten_mm.datasets.synthetic import generate_dataset
    root = str(tmp_path_factory.mktemp('demo') / 'synthetic')
    generate_dataset(root, num_videos=3, num_frames=12, size=(96, 64),
                     annotate_every=5, seed=1, progress=False)
    return root


def run_config_path(printed):
    line = next(x for x in printed.splitlines()
                if x.startswith('[demo] run config: '))
    return line[len('[demo] run config: '):].strip()


def count_frames(path):
    cap = cv2.VideoCapture(path)
    n = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        assert frame.shape[:2] == (64, 2 * 96)  # input | overlay
        n += 1
    cap.release()
    return n


def test_quick_demo_runs_every_step(tiny_set, tmp_path, capsys, run_demo):
    work = str(tmp_path / 'work')
    out = run_demo.main(['--work-dir', work, '--data-root', tiny_set,
                         '--quick'])
    printed = capsys.readouterr().out
    # train: 1 video x 3 annotated frames, 2 clips a batch -> 2 iterations
    assert out['train']['iters'] == 2
    ckpt = out['train']['checkpoint']
    assert osp.isfile(ckpt) and ckpt.startswith(work)
    # eval: the metrics json holds the VIP numbers of the val split
    with open(osp.join(work, 'metrics.json')) as f:
        record = json.load(f)
    assert record['checkpoint'] == ckpt and record['split'] == 'val'
    m = record['metrics']
    assert 0.0 <= m['vip/mIoU'] <= 100.0 and 'vip/APr' in m
    # the printed numbers are the evaluation's: the [eval] line equals the
    # metrics json, and a separate evaluation of the same checkpoint with
    # the run config gives the same values
    line = next(x for x in printed.splitlines()
                if x.startswith('[eval] mIoU'))
    words = line.split()[1:]
    shown = dict(zip(words[0::2], words[1::2]))
    for key in ('mIoU', 'APr', 'APr_vol'):
        assert shown[key] == f"{m['vip/' + key]:.1f}"
    assert float(shown['mIoU']) == pytest.approx(m['vip/mIoU'], abs=0.05)
    from aten_mm.apis import test_model
    run_config = osp.join(work, osp.basename(run_config_path(printed)))
    again = test_model(run_config, ckpt, work_dir=str(tmp_path / 'again'))
    for key in ('vip/mIoU', 'vip/APr', 'vip/APr_vol'):
        assert again[key] == pytest.approx(m[key], abs=1e-9, nan_ok=True)
    # render: the held-out (test split) video, every frame readable
    summary = out['data']
    test_video = summary['splits']['test'][0]
    assert out['render']['video'] == test_video
    assert out['render']['mp4'] == osp.join(
        osp.abspath(work), f'demo_{test_video}.mp4')
    assert count_frames(out['render']['mp4']) == 12
    # the outputs are listed at the end
    tail = printed[printed.index('[demo] outputs:'):]
    for path in (ckpt, out['eval']['metrics_path'], out['render']['mp4'],
                 summary['preview_path']):
        assert path in tail


def test_failing_step_exits_nonzero(tiny_set, tmp_path, capsys, run_demo):
    bad = tmp_path / 'broken.pth'
    bad.write_bytes(b'not a checkpoint')
    with pytest.raises(SystemExit) as e:
        run_demo.main(['--work-dir', str(tmp_path / 'w'), '--data-root',
                       tiny_set, '--skip-train', '--checkpoint', str(bad)])
    assert e.value.code == 1
    assert '[eval] FAILED' in capsys.readouterr().err
    assert not osp.exists(tmp_path / 'w' / 'metrics.json')


def test_bad_arguments(tmp_path, run_demo):
    with pytest.raises(SystemExit) as e:
        run_demo.parse_args(['--work-dir', str(tmp_path), '--skip-train'])
    assert e.value.code == 2
    with pytest.raises(SystemExit):
        run_demo.parse_args(['--work-dir', str(tmp_path), '--skip-train',
                             '--checkpoint', str(tmp_path / 'none.pth')])
