"""The site's configuration and tools (docs/), without building the site (`make docs` builds and checks it)."""

import json, shutil, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'docs'))
import nbsource, check_site  # noqa: E402


def test_config_parses():
    import runpy

    cfg = runpy.run_path(str(ROOT / 'docs' / 'conf.py'))
    assert cfg['extensions'] == ['myst_nb'] and cfg['html_theme'] == 'pydata_sphinx_theme'
    assert cfg['nb_execution_mode'] == 'cache' and cfg['nb_execution_raise_on_error']
    assert set(cfg['html_sidebars']['**']) <= {p.stem for p in (ROOT / 'docs' / '_templates').glob('*.html')}
    import myst_nb, pydata_sphinx_theme, jupyter_cache, playwright  # noqa: F401 - installed by the dev extras


def test_every_notebook_in_the_contents_once():
    pages = [d for docs in nbsource.TOC.values() for d in docs]
    assert len(pages) == len(set(pages))
    nbs = {p.stem for p in (ROOT / 'nbs').glob('*.ipynb') if not p.name.startswith('_')} - {'index'}
    assert set(pages) == nbs


def _site_nb(name):
    import nbformat

    return nbformat.reads(
        nbsource.notebook_for_site((ROOT / 'nbs' / name).read_text(encoding='utf-8'), Path(name).stem), 4
    )


def test_notebook_for_site():
    nb = _site_nb('00_core.ipynb')
    cells = nb['cells']
    tags = lambda c: c['metadata'].get('tags', [])
    src = lambda c: c['source']
    first = cells[0]
    assert tags(first) == ['remove-cell'] and '_site_show_doc' in src(first)
    # no nbdev directive is left on the page, and nothing calls nbdev_export()
    assert not any(l.lstrip().startswith('#|') for c in cells if c['cell_type'] == 'code' for l in src(c).splitlines())
    assert not any('nbdev_export()' in src(c) for c in cells)
    # an exported definition: its code behind a toggle, then its documentation, naming the module
    i = next(i for i, c in enumerate(cells) if src(c).startswith('def pending_batches('))
    assert tags(cells[i]) == ['hide-input']
    assert src(cells[i + 1]) == "_site_show_doc(pending_batches, module='core')"
    assert tags(cells[i + 1]) == ['remove-input']
    # private names get no documentation (`_dreambench_record` shares the cell of `record_dreambench`)
    assert any('def _dreambench_record(' in src(c) for c in cells)
    assert not any("_site_show_doc(_" in src(c) for c in cells)
    # cells with nothing left once their directives are gone (`#| default_exp core`) are dropped
    assert all(src(c).strip() for c in cells)
    assert not any('default_exp' in src(c) for c in cells)
    assert nb['metadata']['kernelspec']['name'] == 'python3'


def test_names_documented_in_definition_order():
    "nbdev inserts the documentation of a cell's names last first; the site shows them in the order they are defined."
    code = lambda text: {'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'outputs': [], 'source': text}
    nb = {
        'cells': [code('#| default_exp core'), code('#| export\ndef first():\n    pass\n\n\ndef second():\n    pass')],
        'metadata': {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}},
        'nbformat': 4,
        'nbformat_minor': 5,
    }
    import nbformat

    cells = nbformat.reads(nbsource.notebook_for_site(json.dumps(nb), 'x'), 4)['cells']
    shown = [c['source'].split('(')[1].split(',')[0] for c in cells if c['source'].startswith('_site_show_doc(')]
    assert shown == ['first', 'second'], shown


def test_skipped_and_index():
    cells = _site_nb('22_batch.ipynb')['cells']
    slow = [c for c in cells if 'skip-execution' in c['metadata'].get('tags', [])]
    assert slow and all(c['source'].startswith('# not run when the site is built (slow)') for c in slow)
    main = _site_nb('41_main.ipynb')['cells']
    assert any(c['source'].startswith('# not run when the site is built (eval: false)') for c in main)
    index = _site_nb('index.ipynb')['cells']
    assert index[-1]['cell_type'] == 'markdown' and '```{toctree}' in index[-1]['source']
    assert all(d in index[-1]['source'] for docs in nbsource.TOC.values() for d in docs)


def test_add_links():
    sym = nbsource.symbol_pages()
    assert sym['RunConfig'] == ('02_config', 'runconfig') and sym['validate_name'] == ('00_core', 'validate_name')
    assert not any(n.startswith('_') for n in sym) and 'train' not in sym  # the module's name too
    link = lambda md: nbsource.add_links(md, sym)
    assert link('see `00_core`, `run`') == 'see [`00_core`](00_core.ipynb), `run`'  # `run` is also a command
    assert link('`run.ipynb`, `other.ipynb`') == '[`run.ipynb`](run.ipynb), `other.ipynb`'
    assert link('already [`00_core`](00_core.ipynb)') == 'already [`00_core`](00_core.ipynb)'
    assert link('`99_nothing` and `steps`') == '`99_nothing` and `steps`'
    assert link('`validate_name`') == (
        '<a class="reference internal" href="00_core.html#validate_name">'
        '<code class="docutils literal notranslate">validate_name</code></a>'
    )
    assert link('```python\n`validate_name`\n```') == '```python\n`validate_name`\n```'  # not inside fenced code


