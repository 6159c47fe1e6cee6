import os, sys, subprocess
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
os.environ.setdefault('OMP_NUM_THREADS', '1')
if (ROOT.parent / 'shared' / 'dreambench' / 'dog').is_dir():
    os.environ.setdefault('DREAMBENCH_DIR', str(ROOT.parent / 'shared' / 'dreambench'))


@pytest.fixture(scope='session')
def data_dir(tmp_path_factory):
    "DreamBench from ../shared when present, else a synthetic dataset with the same subject names."
    from dreambooth_nb.core import find_dreambench

    bench = find_dreambench()
    if bench:
        return bench
    from dreambooth_nb.data import synth_subject

    d = tmp_path_factory.mktemp('bench')
    for i, s in enumerate(['dog', 'dog2', 'cat', 'teapot']):
        synth_subject(d / s, n=4, seed=i)
    return d


def cli(*args, env=None, **kw):
    "Run the dreambooth-nb command; returns the CompletedProcess."
    return subprocess.run(
        [str(BIN / 'dreambooth-nb'), *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, 'OMP_NUM_THREADS': '1', **(env or {})},
        **kw,
    )


def tiny_run(subject, data_dir, out, *settings, condition='no_ppl', check=True):
    "`dreambooth-nb run` of `subject` on the tiny preset with `--set` for each of `settings`; the CompletedProcess."
    sets = [arg for s in settings for arg in ('--set', s)]
    r = cli('run', '--subject', subject, '--condition', condition, '--preset', 'tiny', '--data-dir', data_dir,
            '--out', out, *sets)
    if check:
        assert r.returncode == 0, r.stderr[-3000:]
    return r
