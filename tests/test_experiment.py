"""`dreambooth-nb batch --config` end to end on the tiny preset: a grid over lambda, runs shared between points, a
second call that does no work, the study's tables with intervals, and metrics along training; and files refused
before any work with one `error:` line."""

import pandas as pd
from conftest import cli

EXPERIMENT = """
preset: tiny
subjects: [dog]
conditions: [ppl, no_ppl]
seeds: [0]
settings:
  steps: 6
  eval_steps: [2, 4, 6]
  num_prompts: 2
  images_per_prompt: 2
  pres_images: 2
  sample_steps: 2
  checkpoint_every: 0
grid: {prior_loss_weight: [0.5, 2.0]}
"""


def test_experiment_grid_resumes_and_aggregates(data_dir, tmp_path):
    f = tmp_path / 'exp.yaml'
    f.write_text(EXPERIMENT)
    out = tmp_path / 'exp'
    r = cli('batch', '--config', f, '--data-dir', data_dir, '--out', out)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert '3 runs succeeded, 0 skipped (done), 0 failed' in r.stdout  # 2 ppl + 1 no_ppl shared by both points
    assert (out / 'experiment.yaml').read_text() == EXPERIMENT
    curve = pd.read_csv(out / 'prior_loss_weight=0.5' / 'seed0' / 'dog' / 'ppl' / 'metrics_by_step.csv')
    assert len(curve) == 3 * 5 and sorted(set(curve.step)) == [2, 4, 6]
    summ = pd.read_csv(out / 'results' / 'summary.csv')
    assert sorted(summ.prior_loss_weight.unique()) == [0.5, 2.0] and {'ci_low', 'ci_high'} <= set(summ.columns)
    assert set(summ.condition) == {'ppl', 'no_ppl', 'ppl - no_ppl'}
    assert (out / 'results' / 'by_step.csv').exists() and (out / 'results' / 'tradeoff.png').exists()
    before = {p: p.stat().st_mtime_ns for p in out.glob('*/seed0/dog/*/metrics.json')}
    r = cli('batch', '--config', f, '--data-dir', data_dir, '--out', out)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert '0 runs succeeded, 3 skipped (done), 0 failed' in r.stdout and '(nothing to do)' in r.stdout
    assert {p: p.stat().st_mtime_ns for p in out.glob('*/seed0/dog/*/metrics.json')} == before
    r = cli('results', '--out', out)
    assert r.returncode == 0 and '| 0.5 | ppl - no_ppl |' in r.stdout, r.stdout[-2000:] + r.stderr[-2000:]


def test_bad_experiment_refused_before_work(data_dir, tmp_path):
    for text, msg in [
        ('preset: tiny\ngrid: {prior_loss_weight: [0.5, 2.0]}\nsubject: [dog]\n', "unknown key 'subject'"),
        ('preset: tiny\nsettings: {steps: six}\n', "settings.steps: steps must be int, got 'six'"),
        ('preset: tiny\nsettings: {seed: 3}\n', 'settings.seed: seed cannot be a setting: use seeds:'),
        ('preset: tiny\nsettings: {out_dir: x}\n', 'settings.out_dir: out_dir cannot be a setting: use out:'),
        (
            'preset: tiny\ngrid: {prior_loss_wieght: [1.0]}\n',
            "grid.prior_loss_wieght[0]: unknown setting 'prior_loss_wieght'",
        ),
    ]:
        f = tmp_path / 'bad.yaml'
        f.write_text(text)
        r = cli('batch', '--config', f, '--data-dir', data_dir, '--out', tmp_path / 'never')
        assert r.returncode == 2 and msg in r.stderr and r.stderr.count('\n') == 1, r.stderr
        assert not (tmp_path / 'never').exists()


def test_shipped_experiment_files_plan(data_dir, tmp_path):
    "Every file in experiments/ is a valid experiment whose points all resolve to valid configurations."
    from pathlib import Path
    from dreambooth_nb.experiment import load_experiment, plan_points
    from dreambooth_nb.runner import preset_dirs
    from dreambooth_nb.toy_world import caption_toy_subjects

    made = {'toy_captions.yaml': str(caption_toy_subjects(tmp_path / 'captioned'))}  # what `make captions` makes first

    files = sorted((Path(__file__).resolve().parent.parent / 'experiments').glob('*.yaml'))
    assert {f.name for f in files} >= {'toy_study.yaml', 'table3_sd15.yaml', 'table3_extended_sd15.yaml'}
    for f in files:
        e = load_experiment(f, data_dir=made.get(f.name) or (None if e_preset(f) == 'toy' else str(data_dir)))
        d, o = preset_dirs(e.preset, e.data_dir, e.out)
        assert plan_points(e, d, o), f


def e_preset(f):
    import yaml

    return yaml.safe_load(f.read_text())['preset']
