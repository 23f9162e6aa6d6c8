"""Safe checkpoint loading (weights_only + allow-list) and key reports."""
import logging
import os
import os.path as osp
import pickletools
import re
import warnings
import zipfile

import pytest
import torch
from mmengine.runner import Runner
from tiny_train import TinyModel, build_runner

from aten_mm.utils import (
    UnsafeCheckpointError,
    load_checkpoint,
    safe_torch_load,
)
from aten_mm.utils.checkpoint import load_checkpoint_to_model

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """A checkpoint written by mmengine's own Runner (2 epochs)."""
    flag = torch.are_deterministic_algorithms_enabled()
    work = str(tmp_path_factory.mktemp('ckpt'))
    runner = build_runner(work, 2, runner_cls=Runner, name='ckpt')
    runner.train()
    torch.use_deterministic_algorithms(flag)
    return work, runner


def test_runner_checkpoint_globals_are_exactly_the_allow_list(trained):
    work, _ = trained
    with zipfile.ZipFile(osp.join(work, 'epoch_2.pth')) as z:
        name = next(n for n in z.namelist() if n.endswith('data.pkl'))
        ops = list(pickletools.genops(z.read(name)))
    found = set()
    for op, arg, _ in ops:
        assert op.name != 'STACK_GLOBAL'
        if op.name == 'GLOBAL':
            module, attr = arg.split(' ')
            module = 'builtins' if module == '__builtin__' else module
            if module.split('.')[0] not in ('torch', 'collections', '_codecs'):
                found.add(f'{module}.{attr}')
    # Everything but torch's defaults (tensors, OrderedDict, bytes):
    assert found == {
        'mmengine.logging.history_buffer.HistoryBuffer',
        'numpy.core.multiarray._reconstruct', 'numpy.ndarray',
        'numpy.dtype', 'numpy.core.multiarray.scalar', 'builtins.getattr'
    }


def test_runner_checkpoint_loads_and_resumes_weights_only(trained, tmp_path):
    work, runner = trained
    path = osp.join(work, 'epoch_2.pth')
    # torch's default (weights_only=True) works once aten_mm is imported.
    ckpt = torch.load(path)
    assert ckpt['meta']['epoch'] == 2
    hub = ckpt['message_hub']['log_scalars']['train/loss']
    assert len(hub.data[0]) == 8 and hub.mean() == pytest.approx(
        float(hub.data[0].mean()))
    model = TinyModel()
    load_checkpoint(model, path)
    for key, value in runner.model.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key
    # mmengine's plain Runner resumes with default torch.load too.
    flag = torch.are_deterministic_algorithms_enabled()
    resumed = build_runner(work, 3, runner_cls=Runner, resume=True,
                           name='ckpt_resume')
    resumed.train()
    torch.use_deterministic_algorithms(flag)
    assert resumed.epoch == 3 and resumed.iter == 12


