# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Check the built HTML documentation for what a reader offline would notice.

Run it after the build, on the build's output folder::

    sphinx-build -W --keep-going -b html docs docs/_build/html
    python docs/check_html.py docs/_build/html

It exits with status 1 and lists every problem when one of these fails:

- every link into another project's documentation (those of
  ``docs/_inventories/inventories.toml``) points to that project's site, never
  to a local file or an inventory, and the API page of the estimator has at
  least ``MIN_API_LINKS`` of them, to Python, NumPy, scikit-learn and pandas;
- no generated API page shows an intersphinx role prefix (``python:float``,
  ``numpy:array_like``) as text: that is what an unresolved type looks like;
- pages with formulas load MathJax from a file of the site that exists, and no
  page loads anything from a CDN or another host;
- the navbar of ``index.html`` links to the user guide, the API reference and
  the examples directly, not under its "More" menu.

It uses only the standard library; ``tests/test_docs_html.py`` tests each check
on small pages, and ``.ci/run`` runs the script after building the docs.
"""

import argparse
import re
import sys
import tomllib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

DOCS = Path(__file__).resolve().parent
INVENTORIES = DOCS / "_inventories" / "inventories.toml"

# The API page of the estimator and the links it must have into other projects.
API_PAGE = "generated/sklearn_quadneuron.QuadraticGDRegressor.html"
MIN_API_LINKS = 30
API_PROJECTS = ("python", "numpy", "sklearn", "pandas")

# The pages the navbar of index.html must show as links of their own.
NAVBAR_PAGES = {
    "user_guide.html": "User guide",
    "api.html": "API reference",
    "auto_examples/index.html": "Examples",
}

CDN_MARKERS = ("cdn.jsdelivr", "cdnjs", "unpkg.com", "cdn.datatables")

# intersphinx titles its links "(in NumPy v2.4)"; sphinx-gallery gives the
# links of its code blocks a class naming the module.
INTERSPHINX_TITLE = re.compile(r"^\(in .+\)$")
GALLERY_BACKREF = "sphx-glr-backref-module-"
OWN_MODULE = "sklearn_quadneuron"

# <link rel=...> that name a page rather than load a file.
LINK_RELS_NOT_LOADED = {"canonical", "alternate", "index", "search", "next", "prev"}

VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


def read_sites(path=INVENTORIES):
    """Return {project key: documentation URL} from inventories.toml."""
    with open(path, "rb") as f:
        return {key: entry["url"].rstrip("/") for key, entry in tomllib.load(f).items()}


class Page(HTMLParser):
    """What the checks need from one HTML page.

    Attributes
    ----------
    anchors : list of dict
        Attributes of every ``<a>`` with an ``href``.
    resources : list of (str, str)
        ``(tag, url)`` of everything the page loads: ``<script src>``,
        ``<link href>`` (stylesheets, icons, preloads), ``<img src>``,
        ``<iframe src>``.
    text : str
        The visible text, without scripts and styles.
    has_math : bool
        Whether an element has the class ``math`` (Sphinx's formulas).
    navbars : list of list of (str, bool)
        For each ``<ul class="navbar-nav">``, the ``href`` of its links and
        whether each sits inside a dropdown menu.
    """

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.anchors = []
        self.resources = []
        self.navbars = []
        self.has_math = False
        self._text = []
        self._stack = []  # (tag, classes) of the open elements
        self.feed(html)
        self.close()
        self.text = "".join(self._text)

    def _inside(self, tag=None, cls=None):
        return any(
            (tag is None or t == tag) and (cls is None or cls in classes)
            for t, classes in self._stack
        )

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        classes = set(attrs.get("class", "").split())
        if tag == "a" and "href" in attrs:
            self.anchors.append(attrs)
            if self.navbars and self._inside("ul", "navbar-nav"):
                in_dropdown = self._inside(cls="dropdown-menu")
                self.navbars[-1].append((attrs["href"], in_dropdown))
        elif tag in ("script", "img", "iframe") and attrs.get("src"):
            self.resources.append((tag, attrs["src"]))
        elif tag == "link" and attrs.get("href"):
            if not LINK_RELS_NOT_LOADED & set(attrs.get("rel", "").split()):
                self.resources.append((tag, attrs["href"]))
        if "math" in classes:
            self.has_math = True
        if tag == "ul" and "navbar-nav" in classes:
            self.navbars.append([])
        if tag not in VOID_ELEMENTS:
            self._stack.append((tag, classes))

    def handle_startendtag(self, tag, attrs):
        # <br/>, <img .../>: the same as a start tag, but nothing to close.
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self._stack and self._stack[-1][0] == tag:
            self._stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                return

    def handle_data(self, data):
        if not self._inside("script") and not self._inside("style"):
            self._text.append(data)


def _is_remote(url):
    return urlsplit(url).scheme in ("http", "https") or url.startswith("//")


def project_of(url, sites):
    """Return the key of the project whose site ``url`` is under, or None."""
    for key, site in sites.items():
        if url == site or url.startswith(site + "/"):
            return key
    return None


def links_into_projects(page):
    """The anchors that other projects' inventories made.

    intersphinx titles its links "(in NumPy v2.4)"; sphinx-gallery marks the
    names of its code blocks with the class ``sphx-glr-backref-module-<module>``
    (those of this package are links within the site).
    """
    for anchor in page.anchors:
        classes = anchor.get("class", "").split()
        modules = [c for c in classes if c.startswith(GALLERY_BACKREF)]
        if INTERSPHINX_TITLE.match(anchor.get("title", "")) or any(
            not m.startswith(GALLERY_BACKREF + OWN_MODULE) for m in modules
        ):
            yield anchor


def external_link_problems(page, sites):
    """Links into other projects' docs that do not point to their sites.

    Returns a list of messages.
    """
    problems = [
        f"link {anchor['href']!r} is not under any of the sites of "
        "docs/_inventories/inventories.toml"
        for anchor in links_into_projects(page)
        if project_of(anchor["href"], sites) is None
    ]
    for anchor in page.anchors:
        href = anchor["href"]
        if href.startswith("file:") or "_inventories" in href:
            problems.append(f"link {href!r} points to a local file, not a site")
    return problems


def project_link_counts(page, sites):
    """Count the page's links into each project's site: Counter of keys."""
    return Counter(
        key
        for anchor in page.anchors
        if (key := project_of(anchor["href"], sites)) is not None
    )


def api_page_problems(page, sites, minimum=MIN_API_LINKS, projects=API_PROJECTS):
    """The estimator's API page must link enough into the other projects."""
    counts = project_link_counts(page, sites)
    problems = []
    total = sum(counts.values())
    if total < minimum:
        problems.append(
            f"{total} links into other projects' docs, expected at least {minimum}"
            " (are the inventories in docs/_inventories/ found?)"
        )
    for key in projects:
        if counts[key] == 0:
            problems.append(f"no link into {key}'s docs ({sites[key]})")
    return problems


def role_prefix_problems(page, keys):
    """Intersphinx prefixes shown as text, such as ``python:float``."""
    pattern = re.compile(rf"\b({'|'.join(map(re.escape, keys))}):[A-Za-z_]\w*")
    found = sorted({match.group(0) for match in pattern.finditer(page.text)})
    return [f"shows {name!r}: an unresolved reference" for name in found]


def mathjax_problems(page, page_path, build_dir):
    """MathJax must come from a file of the site, on every page with math."""
    problems = []
    scripts = [url for tag, url in page.resources if tag == "script"]
    mathjax = [url for url in scripts if "mathjax" in url.lower()]
    for url in mathjax:
        if _is_remote(url):
            problems.append(f"loads MathJax from {url!r}, not from the site")
            continue
        target = (page_path.parent / urlsplit(url).path).resolve()
        if not target.is_file():
            problems.append(f"loads MathJax from {url!r}, which is not in the build")
        elif Path(build_dir).resolve() not in target.parents:
            problems.append(f"loads MathJax from {url!r}, outside the build")
    if page.has_math and not mathjax:
        problems.append("has formulas but loads no MathJax")
    return problems


def remote_resource_problems(page, html):
    """Nothing loaded from another host; no CDN named anywhere in the page."""
    problems = [
        f"loads <{tag}> from {url!r}" for tag, url in page.resources if _is_remote(url)
    ]
    lowered = html.lower()
    problems += [f"mentions the CDN {m!r}" for m in CDN_MARKERS if m in lowered]
    return problems


def navbar_problems(page, required=NAVBAR_PAGES):
    """The first navbar must link to each required page directly."""
    if not page.navbars:
        return ["has no navbar (<ul class='navbar-nav'>)"]
    links = page.navbars[0]
    problems = []
    for href, name in required.items():
        placements = [in_dropdown for link, in_dropdown in links if link == href]
        if not placements:
            problems.append(f"navbar has no link to {name} ({href})")
        elif all(placements):
            problems.append(f"navbar hides {name} ({href}) under its dropdown menu")
    return problems


def html_pages(build_dir):
    """The site's pages, without the copies of sources and static files."""
    build_dir = Path(build_dir)
    skip = {"_static", "_sources", "_downloads", "_images", ".doctrees"}
    return sorted(
        path
        for path in build_dir.rglob("*.html")
        if not skip & set(path.relative_to(build_dir).parts)
    )


def check_build(build_dir, sites):
    """Run every check on a build; return {page name: [problems]}."""
    build_dir = Path(build_dir)
    report = {}
    pages = html_pages(build_dir)
    if not pages:
        return {str(build_dir): ["no HTML page: build the docs first"]}
    for path in pages:
        name = path.relative_to(build_dir).as_posix()
        html = path.read_text(encoding="utf-8")
        page = Page(html)
        problems = external_link_problems(page, sites)
        problems += mathjax_problems(page, path, build_dir)
        problems += remote_resource_problems(page, html)
        if name.startswith("generated/"):
            problems += role_prefix_problems(page, list(sites))
        if name == API_PAGE:
            problems += api_page_problems(page, sites)
        if name == "index.html":
            problems += navbar_problems(page)
        if problems:
            report[name] = problems
    names = {path.relative_to(build_dir).as_posix() for path in pages}
    for required in (API_PAGE, "index.html"):
        if required not in names:
            report[required] = ["missing from the build"]
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "build_dir",
        nargs="?",
        default=str(DOCS / "_build" / "html"),
        help="the HTML build to check (default: docs/_build/html)",
    )
    args = parser.parse_args(argv)
    sites = read_sites()
    report = check_build(args.build_dir, sites)
    if report:
        print(f"The built documentation in {args.build_dir} has problems:")
        for name, problems in sorted(report.items()):
            for problem in problems:
                print(f"  {name}: {problem}")
        return 1
    n_pages = len(html_pages(args.build_dir))
    api = Page((Path(args.build_dir) / API_PAGE).read_text(encoding="utf-8"))
    counts = project_link_counts(api, sites)
    print(
        f"{n_pages} pages checked: links into other projects' sites, MathJax served "
        f"locally, no CDN, navbar. {API_PAGE} links {sum(counts.values())} times "
        f"into {', '.join(sorted(counts))}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
