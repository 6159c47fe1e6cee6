"""What Sphinx reads for a notebook page: the notebook in `nbs/`, turned from nbdev's conventions into myst-nb's.

nbdev's own site generator (quarto) does this with its processors; we reuse the one that decides where the API
documentation goes (`add_show_docs`) and translate nbdev's cell directives into myst-nb's cell tags:

| directive | on the page | executed |
|---|---|---|
| `#| hide` | nothing | yes |
| `#| export` | the code behind an "Exported source" toggle, then `show_doc` of each public name | yes |
| `#| exporti` | the code behind the toggle | yes |
| `#| exports` | the code, then `show_doc` of each public name | yes |
| `#| eval: false` and the test flags of settings.ini (`slow`, `notest`, `cuda`) | the code, with a note | no |

In markdown, notebook names and the package's names (`` `05_train` ``, `` `run.ipynb` ``, `` `RunConfig` ``) become
links to their pages, as nbdev's own sites link them. Cells that call `nbdev_export()` are dropped (building the site
must not write the package), and so are cells with nothing left once their directives are gone (`#| default_exp`).
The notebooks in git are never touched: this runs on the text Sphinx has just read (the `source-read` event)."""

import ast, functools, hashlib, itertools, json, re
from configparser import ConfigParser
from pathlib import Path

import nbformat
from execnb.nbio import dict2nb
from nbdev.process import NBProcessor
from nbdev.processors import add_show_docs

ROOT = Path(__file__).resolve().parent.parent
_cfg = ConfigParser(delimiters=['='])
_cfg.read(ROOT / 'settings.ini', encoding='utf-8')
CFG = _cfg['DEFAULT']
LIB = ROOT / CFG['lib_path']
SKIP_FLAGS = set(CFG.get('tst_flags', '').split())

# The site's table of contents (the index page's toctrees): every notebook in exactly one section.
TOC = {
    'The method': [
        '00_core',
        '01_data',
        '02_config',
        '03_models',
        '04_prior',
        '05_train',
        '06_sample',
        '07_webui',
        '08_methods',
    ],
    'Evaluation': ['10_encoders', '11_metrics', '12_results'],
    'Orchestration': [
        '20_runner',
        '25_one_run',
        'run',
        '21_plan',
        '22_batch',
        '23_experiment',
        '24_study',
        '26_rehearse',
    ],
    'The toy world': [
        '30_toy_world',
        '31_toy_sd',
        '32_toy_encoders',
        '33_demo',
        '34_toy_study',
        '35_toy_table1',
        '36_toy_users_data',
    ],
    'The interface': ['40_cli', '41_main'],
}

_re_directive = re.compile(r'^\s*#\|.*$')
_re_libimport = re.compile(
    rf'(?:from|import)\s+(?:{CFG["lib_name"]}\.(\w+)|\.(\w+)|{CFG["lib_name"]}\s+import\s+([\w, ]+))'
)


def _strip_directives(src):
    "`src` without its leading `#|` lines."
    lines = src.splitlines(keepends=True)
    i = 0
    while i < len(lines) and (_re_directive.match(lines[i]) or not lines[i].strip()):
        i += 1
    return ''.join(lines[i:])


def _imported_modules(src):
    "Names of the package's modules that `src` imports."
    names = set()
    for m in _re_libimport.finditer(src):
        if m.group(1) or m.group(2):
            names.add(m.group(1) or m.group(2))
        else:
            names.update(n.strip() for n in m.group(3).split(','))
    return {n for n in names if (LIB / f'{n}.py').exists()}


def library_modules(code):
    "The package modules that `code` imports, directly or through other modules."
    todo, seen = _imported_modules(code), set()
    while todo:
        m = todo.pop()
        seen.add(m)
        todo |= _imported_modules((LIB / f'{m}.py').read_text(encoding='utf-8')) - seen
    return seen


def library_digest(code):
    "Hash of the source of the package modules that `code` runs (`library_modules`)."
    h = hashlib.sha256()
    for m in sorted(library_modules(code)):
        h.update(m.encode())
        h.update((LIB / f'{m}.py').read_bytes())
    return h.hexdigest()[:16]


_re_nbname = re.compile(r'(?<!\[)`(\d\d_\w+|\w+\.ipynb)`(?!\]|\()')
_re_symbol = re.compile(r'(?<![\[>])`([A-Za-z]\w*)`(?!\]|\(|<)')
_re_fence = re.compile(r'(^```.*?^```)', re.M | re.S)


@functools.lru_cache(maxsize=None)
def symbol_pages():
    "{name: (notebook, anchor)} of the package's public functions and classes (nbdev's index of them, `_modidx.py`)."
    mods = {}
    for p in (ROOT / 'nbs').glob('*.ipynb'):
        if m := re.search(r'#\|\s*default_exp\s+([\w.]+)', p.read_text(encoding='utf-8')):
            mods[m.group(1)] = p.stem
    modidx = ast.literal_eval((LIB / '_modidx.py').read_text(encoding='utf-8').split('d = ', 1)[1])
    pages = {}
    for mod, syms in modidx['syms'].items():
        nb = mods.get(mod.split('.', 1)[1])
        for sym in syms:
            name = sym[len(mod) + 1 :]
            # (a name that is also a module's, `train`, is left alone: in the text it mostly means the module)
            if nb and '.' not in name and not name.startswith('_') and name not in mods:
                pages[name] = (nb, name.lower())
    return pages


