"""`dreambooth-nb batch` is resumable after SIGKILL at any point (a run resumes only with the settings it was
started with; other settings start it afresh), isolates a corrupt subject, and gives the same numbers sequentially
and on Dask. Tiny preset on CPU (the tiny pipeline is deterministic there: identical configs give bit-identical
metrics), on synthetic subjects so it runs anywhere."""

import json, os, re, signal, subprocess, time
from pathlib import Path
import pytest
from PIL import Image
from conftest import cli, BIN
from dreambooth_nb.data import synth_subject

# few steps, but enough work between files for a kill to land inside each stage, even on a busy machine
SETS = [
    '--set',
    'steps=20',
    '--set',
    'checkpoint_every=5',
    '--set',
    'num_class_images=6',
    '--set',
    'class_batch_size=2',
    '--set',
    'sample_batch_size=2',
    '--set',
    'sample_steps=20',
    '--set',
    'images_per_prompt=3',
    '--set',
    'class_steps=20',
]


def batch_args(data, out, subjects='dog', *extra):
    return ['batch', '--subjects', subjects, '--preset', 'tiny', '--data-dir', data, '--out', out, *SETS, *extra]


def metrics(out, subject='dog'):
    return {c: json.loads((out / subject / c / 'metrics.json').read_text())['metrics'] for c in ('ppl', 'no_ppl')}


def files(out):
    """mtime of every file under `out` except the batch lock and its holder note (filelock rewrites the lock file on
    every acquire)."""
    return {p: p.stat().st_mtime_ns for p in out.rglob('*') if p.is_file() and not p.name.startswith('.batch.lock')}


def headers(log):
    "How many times the run notebook was started for a run (execute_run appends one '--- ' line per start)."
    return sum(l.startswith('--- ') for l in log.read_text().splitlines()) if log.exists() else 0


@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    d = tmp_path_factory.mktemp('bench')
    synth_subject(d / 'dog', n=4, seed=0)
    synth_subject(d / 'cat', n=4, seed=1)
    (d / 'cat' / '04.jpg').write_bytes(b'\xff\xd8\xff\xe0 a truncated jpeg')
    return d


@pytest.fixture(scope='module')
def reference(bench, tmp_path_factory):
    "An uninterrupted batch: dog x {ppl, no_ppl}."
    out = tmp_path_factory.mktemp('ref')
    t = time.time()
    r = cli(*batch_args(bench, out))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    print(f'\nuninterrupted batch of 2 runs: {time.time() - t:.1f}s')
    print('\n'.join(l for l in r.stdout.splitlines() if 'per executed run' in l))
    return out, metrics(out), r.stdout


def test_batch_then_nothing_to_do(reference, bench):
    out, ref, stdout = reference
    assert '2 succeeded, 0 skipped (done), 0 failed, of 2 runs' in stdout
    assert (out / 'results' / 'per_subject.csv').exists() and (out / 'results' / 'comparison.md').exists()
    assert json.loads((out / 'class_images' / 'dog' / 'manifest.json').read_text())['count'] == 6
    before = files(out)
    t = time.time()
    r = cli(*batch_args(bench, out))
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'nothing to do: all 2 runs' in r.stdout and '0 succeeded, 2 skipped (done)' in r.stdout
    assert files(out) == before  # not a file written: no kernel, no class images, not even results/
    print(f'second invocation (no work): {time.time() - t:.1f}s')


def test_corrupt_subject_fails_alone(reference, bench):
    out, ref, _ = reference
    r = cli(*batch_args(bench, out, 'dog,cat'))
    assert r.returncode == 1
    assert re.search(r'FAILED cat/ppl: cannot read image .*cat/04\.jpg', r.stdout), r.stdout
    assert '0 succeeded, 2 skipped (done), 2 failed, of 4 runs' in r.stdout
    fails = json.loads((out / 'batch_failures.json').read_text())
    assert sorted((f['subject'], f['condition']) for f in fails) == [('cat', 'no_ppl'), ('cat', 'ppl')]
    assert all('cat/04.jpg' in f['error'] for f in fails)
    import pandas as pd

    ps = pd.read_csv(out / 'results' / 'per_subject.csv')
    assert set(ps[ps.subject == 'cat'].status) == {'failed'} and set(ps[ps.subject == 'dog'].status) == {'ok'}
    assert metrics(out) == ref
    assert not (out / 'cat').exists()  # refused before any work


