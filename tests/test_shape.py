"""The package's shape, checked: no function takes more than 6 positional parameters (the rest are keyword-only),
and no module imports a `_private` name from another module."""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / 'dreambooth_nb'
MAX_POSITIONAL = 6


def modules() -> dict:
    return {p.stem: ast.parse(p.read_text()) for p in sorted(PKG.glob('*.py')) if p.stem != '_modidx'}


def too_many_positional(tree) -> list:
    "Names of the functions in `tree` with more than `MAX_POSITIONAL` positional parameters (`self` counts)."
    out = []
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if len(n.args.posonlyargs) + len(n.args.args) > MAX_POSITIONAL:
                out.append(n.name)
    return out


def private_imports(tree) -> list:
    "`module.name` for each `_private` name that `tree` imports from another module of the package."
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and (n.level == 1 or (n.module or '').startswith('dreambooth_nb')):
            out += [f'{n.module}.{a.name}' for a in n.names if a.name.startswith('_') and not a.name.startswith('__')]
    return out


def test_the_checks_can_fail():
    tree = ast.parse(
        'def f(a, b, c, d, e, f, g): pass\ndef ok(a, b, c, d, e, f, *, g): pass\n'
        'from .core import _hidden, visible\nfrom os import _exit\n'
    )
    assert too_many_positional(tree) == ['f']
    assert private_imports(tree) == ['core._hidden']


def test_at_most_six_positional_parameters():
    found = {m: names for m, tree in modules().items() if (names := too_many_positional(tree))}
    assert found == {}, found


def test_no_private_names_across_modules():
    found = {m: names for m, tree in modules().items() if (names := private_imports(tree))}
    assert found == {}, found


def test_check_cells_finds_a_crowded_and_an_undemonstrated_cell(tmp_path):
    import json
    import subprocess
    import sys

    def cell(src):
        return {'cell_type': 'code', 'metadata': {}, 'source': src, 'outputs': [], 'execution_count': None}

    nb = {
        'cells': [
            cell('#| export\ndef a(): pass\ndef b(): pass'),
            cell('test_eq(a(), None)'),
            cell('#| export\ndef c(): pass\ndef _helper(): pass'),
            cell('print(c())'),
            cell('#| export\nclass D: pass'),
            cell('assert D'),
        ],
        'metadata': {},
        'nbformat': 4,
        'nbformat_minor': 5,
    }
    (tmp_path / 'x.ipynb').write_text(json.dumps(nb))
    tool = Path(__file__).resolve().parent.parent / 'tools' / 'check_cells.py'
    r = subprocess.run([sys.executable, str(tool), str(tmp_path / 'x.ipynb')], capture_output=True, text=True)
    assert r.returncode == 1
    assert 'export cell 0 (a, b): 2 public definitions' in r.stdout
    assert 'export cell 2 (c): no assertion' in r.stdout
    assert 'D)' not in r.stdout and '2 problem(s)' in r.stdout


def long_lines(path: Path, limit: int = 120) -> list:
    "Line numbers of `path` over `limit` characters, except in the `__all__` statement nbdev generates."
    lines = path.read_text().splitlines()
    skip = set()
    for n in ast.parse(path.read_text()).body:
        if isinstance(n, ast.Assign) and [getattr(t, 'id', None) for t in n.targets] == ['__all__']:
            skip.update(range(n.lineno, n.end_lineno + 1))
    return [i for i, line in enumerate(lines, 1) if len(line) > limit and i not in skip]


def test_long_lines_found(tmp_path):
    f = tmp_path / 'm.py'
    f.write_text('"""' + 'd' * 130 + '"""\n__all__ = [\n    "' + 'a' * 130 + '"]\nx = "' + 'b' * 130 + '"\n')
    assert long_lines(f) == [1, 4]


def test_package_lines_fit_in_120_columns():
    found = {p.name: n for p in sorted(PKG.glob('*.py')) if p.stem != '_modidx' and (n := long_lines(p))}
    assert found == {}, found