def add_links(md, symbols):
    "Markdown `md` with notebook names (`` `05_train` ``) and the package's names (`` `RunConfig` ``) linked to pages."

    def nb(m):
        name = m.group(1)
        file = name if name.endswith('.ipynb') else f'{name}.ipynb'
        return f'[`{name}`]({file})' if (ROOT / 'nbs' / file).exists() else m.group(0)

    def sym(m):  # raw HTML: the anchors are in cell outputs, which myst's link resolution does not see
        if m.group(1) not in symbols:
            return m.group(0)
        page, anchor = symbols[m.group(1)]
        return (
            f'<a class="reference internal" href="{page}.html#{anchor}"><code class="docutils literal notranslate">'
            f'{m.group(1)}</code></a>'
        )

    parts = _re_fence.split(md)  # nothing inside fenced code changes
    return ''.join(p if i % 2 else _re_symbol.sub(sym, _re_nbname.sub(nb, p)) for i, p in enumerate(parts))


def _cell(kind, src, tags=()):
    c = nbformat.v4.new_code_cell(src) if kind == 'code' else nbformat.v4.new_markdown_cell(src)
    if tags:
        c.metadata['tags'] = list(tags)
    return c


def toc_markdown():
    "The index page's table of contents, one captioned toctree per section."
    return '\n\n'.join(
        f'```{{toctree}}\n:caption: {cap}\n:maxdepth: 1\n\n' + '\n'.join(docs) + '\n```' for cap, docs in TOC.items()
    )


def notebook_for_site(text, docname):
    "The notebook JSON `text` as the site shows and executes it (see the module's docstring)."
    nbp = NBProcessor(nb=dict2nb(json.loads(text)), procs=[add_show_docs], rm_directives=False)
    nbp.process()
    # nbdev inserts each name's show_doc right after the export cell, so a cell's names come out last first
    in_order = [
        c
        for sd, run in itertools.groupby(nbp.nb.cells, lambda c: getattr(c, 'has_sd', False))
        for c in (list(run)[::-1] if sd else run)
    ]
    module = next(
        (c.directives_['default_exp'][0] for c in nbp.nb.cells if 'default_exp' in (c.get('directives_') or {})), None
    )
    cells, symbols = [], symbol_pages()
    for c in in_order:
        src, d = c.source, c.get('directives_', {}) or {}
        if c.cell_type != 'code':
            cells.append(_cell(c.cell_type, add_links(src, symbols) if c.cell_type == 'markdown' else src))
            continue
        if 'nbdev_export()' in src:
            continue
        if getattr(c, 'has_sd', False):  # a show_doc cell added by nbdev: its output only
            cells.append(
                _cell('code', f'_site_show_doc({src[len("show_doc(") : -1]}, module={module!r})', ['remove-input'])
            )
            continue
        body = _strip_directives(src)
        if not body.strip():
            continue  # e.g. `#| default_exp`: nothing to run or show
        skipped = sorted(SKIP_FLAGS & set(d)) + (['eval: false'] if d.get('eval:', [''])[0].lower() == 'false' else [])
        if skipped:
            cells.append(
                _cell('code', f'# not run when the site is built ({", ".join(skipped)})\n' + body, ['skip-execution'])
            )
        elif 'hide' in d:
            cells.append(_cell('code', body, ['remove-cell']))
        elif {'export', 'exporti'} & set(d):
            cells.append(_cell('code', body, ['hide-input']))
        else:
            cells.append(_cell('code', body))
    code = '\n'.join(c.source for c in cells if c.cell_type == 'code')
    # First cell: the renderer of the API docs, and the hash of the package code the notebook runs, so that the
    # execution cache (keyed on the code cells) runs the notebook again when that code changed.
    cells.insert(
        0,
        _cell(
            'code',
            f'# the package code this notebook imports: {library_digest(code)}\n'
            'import sys; sys.path.insert(0, "../docs")\nfrom apidoc import show_doc as _site_show_doc',
            ['remove-cell'],
        ),
    )
    if docname == 'index':
        cells.append(_cell('markdown', '## Contents\n\n' + toc_markdown()))
    nb = nbformat.v4.new_notebook(cells=cells, metadata=json.loads(text).get('metadata', {}))
    return nbformat.writes(nb)


def source_read(app, docname, source):
    "Sphinx `source-read` handler: notebooks are rewritten for the site."
    if app.env.doc2path(docname).suffix != '.ipynb':
        return
    text = source[0]
    source[0] = notebook_for_site(text, docname)
    # Sphinx reads a page again when one of these files changed: this rewriting, and the package code it runs
    code = '\n'.join(''.join(c['source']) for c in json.loads(text)['cells'] if c['cell_type'] == 'code')
    for f in [Path(__file__), Path(__file__).with_name('apidoc.py')] + [
        LIB / f'{m}.py' for m in sorted(library_modules(code))
    ]:
        app.env.note_dependency(str(f))
