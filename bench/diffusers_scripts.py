"""Run diffusers' own Textual Inversion and Custom Diffusion training scripts on the tiny pipeline and time their steps.

The scripts are NOT part of this project: this wrapper takes them from a diffusers checkout (or a folder holding the
two files) into a scratch folder outside the project, and runs them there, one thread, batch 1, a few dozen steps:
  OMP_NUM_THREADS=1 python bench/diffusers_scripts.py --diffusers /work/.mirror/huggingface+diffusers/repo \
      --scratch /tmp/diffusers_scripts/run --steps 40 --warmup 5 --rounds 3 --bench
`--diffusers` is a diffusers git directory (bare or not; the scripts are read with `git show HEAD:...`) or a folder with
textual_inversion.py and train_custom_diffusion.py. If a script's `check_min_version` refuses the installed diffusers,
the scratch copy has that line commented out (and the wrapper says so). Steps/s comes from the scripts' own tqdm
progress bar ("Steps: ... n/N"): the wrapper stamps the time each step's update arrives on the script's stderr
(TQDM_MININTERVAL=0, so every step is printed); steps/s is 1 / the median step after `--warmup` (as bench.py reports
its loops), start-up (imports, model loading, class-image checks) excluded. `--bench` runs bench.py's `ti,ti_base` /
`cd,cd_base` on the same tiny architecture after the scripts in each round, so all see the same machine load."""

import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SCRIPTS = {
    'textual_inversion': 'examples/textual_inversion/textual_inversion.py',
    'custom_diffusion': 'examples/custom_diffusion/train_custom_diffusion.py',
}
BENCH_KEYS = {'textual_inversion': 'ti,ti_base', 'custom_diffusion': 'cd,cd_base'}
PROGRESS = re.compile(r'Steps:\s*\d+%.*?\|\s*(\d+)/(\d+)')


def copy_scripts(src, dest: Path) -> dict:
    "Copy the two scripts from `src` (a git directory or a folder with the files) into `dest`; {method: path}."
    import diffusers
    from packaging import version

    dest.mkdir(parents=True, exist_ok=True)
    out = {}
    for method, rel in SCRIPTS.items():
        name = Path(rel).name
        if (Path(src) / name).exists():
            text = (Path(src) / name).read_text()
        else:
            gd = Path(src) / '.git' if (Path(src) / '.git').exists() else Path(src)
            text = subprocess.run(
                ['git', f'--git-dir={gd}', 'show', f'HEAD:{rel}'], check=True, capture_output=True, text=True
            ).stdout
        need = re.search(r'^check_min_version\("([^"]+)"\)', text, re.M)
        if need and version.parse(diffusers.__version__) < version.parse(need.group(1)):
            text = text.replace(need.group(0), '# ' + need.group(0) + '  # commented out by bench/diffusers_scripts.py')
            print(
                f'{name}: check_min_version({need.group(1)!r}) refuses diffusers {diffusers.__version__}: '
                'commented out in the scratch copy',
                flush=True,
            )
        elif need:
            print(f'{name}: check_min_version({need.group(1)!r}) accepts diffusers {diffusers.__version__}', flush=True)
        (dest / name).write_text(text)
        out[method] = dest / name
    return out


