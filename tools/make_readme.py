"""Render nbs/index.ipynb to README.md (nbdev_readme needs quarto, which this project does not require).

`python tools/make_readme.py` writes README.md; `--check` exits 1 if README.md is not in step."""

import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent


def render() -> str:
    nb = json.loads((root / 'nbs' / 'index.ipynb').read_text())
    parts = ['<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook -->']
    for c in nb['cells']:
        src = ''.join(c['source']).strip()
        if not src or src.startswith('#| hide'):
            continue
        if c['cell_type'] == 'markdown':  # images and notebooks linked from the repo root
            parts.append(re.sub(r'\]\((?=images/|[\w-]+\.ipynb\))', '](nbs/', src))
        else:
            parts.append('```python\n' + '\n'.join(l for l in src.splitlines() if not l.startswith('#|')) + '\n```')
    return '\n\n'.join(parts) + '\n'


if __name__ == '__main__':
    text = render()
    if '--check' in sys.argv:
        ok = (root / 'README.md').read_text() == text
        print(
            'README.md is in step with nbs/index.ipynb'
            if ok
            else 'README.md differs from nbs/index.ipynb: run python tools/make_readme.py'
        )
        sys.exit(0 if ok else 1)
    (root / 'README.md').write_text(text)
