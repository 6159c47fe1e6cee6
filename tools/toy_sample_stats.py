"""What the toy judge sees in each run of a toy experiment: how often samples sit at home, and how bright they are.

For every finished run of EXPERIMENT_DIR (runs on disk), toy_encoders.judge_samples judges its evaluation samples;
one row per run holds, over the samples whose prompt asks for a context away from home: `at_home` (the share the judge
places on a training photo's floor or rug instead), `on_context` (the share in the context asked for); and over all
its evaluation samples: the mean and the standard deviation of their brightness. `make captions` and
`make noise-offset` call it on their experiments and on Table 1's runs, the baseline.

    python tools/toy_sample_stats.py EXPERIMENT_DIR OUT_CSV [--point dreambooth/method=full]
"""

import argparse
from pathlib import Path

import pandas as pd

from dreambooth_nb.results import write_csv
from dreambooth_nb.study import experiment_runs
from dreambooth_nb.toy_encoders import judge_samples, load_toy_encoders

ap = argparse.ArgumentParser(description=' '.join(__doc__.split('\n\n')[0].split()))
ap.add_argument('experiment', type=Path, help='experiment folder (runs on disk)')
ap.add_argument('out', type=Path, help='the CSV to write')
ap.add_argument('--point', default=None, help="only this point's runs (default: every point)")
a = ap.parse_args()

if not (a.experiment / 'experiment.json').is_file():
    raise SystemExit(f'error: {a.experiment / "experiment.json"} not found: not an experiment folder')
runs = experiment_runs(a.experiment)
runs = runs[(runs.status == 'ok') & (runs.point == a.point if a.point else True)]
if not len(runs):
    raise SystemExit(f'error: {a.experiment} holds no finished run' + (f' of point {a.point!r}' if a.point else ''))
enc = load_toy_encoders()
rows = []
for r in runs.itertuples():
    j = judge_samples(r.run_dir, enc)
    away = j[j.asked.notna()]
    rows.append(
        dict(
            point=r.point,
            seed=r.seed,
            subject=r.subject,
            condition=r.condition,
            samples=len(j),
            away_samples=len(away),
            at_home=away.at_home.mean(),
            on_context=(away.context == away.asked).mean(),
            brightness_mean=j.brightness.mean(),
            brightness_sd=j.brightness.std(),
        )
    )
    print(f"{r.point} seed {r.seed} {r.subject} {r.condition}: at home {rows[-1]['at_home']:.2f}", flush=True)
write_csv(pd.DataFrame(rows), a.out)
print(f'{len(rows)} runs: {a.out}')