def timed_run(cmd, env, log: Path, warmup: int):
    "Run `cmd`, stamping each tqdm 'Steps' update as it arrives; (steps/s after warm-up, per-step times, rc, wall)."
    t0, stamps, buf = time.perf_counter(), {}, b''
    with open(log, 'wb') as f:
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        while True:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            now = time.perf_counter()
            f.write(chunk)
            buf += chunk
            *parts, buf = re.split(rb'[\r\n]', buf)
            for part in parts:
                m = PROGRESS.search(part.decode(errors='replace'))
                if m and int(m.group(1)) not in stamps:
                    stamps[int(m.group(1))] = now
        rc = p.wait()
    wall = time.perf_counter() - t0
    ks = sorted(k for k in stamps if k >= warmup)
    rate = (ks[-1] - ks[0]) / (stamps[ks[-1]] - stamps[ks[0]]) if len(ks) > 1 else float('nan')
    steps = [stamps[b] - stamps[a] for a, b in zip(ks, ks[1:]) if b == a + 1]
    return rate, steps, rc, wall, (stamps.get(1, now) - t0 if stamps else float('nan'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--diffusers', required=True, help='diffusers git directory, or a folder with the two scripts')
    ap.add_argument('--scratch', default=None, help='scratch folder (default: a new one under /tmp; never the project)')
    ap.add_argument('--methods', default='textual_inversion,custom_diffusion')
    ap.add_argument('--steps', type=int, default=40)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--rounds', type=int, default=1)
    ap.add_argument('--res', type=int, default=64)
    ap.add_argument('--src-size', type=int, default=512, help='size of the synthetic instance images on disk')
    ap.add_argument('--jsonl', default=None)
    ap.add_argument(
        '--bench',
        action='store_true',
        help='each round, also run bench.py train (ours and the diffusers-like loop of each method) on the tiny model',
    )
    a = ap.parse_args()
    from dreambooth_nb.data import synth_subject
    from dreambooth_nb.models import build_tiny_sd

    project = Path(__file__).resolve().parent.parent
    scratch = Path(a.scratch or tempfile.mkdtemp(prefix='diffusers-scripts-'))
    if project in scratch.resolve().parents or scratch.resolve() == project:
        raise SystemExit(f'{scratch} is inside the project: the scripts must not be copied into it')
    scripts = copy_scripts(a.diffusers, scratch / 'scripts')
    model = build_tiny_sd()
    inst = synth_subject(scratch / 'instance', n=4, size=a.src_size)
    cls = synth_subject(scratch / 'class', n=8, size=a.res, seed=1)
    env = dict(
        os.environ,
        TQDM_MININTERVAL='0',
        PYTHONUNBUFFERED='1',
        HF_HUB_OFFLINE='1',
        OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS', '1'),
        PYTHONPATH='',
    )
    common = [
        '--pretrained_model_name_or_path',
        str(model),
        '--resolution',
        str(a.res),
        '--train_batch_size',
        '1',
        '--max_train_steps',
        str(a.steps),
        '--seed',
        '0',
        '--mixed_precision',
        'no',
        '--lr_scheduler',
        'constant',
    ]
    args = {
        'textual_inversion': [
            '--train_data_dir',
            str(inst),
            '--placeholder_token',
            '<sks>',
            '--initializer_token',
            'dog',
            '--learnable_property',
            'object',
            '--learning_rate',
            '5e-3',
            '--lr_warmup_steps',
            '0',
        ],
        'custom_diffusion': [
            '--instance_data_dir',
            str(inst),
            '--instance_prompt',
            'a <sks> dog',
            '--class_data_dir',
            str(cls),
            '--class_prompt',
            'a dog',
            '--with_prior_preservation',
            '--num_class_images',
            '8',
            '--modifier_token',
            '<sks>',
            '--initializer_token',
            'sks',
            '--learning_rate',
            '2e-4',
            '--lr_warmup_steps',
            '0',
        ],
    }
    print(
        f'scratch {scratch}; model {model}; {len(list(inst.iterdir()))} instance images ({a.src_size} px PNG), '
        f'{a.res} px, batch 1, {a.steps} steps, OMP_NUM_THREADS={env["OMP_NUM_THREADS"]}',
        flush=True,
    )
    res = {}
    for rnd in range(a.rounds):
        for m in a.methods.split(','):
            out = scratch / f'out_{m}_{rnd}'
            shutil.rmtree(out, ignore_errors=True)
            cmd = [sys.executable, str(scripts[m]), *common, '--output_dir', str(out), *args[m]]
            rate, steps, rc, wall, first = timed_run(cmd, env, scratch / f'{m}_{rnd}.log', a.warmup)
            med = statistics.median(steps) if steps else float('nan')
            print(
                f'round {rnd} {m:<18} rc {rc}  {rate:7.2f} steps/s (steps {a.warmup}..{a.steps})  median step '
                f'{med * 1000:7.1f} ms  start-up to step 1 {first:5.1f} s  wall {wall:5.1f} s  '
                f'log {scratch / f"{m}_{rnd}.log"}',
                flush=True,
            )
            if rc != 0:
                print((scratch / f'{m}_{rnd}.log').read_text()[-3000:])
            res.setdefault(f'{m}: the script', []).append(1 / med)
        if a.bench:  # ours and the diffusers-like loop, in the same round, so that they see the same load
            keys = ','.join(BENCH_KEYS[m] for m in a.methods.split(','))
            cmd = [sys.executable, str(Path(__file__).with_name('bench.py')), 'train', '--arch', 'tiny', '--res']
            cmd += [str(a.res), '--steps', str(a.steps), '--warmup', str(a.warmup), '--rounds', '1', '--variants', keys]
            r = subprocess.run(cmd, env=dict(env, PYTHONPATH=str(project)), capture_output=True, text=True)
            for line in r.stdout.splitlines():
                if hit := re.match(r'round 0 (.+?)\s+([\d.]+) steps/s', line):
                    print(f'round {rnd} bench.py: {line[8:].strip()}', flush=True)
                    res.setdefault(f'{hit.group(1)} (bench.py)', []).append(float(hit.group(2)))
            if r.returncode:
                print(r.stderr[-3000:])
    print(
        f'\n== diffusers scripts, tiny pipeline, {a.res} px, batch 1, {a.steps} steps, '
        f'1 / median step after {a.warmup}, medians of {a.rounds} rounds'
    )
    for m, rs in res.items():
        r = statistics.median(rs)
        print(f'{m:<40} {r:7.2f} steps/s  rounds: {" ".join(f"{x:.2f}" for x in rs)}')
        if a.jsonl:
            with open(a.jsonl, 'a') as f:
                f.write(
                    json.dumps(
                        dict(
                            kind='diffusers_script', variant=m, steps_per_s=r, res=a.res, date=time.strftime('%Y-%m-%d')
                        )
                    )
                    + '\n'
                )


if __name__ == '__main__':
    main()
