"""Safe checkpoint loading (weights_only + allow-list) and key reports."""
import logging
import os
import os.path as osp
import pickletools
import re
import sys
import zipfile

import pytest
import torch
from mmengine.runner import Runner

from aten_mm.utils import (
    UnsafeCheckpointError,
    load_checkpoint,
    safe_torch_load,
)
from aten_mm.utils.checkpoint import load_checkpoint_to_model

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tests', 'engine'))
from tiny_train import TinyModel, build_runner  # noqa: E402


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
