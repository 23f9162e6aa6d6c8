"""Tests of aten_mm.apis.cli, the command-line pieces of tools/train.py
and tools/test.py (the config they build: test_train.py, test_test.py;
file named test_run_cli: tests/datasets/synthetic has
a test_cli.py and the test basenames must be unique)."""
import argparse
import os
import os.path as osp

import pytest

from aten_mm.apis.cli import add_run_args, parse_run_args, run_tool
from aten_mm.apis.config import ConfigError
from aten_mm.utils.checkpoint import UnsafeCheckpointError


def make_parser():
    parser = argparse.ArgumentParser()
    parser.add_argument('config')
    parser.add_argument('--work-dir')
    add_run_args(parser, 'a.b=1')
    return parser


def test_run_args_and_local_rank(monkeypatch):
    # setenv first so that monkeypatch restores the caller's value (or its
    # absence) after parse_run_args wrote LOCAL_RANK
    monkeypatch.setenv('LOCAL_RANK', '0')
    monkeypatch.delenv('LOCAL_RANK')
    args = parse_run_args(make_parser(), [
        'c.py', '--launcher', 'pytorch', '--local-rank', '3',
        '--cfg-options', 'x.y=2', 'z=[1,2]'])
    assert args.launcher == 'pytorch' and args.local_rank == 3
    assert args.cfg_options == {'x.y': 2, 'z': [1, 2]}
    assert os.environ['LOCAL_RANK'] == '3'
    # a launcher-set LOCAL_RANK wins over the flag
    monkeypatch.setenv('LOCAL_RANK', '1')
    parse_run_args(make_parser(), ['c.py', '--local_rank', '5'])
    assert os.environ['LOCAL_RANK'] == '1'
    with pytest.raises(SystemExit):
        parse_run_args(make_parser(), ['c.py', '--launcher', 'ssh'])


@pytest.mark.parametrize('exc', [
    ConfigError('bad key "q"'),
    FileNotFoundError('no "c.py"'),
    UnsafeCheckpointError('refused x.pth'),
    FloatingPointError('loss is nan at iteration 5'),
])
def test_run_tool_turns_user_errors_into_one_line(exc):
    def main():
        raise exc

    with pytest.raises(SystemExit) as info:
        run_tool(main)
    assert info.value.code == f'error: {exc}'


def test_run_tool_lets_bugs_through():
    def main():
        raise KeyError('bug')

    with pytest.raises(KeyError):
        run_tool(main)


@pytest.mark.parametrize('exc', [
    ValueError('list.txt:3: bad line'),
    IsADirectoryError(21, 'Is a directory', 'out.pkl'),
])
def test_run_tool_reports_bad_files_in_one_line(exc, monkeypatch):
    monkeypatch.delenv('ATEN_MM_TRACEBACK', raising=False)

    def main():
        raise exc

    with pytest.raises(SystemExit) as info:
        run_tool(main)
    assert info.value.code == f'error: {exc}'
    # the traceback on request
    monkeypatch.setenv('ATEN_MM_TRACEBACK', '1')
    with pytest.raises(type(exc)):
        run_tool(main)


def test_every_tool_uses_run_tool():
    """Each entry point under tools/ and demo/ ends with run_tool(main)."""
    import glob
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    scripts = sorted(glob.glob(osp.join(repo, 'tools', '**', '*.py'),
                               recursive=True) +
                     glob.glob(osp.join(repo, 'demo', '*.py')))
    assert len(scripts) > 10
    missing = []
    for path in scripts:
        text = open(path, encoding='utf-8').read()
        if "__name__ == '__main__'" not in text:
            continue
        main_block = text[text.index("__name__ == '__main__'"):]
        if 'run_tool(main)' not in main_block:
            missing.append(osp.relpath(path, repo))
    assert missing == []
