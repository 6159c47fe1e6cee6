"""The study's statistics at few subjects, end to end through the command line: an experiment whose runs are all
merged from an earlier commit's table runs nothing and still writes its tables, with each run's source, t-intervals,
paired contrasts with Holm-adjusted p-values, and the flagged outliers; and a sweep limited to some conditions."""

import numpy as np
import pandas as pd
from conftest import cli

EXPERIMENT = """
preset: tiny
subjects: [dog, dog2, cat]
conditions: [ppl, no_ppl]
seeds: [0, 1, 2]
settings: {steps: 2}
grid: {prior_loss_weight: [0.5, 2.0]}
baseline: {point: prior_loss_weight=0.5, condition: no_ppl}
merge:
  - {runs: old/runs.csv, commit: abc1234}
"""
CONTRAST_COLUMNS = ['metric', 'point', 'condition', 'vs_point', 'vs_condition', 'subjects', 'pairs', 'mean']
CONTRAST_COLUMNS += ['ci_low', 'ci_high', 'p', 'p_holm', 'differs', 'interval', 'seeds', 'seed_low', 'seed_high']
CONTRAST_COLUMNS += ['seeds_agree']


def earlier_runs(path):
    "An earlier commit's runs.csv: every run of EXPERIMENT, PRES higher without PPL, one broken run (dog2, seed 2)."
    rng = np.random.default_rng(0)
    rows = []
    for point, lam in (('prior_loss_weight=0.5', 0.5), ('prior_loss_weight=2', 2.0)):
        for seed in (0, 1, 2):
            for i, subject in enumerate(('dog', 'dog2', 'cat')):
                for c in ('ppl', 'no_ppl'):
                    noise = rng.normal(0, 0.01, 5)
                    pres = (0.2 if c == 'ppl' else 0.6) + 0.05 * i + noise[0]
                    m = dict(pres=pres, div=0.3 + noise[1], dino=0.5 + noise[2], clip_i=0.7 + noise[3], clip_t=0.3)
                    if (subject, seed, c, point) == ('dog2', 2, 'ppl', 'prior_loss_weight=2'):
                        m['dino'] = 0.05  # a broken run
                    rows.append(
                        dict(
                            point=point,
                            prior_loss_weight=lam,
                            seed=seed,
                            subject=subject,
                            condition=c,
                            **m,
                            status='ok',
                        )
                    )
    path.parent.mkdir(parents=True)
    pd.DataFrame(rows).to_csv(path, index=False)


def test_merged_experiment_runs_nothing_and_reports(data_dir, tmp_path):
    earlier_runs(tmp_path / 'old' / 'runs.csv')
    (tmp_path / 'exp.yaml').write_text(EXPERIMENT)
    out = tmp_path / 'exp'
    r = cli('batch', '--config', 'exp.yaml', '--data-dir', data_dir, '--out', out, cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert '0 runs succeeded' in r.stdout and '27 runs merged from earlier commits' in r.stdout, r.stdout[-2000:]
    runs = pd.read_csv(out / 'results' / 'runs.csv')
    assert len(runs) == 36 and set(runs.source) == {'abc1234'} and set(runs.status) == {'ok'}
    summ = pd.read_csv(out / 'results' / 'summary.csv')
    assert set(summ.interval) == {'95 % t-interval over 3 subjects'}
    ct = pd.read_csv(out / 'results' / 'contrasts.csv')
    assert list(ct.columns) == CONTRAST_COLUMNS
    assert set(zip(ct.vs_point, ct.vs_condition)) == {('prior_loss_weight=0.5', 'no_ppl')}
    assert sorted(set(zip(ct.point, ct.condition))) == [
        ('prior_loss_weight=0.5', 'ppl'),
        ('prior_loss_weight=2', 'ppl'),
    ]
    pres = ct[ct.metric == 'pres'].set_index('point')
    assert (pres['mean'] < -0.35).all() and pres.differs.all()  # PRES 0.4 lower with PPL, every subject
    assert not ct[ct.metric == 'clip_t'].differs.any()  # CLIP-T does not move: nothing claimed
    ol = pd.read_csv(out / 'results' / 'outliers.csv')
    flagged = ol[['point', 'subject', 'seed', 'metric']].values.tolist()
    assert ['prior_loss_weight=2', 'dog2', 2, 'dino'] in flagged and len(flagged) <= 3, (
        flagged
    )  # and seed noise, rarely
    md = (out / 'results' / 'study.md').read_text()
    assert (
        '| abc1234 | 36 | 2 | cat, dog, dog2 | 0, 1, 2 |' in md
        and 'minus the baseline prior_loss_weight=0.5 no_ppl' in md
    )
    assert not list(out.glob('*/seed*/*/*/metrics.json'))  # nothing was run


def test_sweep_conditions_refused_naming_file_and_sweep(data_dir, tmp_path):
    f = tmp_path / 'bad.yaml'
    f.write_text('preset: tiny\nconditions: [ppl]\nsweeps: [{name: ti, conditions: [no_ppl]}]\n')
    r = cli('batch', '--config', f, '--data-dir', data_dir, '--out', tmp_path / 'never')
    assert r.returncode == 2 and r.stderr.count('\n') == 1, r.stderr
    assert str(f) in r.stderr and "sweeps[0] (ti): conditions must be some of the experiment's ['ppl']" in r.stderr


def test_t_interval_keeps_coverage_where_bootstrap_does_not():
    from dreambooth_nb.study import interval_coverage

    cov = interval_coverage({'normal': np.random.default_rng(3).normal(size=50_000)}, (4,), reps=600, n_boot=500)
    c = cov.set_index('method').coverage
    assert c['t-interval'] >= 0.92 and c['percentile bootstrap'] < 0.88, c


def test_holm_matches_its_definition():
    from dreambooth_nb.results import holm

    p = np.array([0.04, 0.001, 0.03, 0.2, 0.011])
    order = np.argsort(p)
    ref = np.empty(5)
    ref[order] = np.minimum(1, np.maximum.accumulate([(5 - k) * p[i] for k, i in enumerate(order)]))
    assert np.allclose(holm(p), ref) and np.allclose(holm(p)[order], [0.005, 0.044, 0.09, 0.09, 0.2])
