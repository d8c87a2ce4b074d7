# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Refresh the intersphinx inventories kept in ``docs/_inventories/``.

The documentation links names such as ``float``, ``numpy.polyfit`` or
``sklearn.linear_model.SGDRegressor`` to the other projects' documentation
through their ``objects.inv``. The build must work without a network (CI has
none), so the inventories live in the repository, and
``docs/_inventories/inventories.toml`` records each one's site, version and
origin; ``docs/conf.py`` builds ``intersphinx_mapping`` from that file.

With a network, refresh every inventory from the projects' own sites::

    python docs/update_inventories.py

or only some of them::

    python docs/update_inventories.py numpy sklearn

Without one, take an ``objects.inv`` from anywhere else, for example from the
HTML documentation a Debian package ships, and say where it came from::

    python docs/update_inventories.py --from-file \\
        numpy=/usr/share/doc/python-numpy/html/objects.inv \\
        --origin "Debian package python-numpy-doc 1:2.4.6+ds-5"

To link to a new project, add a table with its ``url`` to inventories.toml,
then run the script for it. Every file is checked to be a readable Sphinx
inventory before it replaces the old one.
"""

import argparse
import datetime
import io
import posixpath
import sys
import tomllib
import urllib.request
from pathlib import Path

INVENTORY_DIR = Path(__file__).resolve().parent / "_inventories"
SOURCES = INVENTORY_DIR / "inventories.toml"

HEADER = """\
# The intersphinx inventories kept in this folder, one table per project: the
# site the links point to (`url`), the inventory's project name and version
# as its header states them, where the file came from and when.
# docs/conf.py reads `url`; `python docs/update_inventories.py` refreshes the
# files and this record (see its docstring).
"""

FIELDS = ("url", "project", "version", "origin", "retrieved")


def read_sources(path=SOURCES):
    """Return the table of inventories: project key -> dict of FIELDS."""
    with open(path, "rb") as f:
        return tomllib.load(f)


def _toml_string(value):
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def format_sources(sources):
    """Format the table as the TOML this script writes (flat string fields)."""
    parts = [HEADER]
    for key, entry in sources.items():
        parts.append(f"\n[{key}]\n")
        for field in FIELDS:
            if field in entry:
                parts.append(f"{field} = {_toml_string(entry[field])}\n")
    return "".join(parts)


def inspect_inventory(data):
    """Check that ``data`` is a Sphinx inventory; return (project, version, n).

    Raises ``ValueError`` if it is not one, or holds no object.
    """
    from sphinx.util.inventory import InventoryFile

    lines = data.split(b"\n", 3)
    if not lines[0].startswith(b"# Sphinx inventory version"):
        raise ValueError("not a Sphinx inventory (no '# Sphinx inventory' header)")
    header = {}
    for line in lines[1:3]:
        name, _, value = line.decode("utf-8").partition(":")
        header[name.strip("# ").lower()] = value.strip()
    try:
        inventory = InventoryFile.load(io.BytesIO(data), "", posixpath.join)
    except Exception as exc:  # zlib or format errors, whatever their class
        raise ValueError(f"unreadable inventory: {exc}") from exc
    # Sphinx >= 8.2 returns an object with .data; older ones a plain dict.
    table = getattr(inventory, "data", inventory)
    n_objects = sum(len(items) for items in table.values())
    if n_objects == 0:
        raise ValueError("the inventory lists no object")
    return header.get("project", ""), header.get("version", ""), n_objects


def download(url, timeout=60):
    """Return the bytes of ``url``/objects.inv."""
    inventory_url = url.rstrip("/") + "/objects.inv"
    request = urllib.request.Request(
        inventory_url, headers={"User-Agent": "sklearn-quadneuron docs"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def store(key, data, entry, origin, version=None):
    """Check ``data``, write it as ``<key>.inv`` and update ``entry``."""
    project, header_version, n_objects = inspect_inventory(data)
    (INVENTORY_DIR / f"{key}.inv").write_bytes(data)
    entry["project"] = project
    entry["version"] = version or header_version or "unknown"
    entry["origin"] = origin
    entry["retrieved"] = datetime.date.today().isoformat()
    return n_objects


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "projects",
        nargs="*",
        help="keys of inventories.toml to download (default: all of them)",
    )
    parser.add_argument(
        "--from-file",
        metavar="KEY=PATH",
        action="append",
        default=[],
        help="take KEY's inventory from a local objects.inv instead",
    )
    parser.add_argument(
        "--origin",
        help="with --from-file: where the file came from (package and version)",
    )
    parser.add_argument(
        "--version",
        dest="inventory_version",
        help="with --from-file: the version, when the file's header has none",
    )
    args = parser.parse_args(argv)

    sources = read_sources()
    failures = []
    if args.from_file:
        if args.projects:
            parser.error("give either project keys to download or --from-file")
        if not args.origin:
            parser.error("--from-file needs --origin: say where the file came from")
        for item in args.from_file:
            key, sep, path = item.partition("=")
            if not sep or key not in sources:
                parser.error(f"{item!r}: expected KEY=PATH, KEY one of {list(sources)}")
            data = Path(path).read_bytes()
            try:
                n = store(key, data, sources[key], args.origin, args.inventory_version)
            except ValueError as exc:
                failures.append(f"{key}: {path}: {exc}")
                continue
            print(f"{key}: {n} objects from {path}")
    else:
        unknown = sorted(set(args.projects) - set(sources))
        if unknown:
            parser.error(f"unknown project(s) {unknown}; known: {list(sources)}")
        for key in args.projects or list(sources):
            url = sources[key]["url"]
            try:
                data = download(url)
                n = store(key, data, sources[key], f"{url.rstrip('/')}/objects.inv")
            except (OSError, ValueError) as exc:
                failures.append(f"{key}: {url}/objects.inv: {exc}")
                continue
            print(f"{key}: {n} objects from {url}")

    SOURCES.write_text(format_sources(sources), encoding="utf-8")
    if failures:
        print("Not updated (the old files are kept):", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
