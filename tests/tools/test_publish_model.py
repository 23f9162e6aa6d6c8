"""publish_model.py: training state dropped, sha256 name, safe loading."""
import hashlib
import os
import os.path as osp

import pytest
import torch

from aten_mm.apis import ConfigError
from aten_mm.utils.checkpoint import UnsafeCheckpointError, safe_torch_load


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('tools/model_converters/publish_model.py')


class _Evil:

    def __reduce__(self):
        return (os.system, ('echo pwned',))


def _runner_checkpoint(path):
    """A checkpoint as mmengine's Runner writes it (with its message hub,
    optimizer and scheduler state)."""
    from mmengine.logging import HistoryBuffer
    hub = dict(log_scalars=dict(loss=HistoryBuffer([1.0, 0.5], [1, 1])),
               runtime_info=dict(epoch=2, iter=6))
    state = dict(w=torch.arange(6.).reshape(2, 3), b=torch.ones(2))
    ckpt = dict(meta=dict(epoch=2, iter=6, seed=0, cfg='x = 1'),
                state_dict=state,
                message_hub=hub,
                optimizer=dict(state={0: dict(momentum_buffer=torch.ones(2))},
                               param_groups=[dict(lr=0.01, params=[0])]),
                param_schedulers=[dict(last_epoch=2)])
    torch.save(ckpt, path)
    return state


def test_publish_drops_training_state_and_names_by_hash(tmp_path, capsys,
                                                        tool):
    src = str(tmp_path / 'epoch_2.pth')
    state = _runner_checkpoint(src)
    final = tool.main([src, str(tmp_path / 'out' / 'aten_vip.pth')])
    name = osp.basename(final)
    assert name.startswith('aten_vip-') and name.endswith('.pth')
    with open(final, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    assert name == f'aten_vip-{digest[:8]}.pth'
    ckpt = safe_torch_load(final)
    assert sorted(ckpt) == ['meta', 'state_dict']
    assert ckpt['meta']['cfg'] == 'x = 1'
    for k, v in state.items():
        assert torch.equal(ckpt['state_dict'][k], v)
    out = capsys.readouterr().out
    assert 'message_hub' in out and 'optimizer' in out
    # no temporary file left behind, the input untouched
    assert os.listdir(tmp_path / 'out') == [name]
    assert 'optimizer' in safe_torch_load(src)
    # the same input again: same name, and it is not overwritten
    with pytest.raises(ConfigError, match='exists'):
        tool.main([src, str(tmp_path / 'out' / 'aten_vip')])
    assert os.listdir(tmp_path / 'out') == [name]


def test_plain_state_dict_is_wrapped(tmp_path, tool):
    src = str(tmp_path / 'plain.pth')
    torch.save(dict(w=torch.zeros(3)), src)
    final = tool.main([src, str(tmp_path / 'pub')])
    assert osp.basename(final).startswith('pub-')
    assert torch.equal(safe_torch_load(final)['state_dict']['w'],
                       torch.zeros(3))


def test_unsafe_and_bad_inputs_are_refused(tmp_path, tool):
    src = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={}, meta=_Evil()), src)
    with pytest.raises(UnsafeCheckpointError, match='evil.pth'):
        tool.main([src, str(tmp_path / 'x.pth')])
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    with pytest.raises(ConfigError, match='empty.pth'):
        tool.main([str(empty), str(tmp_path / 'y.pth')])
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        tool.main([str(tmp_path / 'missing.pth'), str(tmp_path / 'z')])
    assert not list(tmp_path.glob('x-*')) + list(tmp_path.glob('.publish*'))


def test_fp16_halves_floats_keeps_integers_and_loads(tmp_path, tool):
    src = str(tmp_path / 'epoch_2.pth')
    _runner_checkpoint(src)
    ckpt = safe_torch_load(src)
    ckpt['state_dict']['w'] = torch.tensor([[0.1, 1 / 3, 2.0]])
    ckpt['state_dict']['n'] = torch.tensor(7)
    torch.save(ckpt, src)
    half = safe_torch_load(tool.main([src, str(tmp_path / 'h'),
                                      '--fp16']))
    assert half['meta']['stored_dtype'] == 'float16'
    assert half['meta']['cfg'] == 'x = 1'
    assert half['state_dict']['w'].dtype == torch.float16
    assert half['state_dict']['n'].dtype == torch.int64
    assert half['state_dict']['n'].item() == 7
    # a float32 module loads it: float16-rounded values, float32 storage
    lin = torch.nn.Linear(3, 1, bias=False)
    lin.load_state_dict(dict(weight=half['state_dict']['w']))
    assert lin.weight.dtype == torch.float32
    assert torch.equal(lin.weight.data,
                       torch.tensor([[0.1, 1 / 3, 2.0]]).half().float())
    assert not torch.equal(lin.weight.data,
                           torch.tensor([[0.1, 1 / 3, 2.0]]))
    # without --fp16 the dtypes are the input's
    full = safe_torch_load(tool.main([src, str(tmp_path / 'f')]))
    assert full['state_dict']['w'].dtype == torch.float32
    assert 'stored_dtype' not in full['meta']
