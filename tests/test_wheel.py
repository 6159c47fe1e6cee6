"""A wheel built from the project carries everything a run needs: installed into a fresh environment and started
from an unrelated folder, `dreambooth-nb run` works, and nothing is written inside the installed package."""

import hashlib, os, shutil, subprocess, sys, sysconfig
from pathlib import Path
import pytest
from conftest import ROOT


def tree_digest(folder: Path) -> dict:
    "{relative path: sha1} of every file under `folder`."
    return {
        str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob('*'))
        if p.is_file()
    }


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    "A fresh venv holding only the built wheel; its dependencies come from this environment through a .pth file."
    t = tmp_path_factory.mktemp('wheel')
    # build from a copy without build artefacts: setuptools would ship whatever an earlier build left in build/lib
    src = t / 'src'
    shutil.copytree(
        ROOT,
        src,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            '.git', '.venv', 'build', 'dist', '*.egg-info', 'runs', '__pycache__', '.devcarry', '_proc', '_docs'
        ),
    )
    r = subprocess.run(
        [
            sys.executable,
            '-m',
            'pip',
            'wheel',
            '-q',
            '--no-deps',
            '--no-build-isolation',
            str(src),
            '-w',
            str(t / 'dist'),
        ],
        capture_output=True,
        text=True,
        cwd=t,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    (whl,) = (t / 'dist').glob('dreambooth_nb-*.whl')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(t / 'env')], check=True)
    site = Path(
        subprocess.run(
            [str(t / 'env' / 'bin' / 'python'), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / '_deps.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')  # torch, diffusers, ... from this venv
    r = subprocess.run(
        [
            sys.executable,
            '-m',
            'pip',
            '--python',
            str(t / 'env' / 'bin' / 'python'),
            'install',
            '-q',
            '--no-deps',
            '--no-index',
            str(whl),
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    return t, t / 'env' / 'bin', site / 'dreambooth_nb'


def test_wheel_holds_assets(installed):
    _, _, pkg = installed
    assert {p.name for p in pkg.glob('*.py')} == {
        p.name for p in (ROOT / 'dreambooth_nb').glob('*.py')
    }  # the modules, and nothing stale
    for f in (
        'assets/run.ipynb',
        'assets/subjects.csv',
        'assets/prompts.csv',
        'assets/toy/sd/model_index.json',
        'assets/toy/encoders/encoders.safetensors',
        'assets/toy/subjects/subjects.csv',
    ):
        assert (pkg / f).is_file() and not (pkg / f).is_symlink(), f


def test_installed_package_runs_from_anywhere(installed, tmp_path):
    t, bin_, pkg = installed
    env = {k: v for k, v in os.environ.items() if not k.startswith(('DREAMBOOTH_NB_', 'PYTHONPATH'))}
    env.update(DREAMBOOTH_NB_CACHE=str(tmp_path / 'cache'), OMP_NUM_THREADS='1')
    before = tree_digest(pkg)
    r = subprocess.run(
        [str(bin_ / 'python'), '-c', 'import dreambooth_nb, dreambooth_nb.core as c; print(c.PKG_DIR)'],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert r.returncode == 0 and Path(r.stdout.strip()) == pkg, r.stdout + r.stderr[-2000:]
    subprocess.run(
        [str(bin_ / 'python'), '-c', 'from dreambooth_nb.data import synth_subject; synth_subject("data/dog", n=3)'],
        cwd=tmp_path,
        env=env,
        check=True,
    )
    r = subprocess.run(
        [
            str(bin_ / 'dreambooth-nb'),
            'run',
            '--subject',
            'dog',
            '--condition',
            'ppl',
            '--preset',
            'tiny',
            '--data-dir',
            'data',
            '--set',
            'steps=3',
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    run = tmp_path / 'runs' / 'tiny' / 'dog' / 'ppl'  # the default experiment root: ./runs in the current folder
    assert (run / 'metrics.json').is_file() and (run / 'run.ipynb').is_file()
    assert (tmp_path / 'cache' / 'tiny_sd' / 'model_index.json').is_file()  # built caches go to the user cache
    assert tree_digest(pkg) == before, 'the run wrote inside the installed package'
