"""The measuring scripts of tools/ that `make concepts`, `make captions` and `make noise-offset` call, on a toy
experiment of two runs a few steps long: each writes one row per run (or per run and partner) with scores in range,
and a folder that is not an experiment is refused with one `error:` line."""

import subprocess, sys
import pandas as pd
import pytest
from conftest import ROOT, cli

EXPERIMENT = """
preset: toy
subjects: [orange_dog, white_cat]
conditions: [ppl]
seeds: [0]
grid: {method: [full]}
settings:
  steps: 2
  num_class_images: 4
  num_prompts: 3
  images_per_prompt: 2
  pres_images: 2
  checkpoint_every: 0
"""


def tool(*args):
    "Run a script of tools/ with this interpreter; the CompletedProcess."
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope='module')
def toy_experiment(tmp_path_factory):
    "A finished toy experiment of two subjects, one seed, a few steps."
    d = tmp_path_factory.mktemp('toy_tools')
    (d / 'exp.yaml').write_text(EXPERIMENT)
    r = cli('batch', '--config', d / 'exp.yaml', '--out', d / 'exp')
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return d / 'exp'


def test_toy_sample_stats(toy_experiment, tmp_path):
    out = tmp_path / 'stats.csv'
    r = tool(ROOT / 'tools' / 'toy_sample_stats.py', toy_experiment, out, '--point', 'method=full')
    assert r.returncode == 0, r.stderr[-3000:]
    s = pd.read_csv(out)
    assert sorted(s.subject) == ['orange_dog', 'white_cat'] and (s.samples == 6).all()
    assert s[['at_home', 'on_context']].stack().between(0, 1).all() and (s.away_samples > 0).all()
    assert s.brightness_mean.between(0, 1).all() and (s.brightness_sd >= 0).all()
    r = tool(ROOT / 'tools' / 'toy_sample_stats.py', tmp_path, tmp_path / 'never.csv')
    assert r.returncode == 1 and r.stderr.startswith('error: ') and 'not an experiment folder' in r.stderr
    assert not (tmp_path / 'never.csv').exists()


def test_alone_leakage(toy_experiment, tmp_path):
    concepts = tmp_path / 'concepts.csv'
    pd.DataFrame(dict(group=['orange_dog+white_cat'] * 2, subject=['orange_dog', 'white_cat'])).to_csv(concepts)
    out = tmp_path / 'alone.csv'
    r = tool(ROOT / 'tools' / 'alone_leakage.py', toy_experiment, concepts, out, '--point', 'method=full')
    assert r.returncode == 0, r.stderr[-3000:]
    a = pd.read_csv(out)
    assert sorted(zip(a.subject, a.other)) == [('orange_dog', 'white_cat'), ('white_cat', 'orange_dog')]
    assert a[['dino', 'clip_i']].stack().between(-1, 1).all()
    r = tool(ROOT / 'tools' / 'alone_leakage.py', toy_experiment, tmp_path / 'missing.csv', out)
    assert r.returncode == 1 and r.stderr == f"error: {tmp_path / 'missing.csv'} not found\n"
