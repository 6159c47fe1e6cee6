"""The API documentation of an exported name on the site: nbdev's `show_doc`, rendered for Sphinx.

Runs inside the notebooks' kernels while the site is built (`nbsource` adds the calls). nbdev's markdown renderer
writes quarto's link attributes (`{target="_blank" ...}`) and, outside quarto, a source link without its line
(`#LNone`); this one keeps nbdev's signature (with the docments comments) and docstring, and links the source at
its line on the code host (the kernel defines the notebook's own functions, so the module comes from the notebook's
`default_exp`)."""

import ast
from configparser import ConfigParser
from pathlib import Path

from fastcore.docments import MarkdownRenderer
from nbdev.showdoc import show_doc as _show_doc

ROOT = Path(__file__).resolve().parent.parent
_cfg = ConfigParser(delimiters=['='])
_cfg.read(ROOT / 'settings.ini', encoding='utf-8')
CFG = _cfg['DEFAULT']


def _def_lines(path):
    "{name: line} of the top-level functions and classes (and their methods) defined in the file `path`."
    lines = {}
    for t in ast.parse(Path(path).read_text(encoding='utf-8')).body:
        if isinstance(t, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            lines[t.name] = t.lineno
            if isinstance(t, ast.ClassDef):
                lines.update(
                    {
                        f'{t.name}.{m.name}': m.lineno
                        for m in t.body
                        if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                    }
                )
    return lines


def source_url(name, module):
    "The code host's address of `name`'s definition in the package's `module`, or None where it is not found."
    path = ROOT / CFG['lib_path'] / f'{module}.py'
    line = _def_lines(path).get(name) if path.exists() else None
    return f'{CFG["git_url"]}/blob/{CFG["branch"]}/{CFG["lib_path"]}/{module}.py#L{line}' if line else None


class SiteRenderer(MarkdownRenderer):
    "`show_doc` for the site: a heading, the source link, nbdev's signature and docstring."

    module = None

    def _repr_markdown_(self):
        url = source_url(self.nm, self.module) if self.module else None
        link = f'<a class="apidoc-source" href="{url}">source</a>\n\n' if url else ''
        return f'{"#" * self.title_level} {self.nm}\n\n{link}{super()._repr_markdown_()}'


def show_doc(sym, module=None, name=None, title_level=3):
    "nbdev's `show_doc` with the site's renderer; `module`: the package module that exports `sym`."
    r = _show_doc(sym, renderer=SiteRenderer, name=name, title_level=title_level)
    if r is not None:
        r.module = module
    return r
