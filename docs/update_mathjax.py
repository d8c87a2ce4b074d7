# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Vendor MathJax into ``docs/_static/mathjax/`` from the npm registry.

The documentation's formulas are typeset by MathJax in the reader's browser.
Sphinx loads it from a CDN by default; these pages load the copy served with
the site instead (``mathjax_path`` in ``docs/conf.py``), so that they render
offline and CI needs no network. Only what the pages use is copied:

- ``tex-chtml.js``: TeX input, HTML output, its fonts' metrics and the menu;
- ``output/chtml/fonts/woff-v2/``: the fonts it draws with;
- ``input/tex/extensions/``: the TeX packages it loads on demand when a
  formula uses one of their macros (``\\boldsymbol``, ``\\cancel``, ...);
- ``LICENSE`` (Apache-2.0), and a README.md saying where the files came from.

Run it from anywhere, with ``npm`` on the PATH::

    python docs/update_mathjax.py            # the version pinned below
    python docs/update_mathjax.py 3.2.2      # another 3.x version

MathJax 4 moved its fonts to separate packages: moving to it means changing
the file list below.
"""

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "3.2.2"
DEST = Path(__file__).resolve().parent / "_static" / "mathjax"

# Paths inside the npm package's "package/es5/" folder.
FILES = ["tex-chtml.js"]
FOLDERS = {
    "output/chtml/fonts/woff-v2": "*.woff",
    "input/tex/extensions": "*.js",
}

README = """\
# MathJax {version}, vendored

Served with the documentation so that formulas render without a network:
`mathjax_path` in `docs/conf.py` points to `tex-chtml.js` here.

- Origin: the npm package `mathjax` {version} (`npm pack mathjax@{version}`),
  files copied from its `es5/` folder; license in `LICENSE` (Apache-2.0).
- Refresh or change version: `python docs/update_mathjax.py [VERSION]`.
  Do not edit these files by hand.
"""


def pack(version, workdir):
    """Download the npm tarball of mathjax ``version`` into ``workdir``."""
    result = subprocess.run(
        ["npm", "pack", f"mathjax@{version}", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    return workdir / result.stdout.strip().splitlines()[-1]


def vendor(tarball, dest, version):
    """Copy the needed files of the npm ``tarball`` into ``dest``."""
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(tarball) as archive:
            # The "data" filter refuses links and paths out of tmp (Python 3.11.4+).
            if hasattr(tarfile, "data_filter"):
                archive.extractall(tmp, filter="data")
            else:
                archive.extractall(tmp)
        package = Path(tmp) / "package"
        es5 = package / "es5"
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for name in FILES:
            shutil.copy2(es5 / name, dest / name)
        for folder, pattern in FOLDERS.items():
            (dest / folder).mkdir(parents=True)
            files = sorted((es5 / folder).glob(pattern))
            if not files:
                raise FileNotFoundError(f"no {pattern} in es5/{folder} of {tarball}")
            for path in files:
                shutil.copy2(path, dest / folder / path.name)
        shutil.copy2(package / "LICENSE", dest / "LICENSE")
    (dest / "README.md").write_text(README.format(version=version), encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version", nargs="?", default=VERSION)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = pack(args.version, Path(tmp))
        vendor(tarball, DEST, args.version)
    size = sum(p.stat().st_size for p in DEST.rglob("*") if p.is_file())
    print(f"MathJax {args.version} in {DEST}: {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
