"""`make rehearse`: the sd15 preset's route end to end, offline, on stand-in weights (nbs/26_rehearse.ipynb).

Builds (once) a Hugging Face cache of stand-ins under the preset's own ids in the user cache, then runs each stage with
HF_HUB_OFFLINE=1 and that cache, and prints each stage's time and peak memory. DreamBench is used where the project
finds a copy; elsewhere two synthetic subjects with DreamBench's names stand in. Not part of `make test`."""

import argparse, json, os, shutil, sys, time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
os.chdir(root)
ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('--size', default='sd15', choices=['sd15', 'tiny'], help='stand-in sizes (tiny: a quick dry run)')
ap.add_argument('--out', default=None, help='working folder (default: <user cache>/rehearsal)')
ap.add_argument('--subjects', default='dog,cat', help='comma-separated subjects (the first is exported)')
ap.add_argument('--set', action='append', default=[], metavar='KEY=VALUE', help='a size to change (resolution=512)')
a = ap.parse_args()

from dreambooth_nb.core import cache_dir, find_dreambench  # noqa: E402
from dreambooth_nb.data import synth_subject  # noqa: E402
from dreambooth_nb.rehearse import standin_hub_cache, rehearsal_commands, run_stage  # noqa: E402

work = Path(a.out or cache_dir() / 'rehearsal')
hub = work / f'hub-{a.size}'
t0 = time.time()
print(f'stand-in Hugging Face cache ({a.size} sizes): {hub}', flush=True)
paths = standin_hub_cache(hub, a.size)
built = round(time.time() - t0, 1)
data = find_dreambench()
if data is None:
    data = work / 'data'
    for i, s in enumerate(('dog', 'cat')):
        synth_subject(data / s, n=4, size=512, seed=i)
    print(f'no DreamBench copy here: two synthetic subjects in {data}', flush=True)
print(f"LPIPS: a saved folder with a random AlexNet trunk ({paths['lpips']}): torchvision's hash-checked download of "
      'the real trunk has no stand-in', flush=True)
out = work / 'runs'
shutil.rmtree(out, ignore_errors=True)
env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'HF_HUB_CACHE': str(hub)}
env.setdefault('OMP_NUM_THREADS', '2')
rows = [dict(stage='stand-in cache', seconds=built, peak_rss_gb=float('nan'), ok=True)]
sizes = dict(kv.split('=', 1) for kv in a.set)
for name, argv in rehearsal_commands(out, data, paths['lpips'], tuple(a.subjects.split(',')), sizes=sizes):
    print(f'--- {name}', flush=True)
    rows.append(run_stage(name, argv, env))
    if not rows[-1]['ok']:
        break
print('\n| stage | seconds | peak RSS (GB) | ok |\n|---|---|---|---|')
for r in rows:
    print(f"| {r['stage']} | {r['seconds']} | {r['peak_rss_gb']} | {r['ok']} |")
for info in sorted(out.rglob('model/train_info.json')):
    gb = json.loads(info.read_text()).get('peak_gpu_gb')
    if gb is not None:
        print(f'peak CUDA memory allocated while training {info.parent.parent.relative_to(out)}: {gb} GiB')
total = sum(r['seconds'] for r in rows)
print(f'total {total / 60:.1f} min on {os.cpu_count()} cores')
sys.exit(0 if all(r['ok'] for r in rows) else 1)
