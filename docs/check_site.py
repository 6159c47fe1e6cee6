"""Check the built site the way a reader meets it: `python docs/check_site.py [_docs]` (run by `make docs`).

1. Every page, read as HTML: each internal link leads to a page of the site (and to an anchor on it, where it names
   one), each image is there and decodes, and each notebook's page has all of the notebook's headings.
2. The main pages in headless Chromium (Debian's, driven by Playwright), served by Python's `http.server` on
   127.0.0.1: every file the browser asks for arrives (no 404), no script fails, every image is decoded and shown,
   the notebook's headings are heading elements (not raw markdown), the outputs each page must show are there, and
   the screenshots in `<site>/_screens/` (the top of the page, and its first image) are not blank.

Prints one line per problem and exits 1 if there is any."""

import argparse, functools, http.server, json, re, shutil, sys, threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / 'nbs'
# The pages opened in the browser, and what each must show beyond its headings:
# (images in cell outputs, tables anywhere, images anywhere).
BROWSER_PAGES = {
    'index': (0, 1, 2),
    '05_train': (1, 0, 1),
    '11_metrics': (0, 1, 0),
    '12_results': (1, 1, 1),
    '34_toy_study': (4, 3, 4),
}
CHROMIUM_FLAGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    '--disable-dev-shm-usage',
]


def _plain(md):
    "Text of a markdown heading as the page shows it."
    md = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', md)
    return re.sub(r'\s+', ' ', re.sub(r'[`*]', '', md)).strip()


def notebook_headings(nb_path):
    "The markdown headings of the notebook at `nb_path`, as plain text."
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    heads, fence = [], False
    for c in nb['cells']:
        if c['cell_type'] != 'markdown':
            continue
        for line in ''.join(c['source']).splitlines():
            if line.lstrip().startswith('```'):
                fence = not fence
            m = None if fence else re.match(r'#{1,6}\s+(.*)', line)
            if m:
                heads.append(_plain(m.group(1)))
    return heads


def page_headings(soup):
    "Texts of the heading elements of a page, without Sphinx's permalink signs."
    return {
        re.sub(r'\s+', ' ', h.get_text(' ', strip=True)).rstrip('#¶ ').replace(' ,', ',').strip()
        for h in soup.find_all(re.compile(r'^h[1-6]$'))
    }


def _missing_headings(heads, shown):
    norm = lambda s: re.sub(r'\W+', '', s).lower()
    shown = {norm(s) for s in shown}
    return [h for h in heads if norm(h) not in shown]


def _is_internal(url):
    s = urlsplit(url)
    return not (s.scheme or s.netloc or url.startswith('#') or url.startswith('data:'))


def check_static(site):
    "Problems of every HTML page under `site`: broken internal links and anchors, missing images, missing headings."
    problems, ids = [], {}
    pages = sorted(p for p in site.rglob('*.html') if '_static' not in p.parts and '_screens' not in p.parts)
    soups = {p: BeautifulSoup(p.read_text(encoding='utf-8'), 'html.parser') for p in pages}
    for p, soup in soups.items():
        ids[p.resolve()] = {t['id'] for t in soup.find_all(id=True)}
    for p, soup in soups.items():
        rel = p.relative_to(site)
        for a in soup.find_all('a', href=True):
            href = a['href']
            if href.startswith('#'):
                if href[1:] and unquote(href[1:]) not in ids[p.resolve()]:
                    problems.append(f'{rel}: no anchor {href}')
                continue
            if not _is_internal(href):
                continue
            s = urlsplit(href)
            target = (p.parent / unquote(s.path)).resolve()
            if target.is_dir():
                target = target / 'index.html'
            if not target.exists():
                problems.append(f'{rel}: broken link {href}')
            elif s.fragment and target.suffix == '.html' and unquote(s.fragment) not in ids.get(target, set()):
                problems.append(f'{rel}: no anchor #{s.fragment} on {target.relative_to(site.resolve())}')
        for img in soup.find_all('img'):
            src = img.get('src', '')
            if not src:
                problems.append(f'{rel}: an image without src')
                continue
            if src.startswith('data:') or not _is_internal(src):
                continue
            f = (p.parent / unquote(urlsplit(src).path)).resolve()
            try:
                with Image.open(f) as im:
                    im.verify()
            except Exception as e:
                problems.append(f'{rel}: image {src} missing or unreadable ({type(e).__name__})')
        nb = NBS / p.with_suffix('.ipynb').name
        if p.parent == site and nb.exists():
            for h in _missing_headings(notebook_headings(nb), page_headings(soup)):
                problems.append(f'{rel}: heading missing: {h!r}')
    nbs = {p.stem for p in NBS.glob('*.ipynb') if not p.name.startswith('_')}
    for stem in sorted(nbs - {p.stem for p in pages if p.parent == site}):
        problems.append(f'no page for nbs/{stem}.ipynb')
    return problems, len(pages)


