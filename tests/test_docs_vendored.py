# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Tests of what the documentation keeps from other projects, and of the
scripts that refresh it: the intersphinx inventories (docs/_inventories/,
docs/update_inventories.py) and MathJax (docs/_static/mathjax/,
docs/update_mathjax.py). Nothing here uses the network.
"""

import importlib.util
import io
import shutil
import tarfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


update_inventories = _load("update_inventories")
update_mathjax = _load("update_mathjax")

SOURCES = update_inventories.read_sources()


# -- The inventories kept ------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_each_inventory_is_recorded_and_readable(key):
    entry = SOURCES[key]
    assert set(entry) == set(update_inventories.FIELDS)
    assert entry["url"].startswith("https://")
    assert not entry["url"].endswith("/")
    data = (DOCS / "_inventories" / f"{key}.inv").read_bytes()
    project, version, n_objects = update_inventories.inspect_inventory(data)
    assert project == entry["project"]
    # The recorded version is the header's, or the package's when the header has
    # none or a packager's suffix ("3.10.9+dfsg1").
    assert entry["version"] and entry["version"].startswith(version.split("+")[0])
    assert n_objects > 500


def test_no_inventory_file_without_a_record():
    files = {path.stem for path in (DOCS / "_inventories").glob("*.inv")}
    assert files == set(SOURCES)


def test_the_record_is_written_back_as_read():
    text = update_inventories.format_sources(SOURCES)
    assert tomllib.loads(text) == SOURCES
    assert text == update_inventories.SOURCES.read_text(encoding="utf-8")


# -- update_inventories.py ------------------------------------------------------------


@pytest.fixture
def inventory_dir(tmp_path, monkeypatch):
    """A copy of docs/_inventories/ that the script writes to."""
    folder = tmp_path / "_inventories"
    shutil.copytree(DOCS / "_inventories", folder)
    monkeypatch.setattr(update_inventories, "INVENTORY_DIR", folder)
    monkeypatch.setattr(update_inventories, "SOURCES", folder / "inventories.toml")
    return folder


def test_from_file_replaces_the_inventory_and_records_its_origin(inventory_dir):
    source = inventory_dir.parent / "objects.inv"
    shutil.copy(DOCS / "_inventories" / "numpy.inv", source)
    code = update_inventories.main(
        ["--from-file", f"numpy={source}", "--origin", "a test copy"]
    )
    assert code == 0
    sources = update_inventories.read_sources(inventory_dir / "inventories.toml")
    assert sources["numpy"]["origin"] == "a test copy"
    assert sources["numpy"]["project"] == "NumPy"
    assert sources["python"] == SOURCES["python"]


def test_a_file_that_is_no_inventory_is_refused(inventory_dir, capsys):
    source = inventory_dir.parent / "objects.inv"
    source.write_bytes(b"<html>Not found</html>")
    before = (inventory_dir / "numpy.inv").read_bytes()
    code = update_inventories.main(["--from-file", f"numpy={source}", "--origin", "x"])
    assert code == 1
    assert "not a Sphinx inventory" in capsys.readouterr().err
    assert (inventory_dir / "numpy.inv").read_bytes() == before


def test_a_failed_download_keeps_the_old_files(inventory_dir, monkeypatch, capsys):
    def no_network(url, timeout=60):
        raise OSError("Network is unreachable")

    monkeypatch.setattr(update_inventories, "download", no_network)
    before = (inventory_dir / "sklearn.inv").read_bytes()
    assert update_inventories.main(["sklearn"]) == 1
    err = capsys.readouterr().err
    assert "sklearn: https://scikit-learn.org/stable/objects.inv" in err
    assert "Network is unreachable" in err
    assert (inventory_dir / "sklearn.inv").read_bytes() == before


def test_a_download_is_checked_and_recorded(inventory_dir, monkeypatch):
    data = (DOCS / "_inventories" / "pandas.inv").read_bytes()
    monkeypatch.setattr(update_inventories, "download", lambda url, timeout=60: data)
    assert update_inventories.main(["pandas"]) == 0
    sources = update_inventories.read_sources(inventory_dir / "inventories.toml")
    assert sources["pandas"]["origin"] == "https://pandas.pydata.org/docs/objects.inv"


@pytest.mark.parametrize(
    "argv",
    [
        ["--from-file", "numpy=objects.inv"],  # no --origin
        ["--from-file", "nothere=objects.inv", "--origin", "x"],
        ["nothere"],
    ],
)
def test_bad_arguments_are_refused(inventory_dir, argv):
    with pytest.raises(SystemExit):
        update_inventories.main(argv)


# -- MathJax -----------------------------------------------------------------------


def test_the_vendored_mathjax_has_what_the_pages_load():
    mathjax = DOCS / "_static" / "mathjax"
    assert (mathjax / "tex-chtml.js").stat().st_size > 500_000
    fonts = list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert len(fonts) > 20
    assert (mathjax / "input" / "tex" / "extensions" / "ams.js").is_file()
    assert "Apache License" in (mathjax / "LICENSE").read_text()
    readme = (mathjax / "README.md").read_text()
    assert f"`mathjax` {update_mathjax.VERSION}" in readme
    size = sum(p.stat().st_size for p in mathjax.rglob("*") if p.is_file())
    assert size < 4_000_000


def _add(archive, name, content=b"x"):
    info = tarfile.TarInfo(name)
    info.size = len(content)
    archive.addfile(info, io.BytesIO(content))


def test_vendor_copies_only_the_listed_files(tmp_path):
    tarball = tmp_path / "mathjax-9.9.9.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        _add(archive, "package/LICENSE", b"Apache License")
        _add(archive, "package/es5/tex-chtml.js")
        _add(archive, "package/es5/tex-svg.js")
        _add(archive, "package/es5/output/chtml/fonts/woff-v2/MathJax_Main.woff")
        _add(archive, "package/es5/input/tex/extensions/ams.js")
        _add(archive, "package/es5/sre/mathmaps/en.json")
    dest = tmp_path / "mathjax"
    update_mathjax.vendor(tarball, dest, "9.9.9")
    copied = sorted(
        p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()
    )
    assert copied == [
        "LICENSE",
        "README.md",
        "input/tex/extensions/ams.js",
        "output/chtml/fonts/woff-v2/MathJax_Main.woff",
        "tex-chtml.js",
    ]
    assert "`mathjax` 9.9.9" in (dest / "README.md").read_text()
