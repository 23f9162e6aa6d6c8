"""Layers point one way: models never import datasets or evaluation.

Walks the import statements (absolute and relative) of every module under
``aten_mm/models`` and ``aten_mm/structures`` with :mod:`ast`, so an
import hidden inside a function counts as well.
"""
import ast
import os
import os.path as osp

import pytest

PKG = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'aten_mm')


def imported_modules(path, package):
    """Absolute names of the modules imported by the file at ``path``.

    Args:
        path (str): A ``.py`` file.
        package (str): Its package, e.g. ``'aten_mm.models.vid'``.
    """
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), filename=path)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                base = base[:len(base) - node.level + 1]
                mod = '.'.join(base + ([node.module] if node.module else []))
            else:
                mod = node.module
            names.append(mod)
            names += [f'{mod}.{alias.name}' for alias in node.names]
    return names


def modules_under(sub):
    root = osp.join(PKG, sub)
    for folder, _, files in os.walk(root):
        rel = osp.relpath(folder, osp.dirname(PKG))
        package = rel.replace(os.sep, '.')
        for name in sorted(files):
            if name.endswith('.py'):
                yield osp.join(folder, name), package


def forbidden_imports(sub, forbidden):
    bad = []
    for path, package in modules_under(sub):
        for mod in imported_modules(path, package):
            if any(mod == f or mod.startswith(f + '.') for f in forbidden):
                bad.append(f'{osp.relpath(path, PKG)} imports {mod}')
    return bad


def test_the_walker_sees_relative_and_nested_imports(tmp_path):
    src = tmp_path / 'm.py'
    src.write_text('from ..datasets import x\n'
                   'def f():\n    import aten_mm.evaluation.metrics\n')
    names = imported_modules(str(src), 'aten_mm.models')
    assert 'aten_mm.datasets' in names
    assert 'aten_mm.evaluation.metrics' in names


@pytest.mark.parametrize('sub,forbidden', [
    ('models', ('aten_mm.datasets', 'aten_mm.evaluation')),
    ('structures', ('aten_mm.datasets', 'aten_mm.evaluation',
                    'aten_mm.models')),
])
def test_lower_layers_do_not_import_upper_ones(sub, forbidden):
    assert list(modules_under(sub))
    assert forbidden_imports(sub, forbidden) == []
