"""`dreambooth-nb run` end to end on the tiny preset: papermill, class images, exit codes, resuming."""

import json, os, signal, subprocess, time
from conftest import cli, tiny_run, BIN


def test_run_ppl_then_reuse(data_dir, tmp_path):
    out = tmp_path / 'r'
    r = cli(
        'run',
        '--subject',
        'dog',
        '--condition',
        'ppl',
        '--preset',
        'tiny',
        '--data-dir',
        data_dir,
        '--out',
        out,
        '--set',
        'steps=6',
    )
    assert r.returncode == 0, r.stderr[-3000:]
    run = out / 'dog' / 'ppl'
    nb = json.loads((run / 'run.ipynb').read_text())
    injected = [c for c in nb['cells'] if 'injected-parameters' in c['metadata'].get('tags', [])]
    assert (
        injected and "subject = \"dog\"" in ''.join(injected[0]['source']) and 'steps' in ''.join(injected[0]['source'])
    )
    from diffusers import StableDiffusionPipeline

    StableDiffusionPipeline.from_pretrained(run / 'model')
    cls = out / 'class_images' / 'dog'
    man = json.loads((cls / 'manifest.json').read_text())
    assert man['count'] == 4 and man['last_generated'] == 4 and man['prompt'] == 'a dog'
    mt = {p.name: p.stat().st_mtime_ns for p in cls.glob('*.png')}
    assert len(mt) == 4
    assert json.loads((run / 'metrics.json').read_text())['metrics'].keys() >= {
        'dino',
        'clip_i',
        'clip_t',
        'pres',
        'div',
    }
    assert (run / 'samples.csv').exists() and len(list((run / 'samples').glob('*.png'))) >= 4
    # another subject of the same class reuses the class images: nothing regenerated
    r = cli(
        'run',
        '--subject',
        'dog2',
        '--condition',
        'ppl',
        '--preset',
        'tiny',
        '--data-dir',
        data_dir,
        '--out',
        out,
        '--set',
        'steps=3',
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert {p.name: p.stat().st_mtime_ns for p in cls.glob('*.png')} == mt
    assert json.loads((cls / 'manifest.json').read_text())['last_generated'] == 0


def test_no_ppl_makes_no_class_images(data_dir, tmp_path):
    r = cli(
        'run',
        '--subject',
        'dog',
        '--condition',
        'no_ppl',
        '--data-dir',
        data_dir,
        '--out',
        tmp_path,
        '--set',
        'steps=3',
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert not (tmp_path / 'class_images').exists()
    assert (tmp_path / 'dog' / 'no_ppl' / 'metrics.json').exists()


def test_bad_input_refused_before_work(data_dir, tmp_path):
    r = cli('run', '--subject', 'dog', '--condition', 'prior', '--data-dir', data_dir, '--out', tmp_path)
    assert r.returncode == 2 and 'prior' in r.stderr  # argparse's own refusal
    r = cli('run', '--subject', 'dog', '--data-dir', data_dir, '--out', tmp_path, '--set', 'resolution=63')
    assert r.returncode == 2 and r.stderr == 'error: resolution must be a multiple of 8, got 63\n'
    assert not (tmp_path / 'dog').exists()


def test_failing_run_keeps_notebook(data_dir, tmp_path):
    # a model folder that passes the checks (it has its model_index.json) but holds no model fails inside the
    # notebook: error in one line, notebook kept
    broken = tmp_path / 'broken_model'
    broken.mkdir()
    (broken / 'model_index.json').write_text('{}')
    r = tiny_run('dog', data_dir, tmp_path / 'out', f'model={broken}', check=False)
    assert r.returncode == 1
    assert 'failed in cell' in r.stderr and 'broken_model' in r.stderr and 'run.ipynb' in r.stderr
    run = tmp_path / 'out' / 'dog' / 'no_ppl'
    assert (run / 'run.ipynb').exists()
    assert not [p.name for p in run.iterdir() if p.name.startswith(('kernel-ipc', '.'))]  # no litter of the kernel's


def test_unresolvable_model_refused_before_work(data_dir, tmp_path):
    "A hub id the Hub (or, offline, the cache) does not have, or a folder without a model: one error line, no run."
    gone = 'no-such-org/stable-diffusion-v1-5'
    for env in ({}, {'HF_HUB_OFFLINE': '1'}):
        r = cli('run', '--subject', 'dog', '--preset', 'sd15', '--data-dir', data_dir, '--out', tmp_path,
                '--set', f'model={gone}', env=env)
        assert r.returncode == 2 and r.stderr.startswith(f"error: model '{gone}'"), r.stderr
        assert r.stderr.count('\n') == 1 and '--set model=DIR' in r.stderr and 'HF_HUB_OFFLINE=1' in r.stderr
    r = tiny_run('dog', data_dir, tmp_path, f'model={tmp_path}/nomodel', check=False)
    assert r.returncode == 2 and f'model folder {tmp_path}/nomodel has no model_index.json' in r.stderr, r.stderr
    assert not any(tmp_path.iterdir())


def _kill_after_checkpoint(args, env, ck, n=1):
    "Start the command, SIGKILL its process group once `n` checkpoints are complete; the checkpoint steps written."
    p = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    t0 = time.time()
    while time.time() - t0 < 240 and len(list(ck.glob('checkpoint-*/step.json'))) < n and p.poll() is None:
        time.sleep(0.2)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    return sorted(int(c.name.split('-')[1]) for c in ck.glob('checkpoint-*') if (c / 'step.json').exists())


def test_killed_run_resumes_same_settings_only(data_dir, tmp_path):
    base = [
        str(BIN / 'dreambooth-nb'),
        'run',
        '--subject',
        'dog',
        '--condition',
        'no_ppl',
        '--data-dir',
        str(data_dir),
        '--out',
        str(tmp_path),
        '--set',
        'checkpoint_every=10',
    ]
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    run = tmp_path / 'dog' / 'no_ppl'
    steps = _kill_after_checkpoint(base + ['--set', 'steps=150'], env, run / 'checkpoints')
    assert steps, 'no checkpoint was written before the kill'
    r = subprocess.run(
        base + ['--set', 'steps=150'], env=env, capture_output=True, text=True
    )  # the same settings: resumed
    assert r.returncode == 0, r.stderr[-3000:]
    info = json.loads((run / 'model' / 'train_info.json').read_text())
    assert info['resumed_from'] >= 10 and info['steps'] == 150 and 'starting fresh' not in r.stdout
    assert not (run / 'checkpoints').exists()  # checkpoints removed once the model is saved
    r = subprocess.run(base + ['--set', 'steps=30'], env=env, capture_output=True, text=True)  # another setting: fresh
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'dog/no_ppl: settings changed since the last attempt (steps: 150 -> 30): starting fresh' in r.stdout
    info = json.loads((run / 'model' / 'train_info.json').read_text())
    assert info['resumed_from'] == 0 and info['steps'] == 30


def test_damaged_checkpoint_set_aside(data_dir, tmp_path):
    "Half of the newest checkpoint's weights lost after a kill: the rerun names the file, resumes from the older one."
    args = [str(BIN / 'dreambooth-nb'), 'run', '--subject', 'dog', '--condition', 'no_ppl', '--data-dir', str(data_dir),
            '--out', str(tmp_path), '--set', 'checkpoint_every=10', '--set', 'steps=60']
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    run = tmp_path / 'dog' / 'no_ppl'
    steps = _kill_after_checkpoint(args, env, run / 'checkpoints', n=2)
    assert len(steps) >= 2, steps
    newest = run / 'checkpoints' / f'checkpoint-{steps[-1]}'
    weights = newest / 'model.safetensors'
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    r = subprocess.run(args, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    log = (run / 'log.txt').read_text()
    assert f'checkpoint {newest} is damaged ({weights} has ' in log
    assert json.loads((run / 'model' / 'train_info.json').read_text())['resumed_from'] == steps[-2]
    assert [p.name for p in (run / 'checkpoints').iterdir()][0].startswith(f'{newest.name}.damaged-')  # kept, by name