def check_files_whole(out):
    """Every PNG and JSON the pipeline trusts is complete at any instant (atomic writes): none is half-written.
    A kill can leave a write's hidden temporary file (`.name.XXXX.png`), which no reader lists. A folder without any
    such file fails: the check would be vacuous there. Returns how many files it read."""
    trusted = lambda pattern: [p for p in out.rglob(pattern) if not p.name.startswith('.')]
    pngs, jsons = trusted('*.png'), trusted('*.json')
    assert pngs or jsons, f'no PNG or JSON file under {out}: nothing to check'
    for p in pngs:
        Image.open(p).load()
    for p in jsons:
        json.loads(p.read_text())
    for p in out.rglob('samples.csv'):
        assert p.read_text().endswith('\n')
    return len(pngs) + len(jsons)


def test_check_files_whole_finds_a_torn_file(tmp_path):
    "The check fails on an empty folder and on a half-written PNG or JSON, and passes on whole files."
    with pytest.raises(AssertionError, match='nothing to check'):
        check_files_whole(tmp_path)
    Image.new('RGB', (8, 8)).save(tmp_path / 'a.png')
    (tmp_path / 'm.json').write_text('{"metrics": {}}')
    (tmp_path / '.a.png.tmp1.png').write_bytes(b'\x89PNG')  # a killed write's temporary file: not trusted, not read
    assert check_files_whole(tmp_path) == 2
    (tmp_path / 'b.png').write_bytes((tmp_path / 'a.png').read_bytes()[:40])
    with pytest.raises(OSError):
        check_files_whole(tmp_path)
    (tmp_path / 'b.png').unlink()
    (tmp_path / 'n.json').write_text('{"metrics": ')
    with pytest.raises(json.JSONDecodeError):
        check_files_whole(tmp_path)


