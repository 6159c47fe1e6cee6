"""The notebooks' literate shape, checked: each `#| export` cell holds at most one public definition (a function
or a class), and a code cell that asserts something (`assert`, fastcore's `test_*`) follows it before the next
export cell. Prints one line per offending cell and exits 1 if there is any; `--list` prints every export cell."""

import argparse, ast, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RE_EXPORT = re.compile(r'^\s*#\|\s*export\b', re.M)
RE_CHECK = re.compile(r'(?<![\w.])(assert|test_\w+)\b')


def public_definitions(src: str) -> list:
    "Names of the public functions and classes defined at the top level of cell source `src`."
    code = '\n'.join(line for line in src.splitlines() if not line.lstrip().startswith(('%', '!')))
    tree = ast.parse(code)
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [n.name for n in tree.body if isinstance(n, kinds) and not n.name.startswith('_')]


def notebook_problems(path: Path) -> list:
    "One message per export cell of notebook `path` that holds several public definitions or is not demonstrated."
    cells = [c for c in json.loads(path.read_text())['cells'] if c['cell_type'] == 'code']
    srcs = [''.join(c['source']) for c in cells]
    exports = [i for i, s in enumerate(srcs) if RE_EXPORT.search(s)]
    out = []
    for k, i in enumerate(exports):
        names = public_definitions(srcs[i])
        where = f'{path.name}: export cell {i} ({", ".join(names) or "no public definition"})'
        if len(names) > 1:
            out.append(f'{where}: {len(names)} public definitions in one cell')
        following = srcs[i + 1 : exports[k + 1] if k + 1 < len(exports) else len(srcs)]
        if names and not any(RE_CHECK.search(s) for s in following):
            out.append(f'{where}: no assertion before the next export cell')
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='*', help='notebooks to check (default: every notebook in nbs/)')
    args = ap.parse_args(argv)
    paths = [Path(p) for p in args.notebooks] or sorted((ROOT / 'nbs').glob('*.ipynb'))
    problems = [m for p in paths for m in notebook_problems(p)]
    for m in problems:
        print(m)
    print(f'check_cells: {len(problems)} problem(s) in {len(paths)} notebooks')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
