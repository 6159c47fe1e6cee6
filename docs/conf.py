"""Sphinx configuration of the site (`make docs`): every notebook in nbs/ as a page, executed, with its outputs.

Sphinx + myst-nb + pydata-sphinx-theme rather than nbdev's quarto, which cannot be installed here (its PyPI package
downloads the binary at install time; Debian has none), and rather than mkdocs-jupyter: myst-nb executes through
jupyter-cache (a notebook whose code is unchanged is not run again), renders the markdown that `show_doc` returns,
and Sphinx checks every internal reference at build time. The source folder is nbs/ itself, so notebooks run where
nbdev_test runs them; `nbsource` rewrites each one as it is read (show_doc after exports, nbdev directives as
myst-nb tags)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import nbsource

project = nbsource.CFG['lib_name']
author = nbsource.CFG['author']
copyright = nbsource.CFG['copyright']
release = version = nbsource.CFG['version']

extensions = ['myst_nb']
root_doc = 'index'
exclude_patterns = ['_*', '**/.ipynb_checkpoints', 'images']
suppress_warnings = ['myst.header']  # notebooks start sections at ## under their # title

# Execution: cached by jupyter-cache in build/docs/jupyter_cache, in the notebook's folder (as nbdev_test does).
nb_execution_mode = 'cache'
nb_execution_cache_path = str(nbsource.ROOT / 'build' / 'docs' / 'jupyter_cache')
nb_execution_timeout = 900
nb_execution_raise_on_error = True  # a failing notebook fails the build
nb_execution_show_tb = True
nb_render_markdown_format = 'myst'  # show_doc's markdown, tables included
nb_merge_streams = True
nb_ipywidgets_js = {}  # no scripts from CDNs, the site works offline (build.py turns tqdm's widgets off)
nb_code_prompt_show = 'Exported source'  # hide-input is used for export cells only
nb_code_prompt_hide = 'Hide exported source'
myst_enable_extensions = ['dollarmath', 'html_image']
myst_heading_anchors = 3

html_theme = 'pydata_sphinx_theme'
html_title = project
html_static_path = ['_static']
html_css_files = ['site.css']
templates_path = ['_templates']
html_sidebars = {'**': ['notebooks-nav']}  # the whole table of contents on every page
html_theme_options = {
    'navbar_center': [],
    'navbar_end': ['theme-switcher'],
    'secondary_sidebar_items': ['page-toc'],
    'show_toc_level': 2,
    'footer_start': ['copyright'],
    'footer_end': [],
    'icon_links': [],
}
html_show_sourcelink = False
html_copy_source = False


def _create_cache(app, config):
    "Create the execution cache's database here, before `-j` starts readers that would all try to (and collide)."
    from jupyter_cache import get_cache

    get_cache(config.nb_execution_cache_path).db


def setup(app):
    app.connect('config-inited', _create_cache)
    app.connect('source-read', nbsource.source_read)
