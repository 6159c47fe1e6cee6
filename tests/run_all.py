"""The test command behind `make test`: nbdev's CI checks, every notebook, then pytest.

Ends with one line `N passed, N failed` (notebooks + pytest tests) and exits non-zero on any failure."""

import os, subprocess, sys, time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
os.chdir(root)
# The project's tests read the real DreamBench where the checkout sits beside a copy (../shared/dreambench);
# elsewhere they make synthetic subjects. A user's own DREAMBENCH_DIR wins.
if (root.parent / 'shared' / 'dreambench' / 'dog').is_dir():
    os.environ.setdefault('DREAMBENCH_DIR', str(root.parent / 'shared' / 'dreambench'))
bin_ = Path(sys.executable).parent
passed, failed, problems = 0, 0, []


def sh(args, timeout=None, **kw):
    print('$', ' '.join(map(str, args)), flush=True)
    return subprocess.run(args, timeout=timeout, text=True, capture_output=True, **kw)


def git_status():
    "`git status --porcelain`; the check cannot be made without it, so a failing git is a failed check."
    r = subprocess.run(['git', 'status', '--porcelain'], text=True, capture_output=True)
    if r.returncode != 0:
        raise SystemExit(f'error: git status failed in {root}: {r.stderr.strip()}')
    return r.stdout


# 1. nbdev_clean and nbdev_export must leave the tree unchanged (what nbdev's own CI checks).
for tool in ('nbdev_clean', 'nbdev_export'):
    before = git_status()
    r = sh([bin_ / tool], timeout=300)
    after = git_status()
    if r.returncode != 0 or before != after:
        failed += 1
        problems.append(f'{tool} changed the tree or failed:\n{r.stdout}{r.stderr}\n{after}')
        print(f'FAILED: {tool} changed files:\n{after}')
    else:
        passed += 1
        print(f'ok: {tool} leaves the tree unchanged')

# ruff (ruff.toml: lines of at most 120 characters, pyflakes' errors, one statement per line) over the package, the
# notebooks it is exported from, the tests and the tools; and the notebooks' literate shape (tools/check_cells.py).
for args in ([bin_ / 'ruff', 'check', '.'], [sys.executable, 'tools/check_cells.py']):
    r = sh(args)
    print(r.stdout.strip()[-4000:], r.stderr.strip()[-2000:])
    if r.returncode:
        failed += 1
        problems.append(f'{args[-1] if args[-1] != "." else "ruff"} failed:\n{r.stdout[-4000:]}')
    else:
        passed += 1

r = sh([sys.executable, 'tools/make_readme.py', '--check'])
print(r.stdout.strip())
if r.returncode:
    failed += 1
    problems.append(r.stdout)
else:
    passed += 1

# 2. every notebook under nbdev_test (slow/cuda/notest cells skipped), one notebook per process.
nbs = sorted(p for p in (root / 'nbs').glob('*.ipynb') if not p.name.startswith('_'))
t0 = time.time()
for nb in nbs:
    t = time.time()
    r = sh([bin_ / 'nbdev_test', '--path', str(nb.relative_to(root)), '--n_workers', '0', '--do_print'], timeout=1200)
    ok = r.returncode == 0
    print(f"{'ok' if ok else 'FAILED'}: {nb.name} ({time.time() - t:.1f}s)", flush=True)
    if ok:
        passed += 1
    else:
        failed += 1
        problems.append(f'{nb.name}:\n{r.stdout[-4000:]}\n{r.stderr[-6000:]}')
        print(r.stdout[-4000:], r.stderr[-6000:])
print(f'notebooks: {time.time() - t0:.0f}s')

# 3. pytest: command-line and integration tests (counted from its junit report).
import tempfile, xml.etree.ElementTree as ET

with tempfile.TemporaryDirectory() as d:
    rep = Path(d) / 'junit.xml'
    r = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', f'--junitxml={rep}', 'tests/'], text=True
    )
    if rep.exists():
        ts = ET.parse(rep).getroot()
        ts = ts if ts.tag == 'testsuite' else ts.find('testsuite')
        n, f, e, s = (int(ts.get(k, 0)) for k in ('tests', 'failures', 'errors', 'skipped'))
        passed += n - f - e - s
        failed += f + e
    else:
        failed += 1
        problems.append(f'pytest wrote no report (exit code {r.returncode})')
    if r.returncode == 5:  # no tests collected: a test suite that vanished is a failure, not a pass
        failed += 1
        problems.append('pytest collected no tests')

for p in problems:
    print('---', p.splitlines()[0])
print(f'{passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
