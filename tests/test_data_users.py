"""The data users bring, through the command line on the tiny preset: a caption per image from a sidecar file, bad
sidecars refused before any work, offset noise."""

import json, shutil
import pytest
from conftest import tiny_run


@pytest.fixture
def captioned(data_dir, tmp_path):
    "A copy of three of the dog's photos, the first with a caption beside it."
    d = tmp_path / 'data'
    (d / 'dog').mkdir(parents=True)
    for p in sorted((data_dir / 'dog').iterdir())[:3]:
        shutil.copy(p, d / 'dog' / p.name)
    first = sorted((d / 'dog').iterdir())[0]
    first.with_suffix('.txt').write_text('a photo of {identifier} {class_noun} on a beach\n')
    return d, first


def test_captioned_run_with_offset_noise(captioned, tmp_path):
    d, first = captioned
    tiny_run('dog', d, tmp_path / 'out', 'steps=3', 'noise_offset=0.1')
    run = tmp_path / 'out' / 'dog' / 'no_ppl'
    log = (run / 'log.txt').read_text()
    assert f"{first.name}: 'a photo of sks dog on a beach' ({first.stem}.txt)" in log
    assert log.count('(instance prompt)') == 2
    assert json.loads((run / 'config.json').read_text())['noise_offset'] == 0.1
    assert (run / 'metrics.json').exists()


@pytest.mark.parametrize(
    'kind, content, message',
    [
        ('latin-1', 'a {identifier} caf\xe9'.encode('latin-1'), 'is not UTF-8 text'),
        ('empty', b'  \n', 'is empty'),
        ('no identifier', b'a {class_noun} on a beach', 'does not name the subject'),
        ('unknown slot', b'a {identifier} {colour} {class_noun}', "bad slot 'colour'"),
    ],
)
def test_bad_sidecar_refused_before_work(captioned, tmp_path, kind, content, message):
    d, first = captioned
    first.with_suffix('.txt').write_bytes(content)
    r = tiny_run('dog', d, tmp_path / 'out', 'steps=3', check=False)
    assert r.returncode == 2, r.stderr[-2000:]
    assert r.stderr.startswith('error: caption ') and r.stderr.count('\n') == 1, r.stderr
    assert str(first.with_suffix('.txt')) in r.stderr and message in r.stderr
    assert not (tmp_path / 'out').exists()


def test_two_sidecars_refused(captioned, tmp_path):
    d, first = captioned
    first.with_suffix('.caption').write_text('{identifier} {class_noun}')
    r = tiny_run('dog', d, tmp_path / 'out', check=False)
    assert r.returncode == 2 and r.stderr.startswith(f'error: image {first} has two captions'), r.stderr


def test_two_subjects_in_one_model(data_dir, tmp_path):
    tiny_run('dog+cat', data_dir, tmp_path, 'steps=3', condition='ppl')
    run = tmp_path / 'dog+cat' / 'ppl'
    m = json.loads((run / 'metrics.json').read_text())
    assert list(m['concepts']) == ['dog', 'cat'] and set(m['leakage']) == {'dino', 'clip_i'}
    for a, b in (('dog', 'cat'), ('cat', 'dog')):
        own = json.loads((run / 'concepts' / a / 'metrics.json').read_text())
        assert m['concepts'][a]['metrics'] == own['metrics'] and set(m['concepts'][a]['leakage']) == {b}
    cat = json.loads((run / 'concepts' / 'cat' / 'config.json').read_text())
    assert (cat['subject'], cat['identifier'], cat['class_noun']) == ('cat', 'ohwx', 'cat')
    assert sorted(p.name for p in (tmp_path / 'class_images').iterdir()) == ['cat', 'dog']
    assert "'a ohwx cat'" in (run / 'log.txt').read_text()


def test_two_subjects_refused_before_work(data_dir, tmp_path):
    r = tiny_run('dog+cat', data_dir, tmp_path, 'identifier=sks+sks', check=False)
    assert r.returncode == 2 and r.stderr.startswith("error: subjects 'dog' and 'cat' both use identifier 'sks'")
    r = tiny_run('dog+lion', data_dir, tmp_path, check=False)
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'lion' in r.stderr, r.stderr
    assert not any(tmp_path.iterdir())
