"""The baseline of leakage: each subject trained alone, scored against the photos of the subjects it shares a model
with.

Leakage (11_metrics.evaluate_concepts) is DINO and CLIP-I of subject A's samples against subject B's real images, in
a run that trains A and B together. Two subjects look somewhat alike to begin with, so the number to compare it with
is the same score of A's samples when A was trained alone: this script computes it with the same code
(metrics.cross_scores), for every run of one subject in ALONE (an experiment folder whose runs are on disk) and every
partner that CONCEPTS (a concepts.csv of an experiment of several subjects) pairs A with, and writes one row per
(seed, condition, subject, other). `make concepts` calls it with Table 1's DreamBooth runs.

    python tools/alone_leakage.py ALONE_DIR CONCEPTS_CSV OUT_CSV [--point dreambooth/method=full]
"""

import argparse
from pathlib import Path

import pandas as pd

from dreambooth_nb.config import RunConfig
from dreambooth_nb.encoders import load_encoders
from dreambooth_nb.metrics import cross_scores
from dreambooth_nb.results import write_csv
from dreambooth_nb.study import experiment_runs

ap = argparse.ArgumentParser(description=' '.join(__doc__.split('\n\n')[0].split()))
ap.add_argument('alone', type=Path, help='experiment folder of the subjects trained alone (runs on disk)')
ap.add_argument('concepts', type=Path, help="concepts.csv of the experiment of several subjects")
ap.add_argument('out', type=Path, help='the CSV to write')
ap.add_argument('--point', default='dreambooth/method=full', help="the alone experiment's point to read")
a = ap.parse_args()

for p in (a.alone / 'experiment.json', a.concepts):
    if not p.is_file():
        raise SystemExit(f'error: {p} not found')
groups = pd.read_csv(a.concepts)[['group', 'subject']].drop_duplicates()
partners = {
    s: sorted({o for g in groups[groups.subject == s].group for o in g.split('+')} - {s}) for s in groups.subject
}
runs = experiment_runs(a.alone)
runs = runs[(runs.point == a.point) & (runs.status == 'ok') & runs.subject.isin(list(partners))]
if not len(runs):
    raise SystemExit(f'error: {a.alone} holds no finished run of point {a.point!r} of the subjects in {a.concepts}')
rows = []
for r in runs.itertuples():
    enc = load_encoders(RunConfig.load(Path(r.run_dir) / 'config.json'))
    scores = cross_scores(r.run_dir, partners[r.subject], enc)
    rows += [dict(seed=r.seed, condition=r.condition, subject=r.subject, other=o, **s) for o, s in scores.items()]
    print(
        f'{r.subject} seed {r.seed} {r.condition}: ' + ', '.join(f"{o} dino {s['dino']:.3f}" for o, s in scores.items())
    )
write_csv(pd.DataFrame(rows), a.out)
print(f'\n{len(rows)} rows from {len(runs)} runs: {a.out}')