class _Handler(http.server.SimpleHTTPRequestHandler):
    "Serves the site quietly."

    def log_message(self, *args):
        pass


def serve(site):
    "An HTTP server of `site` on 127.0.0.1 (a free port), running in a thread; returns (server, base url)."
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Handler, directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f'http://127.0.0.1:{srv.server_address[1]}'


def chromium():
    "Path of the Chromium binary, or a clear error."
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        if shutil.which(name):
            return shutil.which(name)
    sys.exit("error: no chromium on PATH (`make docs` installs Debian's chromium; or apt-get install chromium)")


def _blank(png):
    "True when the screenshot is (nearly) one colour."
    with Image.open(png) as im:
        colours = im.convert('RGB').resize((160, 200)).getcolors(maxcolors=100000) or []
    return len(colours) < 20


_BROKEN_IMAGES = (
    "Array.from(document.querySelectorAll('article img'))"
    ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'))"
)


def check_page(browser, base, page, need, screens):
    "Problems of one page in the browser: failed requests, script errors, broken images, headings, outputs."
    problems, failed = [], []
    pg = browser.new_page(viewport={'width': 1280, 'height': 1600})
    pg.on(
        'response',
        lambda r: r.status >= 400 and not r.url.endswith('/favicon.ico') and failed.append(f'{r.url} ({r.status})'),
    )
    pg.on('requestfailed', lambda r: failed.append(f'{r.url} ({r.failure})'))
    pg.on('pageerror', lambda e: problems.append(f'{page}: script error: {e}'))
    resp = pg.goto(f'{base}/{page}.html', wait_until='networkidle')
    if not resp or resp.status != 200:
        return [f'{page}: the page did not load ({resp and resp.status})']
    shot = screens / f'{page}.png'
    pg.screenshot(path=str(shot))
    problems += [f'{page}: the browser could not load {u}' for u in failed]
    problems += [f'{page}: image not shown: {s}' for s in pg.evaluate(_BROKEN_IMAGES)]
    shown = {
        re.sub(r'\s+', ' ', t).rstrip('#¶ ').strip() for t in pg.locator('h1, h2, h3, h4, h5, h6').all_inner_texts()
    }
    if not pg.locator('article h1').count():
        problems.append(f'{page}: no h1 in the rendered page')
    problems += [
        f'{page}: heading not rendered: {h!r}'
        for h in _missing_headings(notebook_headings(NBS / f'{page}.ipynb'), shown)
    ]
    counts = {
        'images in outputs': pg.locator('article .cell_output img').count(),
        'tables': pg.locator('article table').count(),
        'images': pg.locator('article img').count(),
    }
    for (what, n), want in zip(counts.items(), need):
        if n < want:
            problems.append(f'{page}: {n} {what}, expected at least {want}')
    if _blank(shot):
        problems.append(f'{page}: the screenshot is blank')
    first = pg.locator('article .cell_output img, article img').first  # the page's first figure, in its own screenshot
    if counts['images']:
        fig = screens / f'{page}-figure.png'
        first.screenshot(path=str(fig))
        if _blank(fig):
            problems.append(f'{page}: the screenshot of its first image is blank')
    print(
        f'{page}: {counts["images"]} images ({counts["images in outputs"]} in outputs), {counts["tables"]} tables, '
        f'{len(shown)} headings -> {shot.relative_to(screens.parent)}'
    )
    pg.close()
    return problems


def check_browser(site, pages=BROWSER_PAGES):
    "Problems of `pages` as headless Chromium (driven by Playwright) renders them from a local server."
    from playwright.sync_api import sync_playwright

    exe, problems = chromium(), []
    screens = site / '_screens'
    screens.mkdir(exist_ok=True)
    srv, base = serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS)
            for page, need in pages.items():
                problems += check_page(browser, base, page, need, screens)
            browser.close()
    finally:
        srv.shutdown()
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('site', nargs='?', default=str(ROOT / '_docs'), help='the built site (default: _docs)')
    ap.add_argument('--no-browser', action='store_true', help='only the checks of the HTML files')
    a = ap.parse_args(argv)
    site = Path(a.site).resolve()
    if not (site / 'index.html').exists():
        sys.exit(f'error: {site} has no index.html (build it with `make docs`)')
    problems, n = check_static(site)
    print(f'{n} pages: links, anchors, images and headings checked')
    if not a.no_browser:
        problems += check_browser(site)
    for p in problems:
        print('PROBLEM:', p)
    print(f'site check: {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
