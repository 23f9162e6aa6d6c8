"""tools/train.py and tools/test.py end to end on the tiny per-frame config
and a tiny synthetic set, through the real Runner."""
import glob
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image

from aten_mm.apis import ConfigError

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'parsing_rcnn',
                  'parsing-rcnn_tiny_synthetic.py')


@pytest.fixture(scope='module')
def train_tool(load_tool):
    return load_tool('tools/train.py')


@pytest.fixture(scope='module')
def test_tool(load_tool):
    return load_tool('tools/test.py')


def data_options(root, run):
    """--cfg-options for a tiny run: the data and 2 epochs.

    Each run in this process needs its own visualizer name: mmengine keeps
    one instance per name, with the log folder of the run that made it.
    """
    opts = [f'visualizer.name={run}']
    for split in ('train', 'val', 'test'):
        opts.append(f'{split}_dataloader.dataset.data_root={root}')
    return opts + ['train_cfg.max_epochs=2', 'train_cfg.val_interval=2']


def train_log(work_dir, timestamp):
    path = osp.join(work_dir, timestamp, 'vis_data', 'scalars.json')
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope='module')
def trained(tmp_path_factory, train_tool):
    from aten_mm.datasets.synthetic import generate_dataset
    root = str(tmp_path_factory.mktemp('tools') / 'synthetic')
    # 4 videos -> 2 train / 1 val / 1 test; 9 frames, annotated 1, 5, 9
    generate_dataset(root, num_videos=4, num_frames=9, size=(96, 64),
                     annotate_every=4, seed=0, progress=False)
    work_dir = osp.join(osp.dirname(root), 'work')
    # the shipped config without its seed: exact resume must not need one
    config = osp.join(osp.dirname(root), 'unseeded.py')
    with open(config, 'w') as f:
        f.write(f'_base_ = [{CONFIG!r}]\n'
                'randomness = dict(_delete_=True, seed=None)\n')
    runner = train_tool.main([config, '--work-dir', work_dir,
                              '--cfg-options', *data_options(root, 'train')])
    # the weights after 2 uninterrupted epochs (later tests resume into
    # work_dir and overwrite epoch_2.pth)
    final = {k: v.detach().clone()
             for k, v in runner.model.state_dict().items()}
    return dict(root=root, work_dir=work_dir, runner=runner, final=final,
                config=config)


def test_train_runs_trains_and_validates(trained):
    runner, work_dir = trained['runner'], trained['work_dir']
    # 6 training clips, batch 2 -> 3 iterations per epoch, 2 epochs
    assert (runner.epoch, runner.iter) == (2, 6)
    for name in ('epoch_1.pth', 'epoch_2.pth', 'last_checkpoint'):
        assert osp.isfile(osp.join(work_dir, name)), name
    log = train_log(work_dir, runner.timestamp)
    train = [e for e in log if 'loss' in e]
    assert [e['step'] for e in train] == [3, 6]
    assert all(np.isfinite(e['loss']) for e in train)
    val = [e for e in log if 'vip/mIoU' in e]
    assert len(val) == 1 and 0.0 <= val[0]['vip/mIoU'] <= 100.0


def test_resume_continues_from_the_checkpoint_epoch(trained, train_tool):
    work_dir = trained['work_dir']
    opts = data_options(trained['root'], 'resume')
    opts[opts.index('train_cfg.max_epochs=2')] = 'train_cfg.max_epochs=3'
    runner = train_tool.main([
        CONFIG, '--work-dir', work_dir, '--resume',
        osp.join(work_dir, 'epoch_1.pth'), '--cfg-options', *opts])
    assert (runner.epoch, runner.iter) == (3, 9)
    train = [e for e in train_log(work_dir, runner.timestamp)
             if 'loss' in e]
    # epochs 2 and 3 only: the resumed run did not start again at epoch 1
    assert [(e['epoch'], e['step']) for e in train] == [(2, 6), (3, 9)]