def test_library_digest_follows_imports():
    mods = nbsource.library_modules('from dreambooth_nb.prior import generate_class_images')
    assert {'prior', 'data', 'models', 'core', 'config'} <= mods and 'cli' not in mods
    assert nbsource.library_modules('import numpy as np') == set()
    a = nbsource.library_digest('from dreambooth_nb.core import seed_everything')
    assert a == nbsource.library_digest('import dreambooth_nb.core')
    assert a != nbsource.library_digest('from dreambooth_nb.prior import generate_class_images')


def _page(d, name, body):
    (d / name).write_text(f'<html><body><article>{body}</article></body></html>', encoding='utf-8')


def test_check_site_finds_problems(tmp_path, monkeypatch):
    from PIL import Image

    nbs = tmp_path / 'nbs'
    nbs.mkdir()
    site = tmp_path / 'site'
    site.mkdir()
    nb = {
        'cells': [{'cell_type': 'markdown', 'metadata': {}, 'source': ['# Title\n', '## The `loss`\n']}],
        'metadata': {},
        'nbformat': 4,
        'nbformat_minor': 5,
    }
    (nbs / 'a.ipynb').write_text(json.dumps(nb))
    (nbs / 'b.ipynb').write_text(json.dumps(nb))
    monkeypatch.setattr(check_site, 'NBS', nbs)
    Image.new('RGB', (4, 4)).save(site / 'ok.png')
    _page(site, 'index.html', '<h1>Home</h1><a href="a.html#the-loss">a</a>')
    _page(site, 'a.html', '<h1>Title</h1><h2 id="the-loss">The loss<a class="headerlink">#</a></h2><img src="ok.png">')
    problems, n = check_site.check_static(site)
    assert n == 2 and problems == ['no page for nbs/b.ipynb']
    _page(site, 'b.html', '<h1>Title</h1><a href="c.html">c</a><a href="a.html#nope">x</a><img src="gone.png">')
    problems, _ = check_site.check_static(site)
    assert sorted(problems) == sorted(
        [
            "b.html: broken link c.html",
            "b.html: no anchor #nope on a.html",
            "b.html: image gone.png missing or unreadable (FileNotFoundError)",
            "b.html: heading missing: 'The loss'",
        ]
    )


def test_notebook_headings_skip_code_fences(tmp_path):
    nb = {
        'cells': [
            {'cell_type': 'markdown', 'metadata': {}, 'source': '# A\n```sh\n# a comment\n```\n### [B](x.html) `c`'}
        ]
    }
    (tmp_path / 'n.ipynb').write_text(json.dumps(nb))
    assert check_site.notebook_headings(tmp_path / 'n.ipynb') == ['A', 'B c']


@pytest.mark.skipif(
    not any(map(shutil.which, ('chromium', 'chromium-browser', 'google-chrome'))),
    reason='no Chromium here (`make docs` installs it)',
)
def test_browser_check_finds_problems(tmp_path, monkeypatch):
    from PIL import Image
    from playwright.sync_api import sync_playwright

    nbs = tmp_path / 'nbs'
    nbs.mkdir()
    site = tmp_path / 'site'
    site.mkdir()
    screens = site / '_screens'
    screens.mkdir()
    nb = {'cells': [{'cell_type': 'markdown', 'metadata': {}, 'source': '# Title\n## Shown\n## Not shown'}]}
    (nbs / 'p.ipynb').write_text(json.dumps(nb))
    monkeypatch.setattr(check_site, 'NBS', nbs)
    Image.effect_noise((64, 64), 60).convert('RGB').save(site / 'ok.png')
    _page(
        site,
        'p.html',
        '<h1>Title</h1><h2>Shown</h2><p>text</p><div class="cell_output"><img src="ok.png"></div>'
        '<img src="gone.png"><p>## Not shown</p>',
    )
    srv, base = check_site.serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=check_site.chromium(), args=check_site.CHROMIUM_FLAGS)
            problems = check_site.check_page(browser, base, 'p', (1, 1, 2), screens)
            browser.close()
    finally:
        srv.shutdown()
    assert sorted(problems) == sorted(
        [
            f'p: the browser could not load {base}/gone.png (404)',
            'p: image not shown: gone.png',
            "p: heading not rendered: 'Not shown'",
            'p: 0 tables, expected at least 1',
        ]
    )
    assert (screens / 'p.png').exists() and (screens / 'p-figure.png').exists()
