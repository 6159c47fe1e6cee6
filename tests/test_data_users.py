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