def test_resume_is_exact_without_a_configured_seed(trained, tmp_path,
                                                   train_tool):
    """The tiny config run without a seed (``trained`` deletes the one the
    shipped config sets). Resuming its epoch-1 checkpoint twice (each new
    run draws its own fresh seed) gives the same weights as each other and
    as the uninterrupted 2-epoch run: random flips, photometric distortion
    and the shuffling all follow the checkpoint's seeds."""
    assert Config.fromfile(trained['config']).randomness == dict(seed=None)
    ckpt = osp.join(tmp_path, 'epoch_1.pth')
    shutil.copy(osp.join(trained['work_dir'], 'epoch_1.pth'), ckpt)
    resumed = []
    for i in range(2):
        opts = data_options(trained['root'], f'exact{i}')
        opts[opts.index('train_cfg.val_interval=2')] = \
            'train_cfg.val_interval=3'  # no validation needed here
        runner = train_tool.main([
            trained['config'], '--work-dir', str(tmp_path / f'w{i}'),
            '--resume', ckpt,
            '--cfg-options', *opts])
        assert (runner.epoch, runner.iter) == (2, 6)
        resumed.append(runner.model.state_dict())
    expected = trained['final']
    assert resumed[0].keys() == resumed[1].keys() == expected.keys()
    for key in expected:
        assert torch.equal(resumed[0][key], resumed[1][key]), key
        assert torch.equal(resumed[0][key], expected[key]), key


def test_test_prints_metrics_and_writes_official_files(trained, capsys,
                                                       test_tool):
    root, work_dir = trained['root'], trained['work_dir']
    out_dir = osp.join(work_dir, 'official')
    metrics = test_tool.main([
        CONFIG, osp.join(work_dir, 'epoch_2.pth'), '--work-dir', work_dir,
        '--out-dir', out_dir, '--show-dir', 'overlays', '--cfg-options',
        f'test_dataloader.dataset.data_root={root}'])
    printed = capsys.readouterr().out
    assert 'vip/mIoU' in printed and 'vip/APr ' in printed
    assert 0.0 <= metrics['vip/mIoU'] <= 100.0
    # the evaluated split is val = videos3, annotated frames 1, 5, 9
    for frame in ('000000000001', '000000000005', '000000000009'):
        gt = np.array(Image.open(osp.join(
            root, 'VIP_Fine', 'Annotations', 'Category_ids', 'videos3',
            frame + '.png')))
        pred = np.array(Image.open(osp.join(
            out_dir, 'videos3', 'gray', f'global_{frame}.png')))
        assert pred.shape == gt.shape and pred.max() < 20
        assert osp.isfile(osp.join(out_dir, 'videos3', 'instance_part',
                                   frame + '.txt'))
    overlays = sorted(glob.glob(osp.join(work_dir, '*', 'overlays',
                                         'videos3', '*.png')))
    assert [osp.basename(p) for p in overlays] == [
        '000000000001.png', '000000000005.png', '000000000009.png']
    assert np.array(Image.open(overlays[0])).shape == (64, 96, 3)


def test_user_errors_are_clear(trained, tmp_path, train_tool, test_tool):
    with pytest.raises(FileNotFoundError, match='missing.py'):
        train_tool.main([str(tmp_path / 'missing.py')])
    with pytest.raises(ConfigError, match='trian_cfg'):
        train_tool.main([CONFIG, '--cfg-options', 'trian_cfg.max_epochs=1'])
    with pytest.raises(FileNotFoundError, match='nothing.pth'):
        test_tool.main([CONFIG, str(tmp_path / 'nothing.pth')])
    with pytest.raises(FileNotFoundError, match='gone.pth'):
        train_tool.main([CONFIG, '--resume', str(tmp_path / 'gone.pth')])


