"""`make docs`: build the site into _docs/ and check it (`python docs/build.py [--no-browser]`).

Sphinx writes into build/docs/html (myst-nb puts its output files beside the output folder, so the build lives under
build/, with the execution cache), warnings count as errors; the finished site then replaces _docs/ whole, and
`check_site` checks it. Where the checkout sits beside a copy of DreamBench (../shared/dreambench) the notebooks read
it, as `make test` does; elsewhere they make synthetic subjects."""

import argparse, os, re, shutil, subprocess, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = ROOT / 'build' / 'docs'
_noise = re.compile(r'Kernel is running over TCP without encryption')  # jupyter_client's note on every kernel start


def sphinx(jobs=2):
    "Run sphinx-build over nbs/; returns (exit status, notebooks executed, seconds executing them)."
    # progress bars would be ipywidgets in a kernel: state and scripts a static page cannot use
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', TQDM_DISABLE='1')
    bench = ROOT.parent / 'shared' / 'dreambench'
    if 'DREAMBENCH_DIR' not in env and (bench / 'dog').is_dir():
        env['DREAMBENCH_DIR'] = str(bench)
    cmd = [
        str(Path(sys.executable).parent / 'sphinx-build'),
        '-b',
        'html',
        '-W',
        '--keep-going',
        '-j',
        str(jobs),
        '-c',
        str(HERE),
        '-d',
        str(BUILD / 'doctrees'),
        str(ROOT / 'nbs'),
        str(BUILD / 'html'),
    ]
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    executed, secs = 0, 0.0
    for line in p.stdout:
        if _noise.search(line):
            continue
        if m := re.search(r'Executed notebook in ([\d.]+) seconds', line):
            executed += 1
            secs += float(m.group(1))
        print(line, end='', flush=True)
    return p.wait(), executed, secs


def publish(src, dest):
    "Replace the folder `dest` by a copy of `src`, never leaving a half-copied `dest`."
    tmp = dest.with_name(dest.name + '.tmp')
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    old = dest.with_name(dest.name + '.old')
    if dest.exists():
        dest.rename(old)
    tmp.rename(dest)
    shutil.rmtree(old, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--no-browser', action='store_true', help='skip the headless-Chromium part of the check')
    ap.add_argument('-j', '--jobs', type=int, default=2, help='notebooks built (and executed) at once')
    a = ap.parse_args(argv)
    t = time.time()
    rc, executed, secs = sphinx(a.jobs)
    print(
        f'notebooks executed: {executed} ({secs:.0f} s of kernel time; the others came from the cache); '
        f'sphinx-build {time.time() - t:.0f} s'
    )
    if rc:
        print(f'error: sphinx-build failed (exit {rc}); _docs/ left as it was')
        return rc
    publish(BUILD / 'html', ROOT / '_docs')
    sys.path.insert(0, str(HERE))
    import check_site

    rc = check_site.main([str(ROOT / '_docs')] + (['--no-browser'] if a.no_browser else []))
    print(f'make docs: {time.time() - t:.0f} s')
    return rc


if __name__ == '__main__':
    sys.exit(main())
