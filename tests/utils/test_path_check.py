"""Names from list files cannot lead writers outside their folders."""
import os
import os.path as osp

import pytest

from aten_mm.utils.path_check import check_relative_name, join_inside


@pytest.mark.parametrize('name', ['videos1', 'a/b', 'v-1_x.2', '٣'])
def test_relative_names_pass(name):
    assert check_relative_name(name, 'l.txt:1') == name


@pytest.mark.parametrize('name', [
    '', '/tmp/x', '../x', 'a/../../x', 'a//b', './a', 'a/.', '~/x',
    'a\\..\\b', 'a\nb', 'a/'
])
def test_escaping_names_are_refused_naming_the_source(name):
    with pytest.raises(ValueError) as info:
        check_relative_name(name, 'lists/val_id.txt:7')
    assert str(info.value).startswith(
        f'lists/val_id.txt:7: invalid name {name!r}')


def test_join_inside(tmp_path):
    root = str(tmp_path / 'out')
    os.makedirs(root)
    assert join_inside(root, 'v', 'gray', 'a.png') == osp.join(
        root, 'v', 'gray', 'a.png')
    for parts in (('..', 'x.png'), ('/tmp/x.png', ), ('v', '../../x')):
        with pytest.raises(ValueError, match='outside the output folder'):
            join_inside(root, *parts)
    # a link inside the folder that points elsewhere is outside, too
    os.symlink(str(tmp_path), osp.join(root, 'link'))
    with pytest.raises(ValueError, match='outside the output folder'):
        join_inside(root, 'link', 'x.png')
    # the root itself and a prefix-sharing sibling are told apart
    assert join_inside(root) == root
    with pytest.raises(ValueError):
        join_inside(root, '..', 'out2', 'x.png')