def _run_script(script, *args):
    """Run a tools/ shell script. Without PORT the scripts let torchrun
    pick a free port itself (``--standalone``: its store listens on port
    0), so no port is found free here and taken by another process before
    the launcher binds it."""
    import subprocess
    import sys
    env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS='1')
    env.pop('PORT', None)
    proc = subprocess.run(['bash', osp.join(REPO, 'tools', script), *args],
                          cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=900)  # a hang guard only
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_two_process_gloo_training_and_testing(trained, tmp_path, test_tool):
    """dist_train.sh with 2 CPU processes over gloo: DDP training, then the
    distributed evaluation (both ranks share the val videos); its metrics
    equal a single-process tools/test.py run of the checkpoint it wrote.
    (dist_test.sh launches tools/test.py the same way; one launch is kept
    to save the suite's time.)"""
    root = trained['root']
    work_dir = str(tmp_path / 'dist')
    opts = data_options(root, 'dist')
    opts[opts.index('train_cfg.max_epochs=2')] = 'train_cfg.max_epochs=1'
    opts[opts.index('train_cfg.val_interval=2')] = 'train_cfg.val_interval=1'
    _run_script('dist_train.sh', CONFIG, '2', '--work-dir', work_dir,
                '--cfg-options', *opts)
    # 6 clips over 2 ranks x 2 per batch -> 2 iterations, one checkpoint
    log = []
    for path in glob.glob(osp.join(work_dir, '*', 'vis_data',
                                   'scalars.json')):
        with open(path) as f:
            log += [json.loads(line) for line in f if line.strip()]
    assert [e['step'] for e in log if 'loss' in e] == [2]
    dist_miou = [e['vip/mIoU'] for e in log if 'vip/mIoU' in e]
    assert len(dist_miou) == 1
    single = test_tool.main([
        CONFIG, osp.join(work_dir, 'epoch_1.pth'), '--work-dir',
        str(tmp_path / 'single'), '--cfg-options',
        f'test_dataloader.dataset.data_root={root}'])
    assert single['vip/mIoU'] == pytest.approx(dist_miou[0], abs=1e-3)


def test_onnxruntime_backend_gives_the_pytorch_metrics(trained, test_tool):
    """``--backend onnxruntime`` (docs/deployment.md): the same test loop
    and metric through the exported graphs, equal to 0.1 point."""
    root, work_dir = trained['root'], trained['work_dir']
    results = {}
    for backend in ('pytorch', 'onnxruntime'):
        results[backend] = test_tool.main([
            CONFIG, osp.join(work_dir, 'epoch_2.pth'), '--work-dir',
            work_dir, '--backend', backend, '--cfg-options',
            f'test_dataloader.dataset.data_root={root}'])
    for key in ('vip/mIoU', 'vip/APr', 'vip/APr_vol'):
        ref, got = results['pytorch'][key], results['onnxruntime'][key]
        # AP^r_vol is undefined (NaN) when no part reaches an IoU level
        assert (np.isnan(ref) and np.isnan(got)) or abs(ref - got) <= 0.1
    assert results['pytorch']['vip/mIoU'] > 0
    with pytest.raises(ConfigError, match='--onnx-dir needs --backend'):
        test_tool.main([CONFIG, osp.join(work_dir, 'epoch_2.pth'),
                        '--onnx-dir', work_dir])


def test_graphs_exported_by_the_tool_serve_the_test_loop(trained, test_tool,
                                                         tmp_path):
    """``export_onnx.py`` builds with ``init_model``, ``tools/test.py``
    with the Runner, which keeps a ``Pretrained`` init_cfg: the graphs'
    fingerprints must still match, and give the PyTorch metrics."""
    from aten_mm.deployment import export_config
    root, work_dir = trained['root'], trained['work_dir']
    ckpt = osp.join(work_dir, 'epoch_2.pth')
    pretrained = 'model.init_cfg={type:Pretrained,checkpoint:/nonexistent.pth}'
    onnx_dir = str(tmp_path / 'onnx')
    export_config(CONFIG, ckpt, onnx_dir, frame_size=(64, 96),
                  cfg_options={'model.init_cfg': dict(
                      type='Pretrained', checkpoint='/nonexistent.pth')},
                  log=lambda line: None)
    results = {}
    for backend in ('pytorch', 'onnxruntime'):
        extra = ['--onnx-dir', onnx_dir] if backend == 'onnxruntime' else []
        results[backend] = test_tool.main([
            CONFIG, ckpt, '--work-dir', str(tmp_path / backend),
            '--backend', backend, *extra, '--cfg-options',
            f'test_dataloader.dataset.data_root={root}', pretrained])
    for key in ('vip/mIoU', 'vip/APr'):
        assert abs(results['pytorch'][key] - results['onnxruntime'][key]) \
            <= 0.1, key
