"""tools/test.py's result files, end to end through the real Runner.

DAVIS (issue 17, item 2): ``--out-dir`` writes DAVIS result PNGs and
``eval_davis.py`` on that folder gives the numbers the test run printed.
Compact dump (item 7): ``--out x.pkl`` holds no ground truth and RLE
masks; ``dump_to_official_files.py`` turns it back into files
byte-identical to those ``--out-dir`` wrote (VIP and DAVIS).
"""
import glob
import os
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from PIL import Image

from aten_mm.apis import init_model, test_model

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DAVIS_CFG = osp.join(REPO, 'configs', 'aten', 'aten_tiny_synthetic-davis.py')
VIP_CFG = osp.join(REPO, 'configs', 'parsing_rcnn',
                   'parsing-rcnn_tiny_synthetic.py')


@pytest.fixture(scope='module')
def eval_davis(load_tool):
    return load_tool('tools/analysis_tools/eval_davis.py')


@pytest.fixture(scope='module')
def to_files(load_tool):
    return load_tool('tools/analysis_tools/dump_to_official_files.py')


def tree_bytes(folder):
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = osp.join(root, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, folder)] = f.read()
    return out


def _config(tmp, base, body):
    path = osp.join(str(tmp), osp.basename(base))
    with open(path, 'w') as f:
        f.write(f'_base_ = [{base!r}]\n{body}')
    return path


def _checkpoint(cfg, path, tweak):
    torch.manual_seed(0)
    model = init_model(cfg)
    tweak(model)
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return path


def _test(cfg, ckpt, root, work, **options):
    return test_model(
        cfg, ckpt, work_dir=work, cfg_options={
            'test_dataloader.dataset.data_root': root,
            'visualizer.name': osp.basename(work)}, **options)


@pytest.fixture(scope='module')
def davis_run(tmp_path_factory):
    from aten_mm.datasets.synthetic import generate_dataset
    tmp = tmp_path_factory.mktemp('davis')
    root = str(tmp / 'set')
    # 3 videos -> train videos1, val videos2 + videos3 (val and test)
    generate_dataset(root, num_videos=3, num_frames=6, size=(64, 48),
                     fmt='davis', seed=0, progress=False)
    cfg = _config(tmp, DAVIS_CFG, '')

    ckpt = _checkpoint(cfg, str(tmp / 'davis.pth'), lambda model: None)
    out_dir, dump = str(tmp / 'preds'), str(tmp / 'davis.pkl')
    metrics = _test(cfg, ckpt, root, str(tmp / 'work'), out_dir=out_dir,
                    out=dump)
    return dict(tmp=tmp, root=root, out_dir=out_dir, dump=dump,
                metrics=metrics)


def test_davis_out_dir_round_trip(davis_run, eval_davis):
    root, out_dir = davis_run['root'], davis_run['out_dir']
    # the official layout: <seq>/<frame>.png for every annotated frame
    anns = sorted(osp.relpath(p, osp.join(root, 'Annotations', '480p'))
                  for p in glob.glob(osp.join(root, 'Annotations', '480p',
                                              '*', '*.png')))
    val = open(osp.join(root, 'ImageSets', '2016', 'val.txt')).read().split()
    expected = [a for a in anns if a.split(os.sep)[0] in val]
    assert sorted(tree_bytes(out_dir)) == expected and len(expected) == 12
    masks = [np.array(Image.open(osp.join(out_dir, p))) for p in expected]
    assert all(set(np.unique(m)) <= {0, 1} for m in masks)
    fg = np.mean([m.mean() for m in masks])
    assert 0 < fg < 1, 'degenerate prediction: the test would prove little'
    scores = eval_davis.main([out_dir, root])
    printed = davis_run['metrics']
    assert set(printed) == {f'davis/{k}' for k in scores}
    for k, v in scores.items():
        assert printed[f'davis/{k}'] == pytest.approx(v, rel=1e-12,
                                                      abs=1e-12), k


def test_davis_dump_round_trip(davis_run, tmp_path, to_files):
    samples = to_files.load_compact_results(davis_run['dump'])
    # stream mode: every frame of the val sequences is a sample
    assert len(samples) == 12
    assert all('gt_sem_seg' not in s for s in samples)
    rebuilt = str(tmp_path / 'rebuilt')
    assert to_files.main([davis_run['dump'], rebuilt, '--format',
                          'davis']) == 12
    assert tree_bytes(rebuilt) == tree_bytes(davis_run['out_dir'])


@pytest.fixture(scope='module')
def vip_run(tmp_path_factory):
    from aten_mm.datasets.synthetic import generate_dataset
    tmp = tmp_path_factory.mktemp('vip')
    root = str(tmp / 'set')
    generate_dataset(root, num_videos=4, num_frames=5, size=(64, 48),
                     annotate_every=2, seed=0, progress=False)
    cfg = _config(tmp, VIP_CFG,
                  'model = dict(test_cfg=dict(fusion=dict(score_thr=0.0)))'
                  '\n')

    def tweak(model):
        # positive mask logits: every kept detection has its box as mask,
        # so persons and part instances are written (not all-empty files)
        model.roi_head.mask_head.conv_logits.bias.data.fill_(3.0)

    ckpt = _checkpoint(cfg, str(tmp / 'vip.pth'), tweak)
    out_dir, dump = str(tmp / 'official'), str(tmp / 'vip.pkl')
    _test(cfg, ckpt, root, str(tmp / 'work'), out_dir=out_dir, out=dump)
    return dict(out_dir=out_dir, dump=dump)


def test_vip_dump_is_compact_and_round_trips(vip_run, tmp_path, to_files):
    with open(vip_run['dump'], 'rb') as f:
        raw = pickle.load(f)
    assert raw == to_files.load_compact_results(vip_run['dump'])
    s = raw[0]
    # no ground truth, masks as RLE dicts, plain values only
    assert not [k for k in s if k.startswith('gt_')]
    assert isinstance(s['pred_instances']['masks'][0]['counts'], bytes)
    assert sum(len(x['pred_part_instances']['masks']) for x in raw) > 0
    rebuilt = str(tmp_path / 'rebuilt')
    to_files.main([vip_run['dump'], rebuilt])
    official = tree_bytes(vip_run['out_dir'])
    assert len(official) == 5 * len(raw)  # five files per annotated frame
    assert tree_bytes(rebuilt) == official


def test_reader_refuses_non_dumps_and_full_folders(vip_run, tmp_path,
                                                   to_files):
    from aten_mm.apis import ConfigError
    evil = tmp_path / 'evil.pkl'
    with open(evil, 'wb') as f:
        pickle.dump([dict(pred_sem_seg=np.zeros(2))], f)  # a numpy global
    with pytest.raises(ConfigError, match='evil.pkl'):
        to_files.main([str(evil), str(tmp_path / 'a')])
    full = tmp_path / 'full'
    full.mkdir()
    (full / 'x.txt').write_text('keep me')
    with pytest.raises(ConfigError, match='not empty'):
        to_files.main([vip_run['dump'], str(full)])
    assert (full / 'x.txt').read_text() == 'keep me'