def test_killed_batch_resumes(reference, bench, tmp_path):
    "SIGKILL the batch's process group in class generation, training, sampling and evaluation; the restarts finish it."
    _, ref, _ = reference
    out = tmp_path / 'k'
    ppl, no_ppl, cls = out / 'dog' / 'ppl', out / 'dog' / 'no_ppl', out / 'class_images' / 'dog'
    args = [str(BIN / 'dreambooth-nb'), *map(str, batch_args(bench, out))]
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    attempt = [0]

    def start():
        attempt[0] += 1
        log = open(tmp_path / f'attempt{attempt[0]}.log', 'w')
        return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill_when(cond, what, timeout=240):
        p = start()
        t0 = time.time()
        while time.time() - t0 < timeout:
            if cond():
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                check_files_whole(out)
                print(f'attempt {attempt[0]}: killed {what} after {time.time() - t0:.1f}s')
                return
            if p.poll() is not None:
                pytest.fail(
                    f'attempt {attempt[0]} ended (rc {p.returncode}) before {what}:\n'
                    + (tmp_path / f'attempt{attempt[0]}.log').read_text()[-3000:]
                )
            time.sleep(0.02)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        pytest.fail(f'timed out waiting for {what}')

    n_class = lambda: len(list(cls.glob('dog_*.png')))
    kill_when(lambda: n_class() >= 1, 'during class generation')
    assert 0 < n_class() < 6
    kill_when(lambda: any(ppl.glob('checkpoints/checkpoint-*/step.json')), 'during training (dog/ppl)')
    assert not (ppl / 'model' / 'train_info.json').exists() and n_class() == 6
    kill_when(lambda: any(ppl.glob('samples/*.png')), 'during sampling (dog/ppl)')
    assert not (ppl / 'sampling.json').exists() and (ppl / 'model' / 'train_info.json').exists()
    kill_when(lambda: (no_ppl / 'sampling.json').exists(), 'during evaluation (dog/no_ppl)')
    assert (ppl / 'metrics.json').exists() and not (no_ppl / 'metrics.json').exists()
    done_ppl = (ppl / 'metrics.json').stat().st_mtime_ns

    r = subprocess.run(args, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert '1 succeeded, 1 skipped (done), 0 failed' in r.stdout and 'resuming dog/no_ppl' in r.stdout
    assert metrics(out) == ref  # bit-identical to the uninterrupted batch
    # nothing lost, nothing done twice: ppl's notebook started in attempts 2-4 only, no_ppl's in 4-5;
    # ppl untouched after
    assert (headers(ppl / 'log.txt'), headers(no_ppl / 'log.txt')) == (3, 2)
    assert (ppl / 'metrics.json').stat().st_mtime_ns == done_ppl
    info = json.loads((ppl / 'model' / 'train_info.json').read_text())
    assert info['resumed_from'] >= 5 and info['steps'] == 20
    assert json.loads((cls / 'manifest.json').read_text())['count'] == 6 and n_class() == 6
    assert not (out / 'batch_failures.json').exists() or json.loads((out / 'batch_failures.json').read_text()) == []


def test_changed_setting_starts_fresh(bench, tmp_path):
    """A half-trained run asked for again with another setting is not resumed: its folder is set aside as stale, and
    the batch says so."""
    out = tmp_path / 'c'
    run = out / 'dog' / 'no_ppl'
    args = batch_args(bench, out, 'dog', '--conditions', 'no_ppl')
    p = subprocess.Popen(
        [str(BIN / 'dreambooth-nb'), *map(str, args)],
        env={**os.environ, 'OMP_NUM_THREADS': '1'},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    t0 = time.time()
    while time.time() - t0 < 240 and p.poll() is None and not any(run.glob('checkpoints/checkpoint-*/step.json')):
        time.sleep(0.02)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    assert any(run.glob('checkpoints/checkpoint-*/step.json')) and not (run / 'model' / 'train_info.json').exists(), (
        'not killed in training'
    )
    r = cli(*args, '--set', 'steps=25')
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    moved = re.search(r'dog/no_ppl: made with other settings \(steps: 20 -> 25\); moved to (\S+)', r.stdout)
    assert moved, r.stdout
    stale = Path(moved.group(1))
    assert stale.parent == out.resolve() / '_stale' / 'dog' and any(stale.glob('checkpoints/checkpoint-*/step.json'))
    assert 'resuming' not in r.stdout and '1 succeeded, 0 skipped (done), 0 failed, of 1 runs' in r.stdout
    info = json.loads((run / 'model' / 'train_info.json').read_text())
    assert (info['resumed_from'], info['steps']) == (
        0,
        25,
    )  # trained from the start, not from the 20-step run's checkpoint
    assert json.loads((run / 'config.json').read_text())['steps'] == 25


def test_dask_same_results(reference, bench, tmp_path):
    "Each run a task on a Dask LocalCluster of 2 worker processes: the same numbers; the corrupt subject fails alone."
    _, ref, _ = reference
    out = tmp_path / 'd'
    t = time.time()
    r = cli(*batch_args(bench, out, 'dog,cat', '--executor', 'dask', '--workers', '2'))
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr[-3000:]
    assert '2 succeeded, 0 skipped (done), 2 failed, of 4 runs' in r.stdout and 'cat/04.jpg' in r.stdout
    assert metrics(out) == ref
    print(f'dask batch (2 workers, 2 runs + 2 refused): {time.time() - t:.1f}s')
    print('\n'.join(l for l in r.stdout.splitlines() if 'per executed run' in l))


def test_bad_command_refused_before_work(bench, tmp_path):
    r = cli(*batch_args(bench, tmp_path / 'x', 'dog', '--set', 'resolution=63'))
    assert r.returncode == 2 and 'resolution must be a multiple of 8, got 63' in r.stderr
    r = cli(*batch_args(bench, tmp_path / 'x', 'dog,teapot'))
    assert r.returncode == 2 and 'teapot' in r.stderr
    r = cli('batch', '--subjects', 'dog', '--conditions', 'ppl,prior', '--data-dir', bench, '--out', tmp_path / 'x')
    assert r.returncode == 2 and "unknown condition 'prior'" in r.stderr
    assert not (tmp_path / 'x').exists()