class _Evil:
    """Unpickling this would create ``marker`` via os.system."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


def test_malicious_checkpoint_is_refused_and_not_executed(tmp_path):
    marker = tmp_path / 'pwned'
    fn, args = _Evil(marker).__reduce__()
    assert fn(*args) == 0 and marker.exists()  # the payload is live
    marker.unlink()
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'meta': _Evil(marker)}, path)
    for load in (lambda: safe_torch_load(path),
                 lambda: load_checkpoint(TinyModel(), path)):
        with pytest.raises(UnsafeCheckpointError) as info:
            load()
        msg = str(info.value)
        assert path in msg and 'posix.system' in msg
        assert 'for safety' in msg and 'Nothing in it was executed' in msg
    assert not marker.exists()


def test_getattr_is_only_allowed_for_history_buffer_methods(tmp_path):
    """builtins.getattr is mapped to a stand-in that refuses other lookups
    (here getattr(torch.Tensor, '__class__'), harmless but not ours)."""
    import pickle

    class _Get:

        def __reduce__(self):
            return getattr, (torch.Tensor, '__class__')

    path = str(tmp_path / 'getattr.pth')
    torch.save({'x': _Get()}, path)
    with pytest.raises(UnsafeCheckpointError, match='getattr'):
        safe_torch_load(path)
    # (plain pickle would run the real getattr)
    assert pickle.loads(pickle.dumps(_Get())) is type(torch.Tensor)


def test_missing_empty_and_truncated_files(tmp_path, trained):
    missing = str(tmp_path / 'nope.pth')
    with pytest.raises(FileNotFoundError, match=re.escape(missing)):
        load_checkpoint(TinyModel(), missing)
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    with pytest.raises(ValueError, match='empty'):
        safe_torch_load(str(empty))
    data = open(osp.join(trained[0], 'epoch_1.pth'), 'rb').read()
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match='truncated'):
        safe_torch_load(str(cut))


def test_checkpoint_from_other_config_reports_keys(trained, caplog):
    work, runner = trained
    ckpt = safe_torch_load(osp.join(work, 'epoch_2.pth'))
    other = torch.nn.Module()
    other.net = torch.nn.Sequential(torch.nn.Linear(4, 8))  # same net.0
    other.head = torch.nn.Linear(3, 1)
    logger = logging.getLogger('aten_mm_test_ckpt')
    with caplog.at_level(logging.WARNING, logger=logger.name):
        report = load_checkpoint_to_model(other, ckpt, filename='x.pth',
                                          logger=logger)
    assert report['missing_keys'] == ['head.bias', 'head.weight']
    assert report['unexpected_keys'] == ['net.3.bias', 'net.3.weight']
    assert 'x.pth' in caplog.text and 'head.weight' in caplog.text
    assert 'net.3.weight' in caplog.text
    # What matched was loaded.
    assert torch.equal(other.net[0].weight,
                       runner.model.state_dict()['net.0.weight'])
    with pytest.raises(ValueError, match='another config'):
        load_checkpoint_to_model(other, ckpt, filename='x.pth', strict=True)


def test_safety_switch_is_never_turned_off():
    """No code in the repository disables weights_only loading."""
    env_var = 'TORCH_FORCE_NO_' + 'WEIGHTS_ONLY_LOAD'
    unsafe = 'weights_only=' + 'False'
    offenders = []
    for root, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in ('.venv', '.git', 'data',
                                                'work_dirs', 'node_modules')]
        for name in files:
            if not name.endswith(('.py', '.sh', '.cfg', '.toml', '.ini',
                                  '.yml', '.yaml')) and name != 'Makefile':
                continue
            path = osp.join(root, name)
            with open(path, errors='ignore') as f:
                text = f.read()
            if env_var in text or unsafe in text.replace(' ', ''):
                offenders.append(path)
    assert offenders == []
    assert env_var not in os.environ


# The environment switch that makes torch.load unpickle anything by default
# (spelt in two parts: test_safety_switch_is_never_turned_off greps for it).
FORCE_UNSAFE = 'TORCH_FORCE_NO_' + 'WEIGHTS_ONLY_LOAD'
PER_FRAME_CFG = osp.join(REPO, 'configs', 'parsing_rcnn',
                         'parsing-rcnn_tiny_synthetic.py')


@pytest.mark.parametrize('zip_format', [True, False],
                         ids=['zip', 'legacy'])
def test_every_loader_refuses_code_even_when_env_forces_unsafe_loading(
        tmp_path, monkeypatch, zip_format):
    """With the switch set, mmengine's loader (torch.load without
    weights_only) would run the payload; ours pass weights_only=True.
    Entry points: init_model (demo, benchmark, study), the Runner's
    load_checkpoint (tools/test.py load_from) and resume (train --resume).
    """
    from aten_mm.apis import init_model
    marker = tmp_path / 'pwned'
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'meta': _Evil(marker)}, path,
               _use_new_zipfile_serialization=zip_format)
    monkeypatch.setenv(FORCE_UNSAFE, '1')
    # the switch is live: plain torch.load would run the payload
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        torch.load(path)
    assert marker.exists()
    marker.unlink()
    runner = build_runner(str(tmp_path / 'work'), 1, name='evil')
    loaders = [
        lambda: safe_torch_load(path),
        lambda: load_checkpoint(TinyModel(), path),
        lambda: init_model(PER_FRAME_CFG, path),
        lambda: runner.load_checkpoint(path),
        lambda: runner.resume(path),
    ]
    for load in loaders:
        with pytest.raises(UnsafeCheckpointError, match='for safety'):
            load()
        assert not marker.exists()


def test_text_file_or_plain_object_is_not_a_checkpoint(tmp_path):
    text = tmp_path / 'notes.pth'
    text.write_text('epoch 3 was the best\n')
    with pytest.raises(ValueError, match='not a PyTorch checkpoint') as info:
        safe_torch_load(str(text))
    assert str(text) in str(info.value)
    folder = tmp_path / 'dir.pth'
    folder.mkdir()
    with pytest.raises(ValueError, match='is a directory'):
        safe_torch_load(str(folder))
    tensor = str(tmp_path / 'tensor.pth')
    torch.save(torch.zeros(3), tensor)
    with pytest.raises(ValueError, match='holds a Tensor; expected a dict'):
        safe_torch_load(tensor)


def _weights(**changes):
    state = {k: v.clone() for k, v in TinyModel().state_dict().items()}
    state.update(changes)
    return dict(state_dict=state)


def test_wrong_dtypes_are_reported_and_not_loaded(caplog):
    model = TinyModel()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    ckpt = _weights(**{'net.0.weight': torch.ones(8, 4, dtype=torch.int64),
                       'net.0.bias': 'not a tensor'})
    good = ckpt['state_dict']['net.3.weight']
    logger = logging.getLogger('aten_mm_test_dtype')
    with caplog.at_level(logging.WARNING, logger=logger.name):
        report = load_checkpoint_to_model(model, ckpt, filename='d.pth',
                                          logger=logger)
    assert report['mismatched_dtypes'] == [
        ('net.0.bias', 'str', 'torch.float32'),
        ('net.0.weight', 'torch.int64', 'torch.float32')]
    assert report['missing_keys'] == report['unexpected_keys'] == []
    assert report['loadable'] == ['net.3.bias', 'net.3.weight']
    assert 'type mismatches' in caplog.text and 'net.0.weight' in caplog.text
    # the mismatched entries kept their values; the rest was loaded
    assert torch.equal(model.net[0].weight, before['net.0.weight'])
    assert torch.equal(model.net[0].bias, before['net.0.bias'])
    assert torch.equal(model.net[3].weight, good)
    # a float of another precision is a float: it loads
    half = _weights(**{'net.3.weight': good.half()})
    report = load_checkpoint_to_model(TinyModel(), half, logger=logger)
    assert report['mismatched_dtypes'] == []
    with pytest.raises(ValueError, match='type mismatches'):
        load_checkpoint_to_model(TinyModel(), ckpt, strict=True)


def test_no_matching_key_or_nonfinite_weights_are_refused():
    other = dict(state_dict={'backbone.conv.weight': torch.zeros(3)})
    with pytest.raises(ValueError, match='no weight that matches') as info:
        load_checkpoint_to_model(TinyModel(), other, filename='o.pth')
    assert 'o.pth' in str(info.value) and 'net.0.weight' in str(info.value)
    nan = _weights(**{'net.3.bias': torch.full((1, ), float('nan'))})
    model = TinyModel()
    before = model.net[3].bias.clone()
    with pytest.raises(ValueError, match=r'NaN/inf values in 1 weight\(s\): '
                       'net.3.bias'):
        load_checkpoint_to_model(model, nan, filename='n.pth')
    assert torch.equal(model.net[3].bias, before)  # nothing was loaded
    load_checkpoint_to_model(model, nan, allow_nonfinite=True)
    assert torch.isnan(model.net[3].bias).all()


def test_resume_from_a_plain_state_dict_is_refused(tmp_path):
    plain = str(tmp_path / 'weights.pth')
    torch.save(TinyModel().state_dict(), plain)
    runner = build_runner(str(tmp_path / 'work'), 1, name='plain')
    with pytest.raises(ValueError, match='not a training checkpoint') as info:
        runner.resume(plain)
    assert plain in str(info.value) and 'meta.epoch' in str(info.value)
    # the same file is fine as weights (load_from)
    runner.load_checkpoint(plain)


def test_mmengine_loaders_are_routed_through_the_safe_loader(
        tmp_path, monkeypatch):
    """mmengine's own loaders (init_cfg=Pretrained, load_checkpoint,
    http(s)://) call torch.load without weights_only; aten_mm registers
    safe ones for their schemes."""
    from mmengine.model import BaseModule
    from mmengine.runner import load_checkpoint as mmengine_load

    from aten_mm.utils.checkpoint import _mmengine_http
    marker = tmp_path / 'pwned'
    evil = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'meta': _Evil(marker)}, evil)
    monkeypatch.setenv(FORCE_UNSAFE, '1')
    with pytest.raises(UnsafeCheckpointError):
        mmengine_load(TinyModel(), evil)

    class Pretrained(BaseModule):

        def __init__(self):
            super().__init__(init_cfg=dict(type='Pretrained',
                                           checkpoint=evil))
            self.net = torch.nn.Linear(2, 2)

    with pytest.raises(UnsafeCheckpointError):
        Pretrained().init_weights()
    # http(s): downloaded into the cache, then read safely
    cache = tmp_path / 'cache'
    with pytest.raises(UnsafeCheckpointError):
        _mmengine_http(f'file://{evil}', model_dir=str(cache))
    assert (cache / 'evil.pth').is_file()
    assert not marker.exists()
    # a good checkpoint loads through the same routes
    good = str(tmp_path / 'good.pth')
    model = TinyModel()
    torch.save(dict(state_dict=model.state_dict()), good)
    other = TinyModel()
    mmengine_load(other, good)
    assert torch.equal(other.net[0].weight, model.net[0].weight)
    ckpt = _mmengine_http(f'file://{good}', model_dir=str(cache))
    assert torch.equal(ckpt['state_dict']['net.3.bias'], model.net[3].bias)
