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
  the examples directly, not under its "More" menu;
- no page shows Markdown as text (a fence, a table rule, a ``## heading``, a
  ``[link](url)``): the mark of a Markdown file included as reStructuredText or
  as a literal block;
- every link within the site reaches a file of the build, and its ``#anchor``
  an element of that page; every file a page loads from the site exists;
- every code or output block (``<pre>``), table and display formula sits in an
  element that the site's stylesheets let scroll sideways, so that a line
  wider than the column scrolls instead of being cut off.

Then, where a Chromium binary is found (``chromium``, ``chromium-browser``,
``google-chrome``, or the one ``$CHROMIUM`` names), the layout pass opens every
page in headless Chromium, in frames 1280 and 400 pixels wide, and measures
what the browser laid out: nothing may reach past the text column unless it
sits in a scroll container within it, and no element that hides its overflow
may cut off what it shows (a formula, a code line). ``--screenshots DIR``
keeps a screenshot of every page at both widths. Without Chromium the pass is
skipped, with a note.

The script needs only the standard library (and Chromium for the layout pass);
``tests/test_docs_html.py`` tests each check on small pages, and ``.ci/run``
runs the script after building the docs.
"""

import argparse
import functools
import html as html_lib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

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
    ids : set of str
        The ``id`` of every element and the ``name`` of every ``<a>``: the
        targets of ``#anchor`` links.
    prose : str
        The visible text outside code (``<pre>``, ``<code>``).
    styles : str
        The stylesheets written in the page (``<style>``).
    blocks : list of Block
        Every code or output block (``<pre>``), table and display formula
        (``<div class="math">``), with the elements around it.
    """

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.anchors = []
        self.resources = []
        self.navbars = []
        self.ids = set()
        self.blocks = []
        self.has_math = False
        self._text = []
        self._prose = []
        self._styles = []
        self._open_blocks = []
        self._stack = []  # (tag, classes) of the open elements
        self.feed(html)
        self.close()
        self.text = "".join(self._text)
        self.prose = "".join(self._prose)
        self.styles = "".join(self._styles)

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
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag in ("pre", "table") or (tag == "div" and "math" in classes):
            block = Block(tag, classes, [*self._stack, (tag, classes)])
            self.blocks.append(block)
            self._open_blocks.append((len(self._stack), block))
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
                while self._open_blocks and self._open_blocks[-1][0] >= i:
                    self._open_blocks.pop()
                return

    def handle_data(self, data):
        if self._inside("style"):
            self._styles.append(data)
        if not self._inside("script") and not self._inside("style"):
            self._text.append(data)
            if not self._inside("pre") and not self._inside("code"):
                self._prose.append(data)
            for _, block in self._open_blocks:
                block.text.append(data)


class Block:
    """A code or output block, table or display formula of a page.

    Attributes
    ----------
    tag : str
    classes : set of str
    path : list of (str, set of str)
        The tag and classes of each element from the root to the block itself.
    text : list of str
        The pieces of its text.
    """

    def __init__(self, tag, classes, path):
        self.tag = tag
        self.classes = classes
        self.path = path
        self.text = []

    def describe(self):
        name = self.tag + "".join(f".{c}" for c in sorted(self.classes))
        text = " ".join("".join(self.text).split())
        return f"<{name}> {text[:60]!r}"


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


# -- Markdown shown as text -----------------------------------------------------

# Lines of the rendered text, code blocks included: a Markdown file included
# as a literal block shows these.
MARKDOWN_LINES = {
    "a Markdown code fence": re.compile(r"^\s*```"),
    "a Markdown table rule": re.compile(
        r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$"
    ),
    "a Markdown heading": re.compile(r"^\s*#{2,6} \S"),
}
# In the prose only: code has its own uses of ** and of brackets.
MARKDOWN_PROSE = {
    # [text](target), the target a URL or a path: not "[float64](2,)".
    "a Markdown link": re.compile(
        r"\[[^\]\n]+\]\((?=[^)\s,]*[A-Za-z])(?:[a-z][a-z+.-]*:|[#./]|[\w-]+[./#])"
        r"[^)\s,]*\)"
    ),
    "Markdown bold": re.compile(r"\*\*[^*\s]([^*\n]*[^*\s])?\*\*"),
}


def markdown_problems(page):
    """Markdown shown as text: fences, table rules, headings, links, bold."""
    found = []
    for line in page.text.splitlines():
        for name, pattern in MARKDOWN_LINES.items():
            if pattern.search(line):
                found.append(f"shows {name} as text: {line.strip()[:70]!r}")
    for name, pattern in MARKDOWN_PROSE.items():
        for match in pattern.finditer(page.prose):
            found.append(f"shows {name} as text: {match.group(0)[:70]!r}")
    return list(dict.fromkeys(found))


# -- Links within the site --------------------------------------------------------


def _is_local(url):
    parts = urlsplit(url)
    return not parts.scheme and not url.startswith("//")


def local_target(url, page_path):
    """The file of the build that a relative ``url`` of ``page_path`` names."""
    path = unquote(urlsplit(url).path)
    if not path:
        return page_path
    target = page_path.parent / path
    if path.endswith("/"):
        target = target / "index.html"
    return target


def internal_link_problems(page, page_path, build_dir, ids_of):
    """Links within the site that reach no file, or no element of a page.

    ``ids_of(path)`` returns the ids of the page at ``path``.
    """
    build_dir = Path(build_dir).resolve()
    problems = []
    for anchor in page.anchors:
        href = anchor["href"]
        parts = urlsplit(href)
        if not _is_local(href) or not (parts.path or parts.fragment):
            continue
        target = local_target(href, page_path).resolve()
        if build_dir not in target.parents or not target.is_file():
            problems.append(f"links to {href!r}, which is not a file of the build")
        elif parts.fragment and target.suffix == ".html":
            fragment = unquote(parts.fragment)
            if fragment not in ids_of(target):
                problems.append(
                    f"links to {href!r}, but {target.relative_to(build_dir).as_posix()}"
                    f" has no element with the id {fragment!r}"
                )
    for tag, url in page.resources:
        if not _is_local(url) or url.startswith("data:"):
            continue
        target = local_target(url, page_path).resolve()
        if build_dir not in target.parents or not target.is_file():
            problems.append(f"loads <{tag}> {url!r}, which is not a file of the build")
    return problems


# -- Blocks that scroll sideways --------------------------------------------------

# A compound selector that names an element: tag, classes, attribute tests.
SIMPLE_COMPOUND = re.compile(
    r"^(?P<tag>[a-zA-Z][\w-]*)?(?P<classes>(?:\.[\w-]+)*)(?:\[[^\]]*\])*$"
)


def css_rules(css):
    """The ``(selectors, declarations)`` of the rules outside any at-rule."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    stack = []  # (prelude, index after its "{")
    start = 0
    for i, char in enumerate(css):
        if char == "{":
            stack.append((css[start:i].strip(), i + 1))
            start = i + 1
        elif char == "}":
            if stack:
                prelude, body_start = stack.pop()
                nested = any(p.startswith("@") for p, _ in stack)
                if not prelude.startswith("@") and not nested:
                    yield prelude, css[body_start:i]
            start = i + 1


def scrolls_sideways(declarations):
    """Whether declarations give ``overflow-x`` (or ``overflow``) auto or scroll."""
    overflow_x = None
    for declaration in declarations.split(";"):
        name, _, value = declaration.partition(":")
        name = name.strip().lower()
        values = value.replace("!important", "").split()
        if name == "overflow" and values:
            overflow_x = values[0]
        elif name == "overflow-x" and values:
            overflow_x = values[0]
    return overflow_x in ("auto", "scroll")


def scrolling_selectors(css_texts):
    """Elements the stylesheets let scroll sideways: a set of (tag, classes).

    Only the last compound of each selector counts (``div.math mjx-container``
    gives ``("mjx-container", {})``), and only plain compounds: a tag, classes,
    attribute tests; ``tag`` is None for a selector of classes alone.
    """
    found = set()
    for css in css_texts:
        for prelude, declarations in css_rules(css):
            if not scrolls_sideways(declarations):
                continue
            for selector in prelude.split(","):
                compound = re.split(r"\s*[\s>+~]\s*", selector.strip())[-1]
                match = SIMPLE_COMPOUND.match(compound)
                if match is None or not (match["tag"] or match["classes"]):
                    continue
                classes = frozenset(c for c in match["classes"].split(".") if c)
                tag = match["tag"].lower() if match["tag"] else None
                found.add((tag, classes))
    return found


def _matches(selector, element):
    tag, classes = selector
    return (tag is None or tag == element[0]) and classes <= element[1]


def unscrolled_block_problems(page, scrolling):
    """Code and output blocks, tables and display formulas that cannot scroll.

    A block is fine when it, or an element around it within the article (the
    text column), matches one of ``scrolling`` (see scrolling_selectors): the
    theme's page-wide container, which scrolls the whole column, does not
    count. A display formula (``div.math``) is fine when the stylesheets let
    MathJax's ``mjx-container`` scroll.
    """
    problems = []
    for block in page.blocks:
        path = block.path
        starts = [
            i for i, (tag, classes) in enumerate(path)
            if tag == "article" or "bd-article" in classes
        ]  # fmt: skip
        if starts:
            path = path[starts[-1] + 1 :]
        if block.tag == "div":
            path = [*path, ("mjx-container", frozenset())]
        if not any(_matches(s, e) for s in scrolling for e in path):
            problems.append(
                f"{block.describe()} sits in no element that scrolls sideways: "
                "a line wider than the column would be cut off"
            )
    return problems


def site_css(build_dir):
    """The text of every stylesheet of the build."""
    return [
        path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(Path(build_dir).rglob("*.css"))
    ]


# -- The layout pass: the pages as Chromium lays them out --------------------------

LAYOUT_WIDTHS = (1280, 400)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
# The page that the layout pass loads first: it opens each page of the build in
# a frame of the width asked (a frame, not the window: headless Chromium's
# window is at least 500 pixels wide) and measures it.
RUNNER = "/__check_html_layout__.html"
# A screenshot is taken in pieces of at most this height.
SHOT_HEIGHT = 8000

MEASURE_JS = r"""
// Problems of the layout of one page, as Chromium laid it out.
function measure(doc, win) {
  var SKIP = "mjx-assistive-mml";  // MathJax's copy for screen readers, hidden
  function css(el) { return win.getComputedStyle(el); }
  function shown(el) {
    var s = css(el);
    return s.display !== "none" && s.visibility !== "hidden";
  }
  function clips(value) { return value !== "visible"; }
  function describe(el) {
    var name = el.localName + Array.prototype.map.call(
      el.classList, function (c) { return "." + c; }).slice(0, 3).join("");
    var text = (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60);
    return "<" + name + "> " + JSON.stringify(text);
  }
  // The box of what el shows: its text and shown elements; an element that
  // scrolls or hides its own overflow counts by its box (its content is
  // checked when the loop below reaches it).
  function extent(el) {
    var box = {left: Infinity, right: -Infinity, top: Infinity, bottom: -Infinity};
    function add(r) {
      if (r.width === 0 && r.height === 0) return;
      box.left = Math.min(box.left, r.left); box.right = Math.max(box.right, r.right);
      box.top = Math.min(box.top, r.top); box.bottom = Math.max(box.bottom, r.bottom);
    }
    var walker = doc.createTreeWalker(el, 0x5, {acceptNode: function (node) {
      if (node.nodeType !== 1) return 1;
      if (node.localName === SKIP || !shown(node)) return 2;
      var s = css(node);
      if (clips(s.overflowX) || clips(s.overflowY)) {
        add(node.getBoundingClientRect());
        return 2;
      }
      return 1;
    }});
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === 3) {
        if (!node.textContent.trim()) continue;
        var range = doc.createRange();
        range.selectNodeContents(node);
        var rects = range.getClientRects();
        for (var i = 0; i < rects.length; i++) add(rects[i]);
      } else {
        add(node.getBoundingClientRect());
      }
    }
    return box;
  }
  // The box of el with the lines of its own text (a word wider than el
  // spills out of it).
  function reach(el) {
    var r = el.getBoundingClientRect();
    var box = {left: r.left, right: r.right};
    for (var child = el.firstChild; child; child = child.nextSibling) {
      if (child.nodeType !== 3 || !child.textContent.trim()) continue;
      var range = doc.createRange();
      range.selectNodeContents(child);
      var rects = range.getClientRects();
      for (var i = 0; i < rects.length; i++) {
        box.left = Math.min(box.left, rects[i].left);
        box.right = Math.max(box.right, rects[i].right);
      }
    }
    return box;
  }
  var problems = [];
  var article = doc.querySelector("article.bd-article") || doc.querySelector("main")
    || doc.body;
  // The text column: what the article's container shows without scrolling
  // sideways (the theme's container scrolls the whole column: what lies
  // beyond its edge is out of sight), within the window.
  var left = 0, right = doc.documentElement.clientWidth;
  for (var c = article.parentElement; c; c = c.parentElement) {
    if (clips(css(c).overflowX)) {
      var cbox = c.getBoundingClientRect();
      left = Math.max(left, cbox.left + c.clientLeft);
      right = Math.min(right, cbox.left + c.clientLeft + c.clientWidth);
      break;
    }
  }
  left -= 1;
  right += 1;
  var reported = [];
  var all = article.querySelectorAll("*");
  for (var k = 0; k < all.length; k++) {
    var el = all[k];
    var mjx = el.closest("mjx-container");
    if ((mjx && mjx !== el) || el.closest(SKIP) || !shown(el)) continue;
    if (reported.some(function (r) { return r.contains(el); })) continue;
    var r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    var scroller = null;
    for (var p = el.parentElement; p && p !== article; p = p.parentElement) {
      if (clips(css(p).overflowX)) { scroller = p; break; }
    }
    // Text that el scrolls, or hides, is not past the column: see below.
    var b = scroller === null && !clips(css(el).overflowX) ? reach(el) : r;
    if (scroller === null && (b.right > right || b.left < left)) {
      var by = Math.round(Math.max(b.right - right, left - b.left));
      problems.push("reaches " + by + " px past the text column: " + describe(el));
      reported.push(el);
      continue;
    }
    var s = css(el);
    var hidesX = s.overflowX === "hidden" || s.overflowX === "clip";
    var hidesY = s.overflowY === "hidden" || s.overflowY === "clip";
    if (!hidesX && !hidesY) continue;
    var e = extent(el);
    if (e.left === Infinity) continue;
    var cut = [];
    if (hidesX && (e.right > r.right + 1 || e.left < r.left - 1)) {
      cut.push(Math.round(Math.max(e.right - r.right, r.left - e.left)) + " px across");
    }
    if (hidesY && (e.bottom > r.bottom + 1 || e.top < r.top - 1)) {
      cut.push(Math.round(Math.max(e.bottom - r.bottom, r.top - e.top)) + " px down");
    }
    if (cut.length) {
      problems.push(
        "cuts off " + cut.join(" and ") + " of what it shows: " + describe(el));
      reported.push(el);
    }
  }
  return problems;
}
"""

RUNNER_HTML = (
    """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>layout</title>
<style>body { margin: 0; background: #888; } iframe { border: 0; display: block;
background: white; }</style></head>
<body><pre id="layout-report"></pre><script>
"""
    + MEASURE_JS
    + r"""
// The jobs come in the fragment: {"jobs": [{"page", "width"}, ...]} to measure,
// or {"shot": {"page", "width", "height", "offset"}} to show one page whole.
var ORDER = JSON.parse(decodeURIComponent(location.hash.slice(1)));
var WAIT = 30000;
function settle(frame, done) {
  var win = frame.contentWindow, finished = false;
  function go() {
    if (finished) return;
    finished = true;
    setTimeout(done, 100);
  }
  var waits = [];
  if (win.document.fonts) waits.push(win.document.fonts.ready);
  var mj = win.MathJax && win.MathJax.startup && win.MathJax.startup.promise;
  if (mj) waits.push(mj);
  Promise.all(waits).then(go, go);
  setTimeout(go, WAIT);
}
function open(job, height, loaded) {
  var frame = document.createElement("iframe");
  frame.style.width = job.width + "px";
  frame.style.height = height + "px";
  frame.onload = function () { settle(frame, function () { loaded(frame); }); };
  frame.src = job.page;
  document.body.appendChild(frame);
}
var results = [];
function report() {
  document.getElementById("layout-report").textContent = JSON.stringify(results);
}
function next(i) {
  if (i >= ORDER.jobs.length) { report(); return; }
  var job = ORDER.jobs[i];
  open(job, 800, function (frame) {
    var doc = frame.contentWindow.document;
    // As tall as the page: no scroll bar takes from the width.
    frame.style.height = doc.documentElement.scrollHeight + "px";
    setTimeout(function () {
      var problems;
      try { problems = measure(doc, frame.contentWindow); }
      catch (error) { problems = ["the layout pass failed: " + error]; }
      results.push({page: job.page, width: job.width,
                    height: doc.documentElement.scrollHeight, problems: problems});
      frame.remove();
      report();
      next(i + 1);
    }, 100);
  });
}
if (ORDER.jobs) {
  next(0);
} else {
  var shot = ORDER.shot;
  document.body.removeChild(document.getElementById("layout-report"));
  open(shot, shot.height, function (frame) {
    frame.style.marginTop = -shot.offset + "px";
  });
}
</script></body></html>
"""
)


def find_chromium():
    """The path of a Chromium binary: ``$CHROMIUM``, else the first on PATH."""
    named = os.environ.get("CHROMIUM")
    for name in [named] if named else CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the build, and the runner page of the layout pass."""

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if urlsplit(self.path).path == RUNNER:
            body = RUNNER_HTML.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().do_GET()


class _Server:
    """The build served on a free port of 127.0.0.1, for as long as it is used."""

    def __init__(self, build_dir):
        handler = functools.partial(_Handler, directory=str(build_dir))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _chromium(chromium, url, width, height, profile, extra, timeout):
    """Run headless Chromium on ``url``; return its standard output."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        # Virtual time runs ahead when nothing is loading: the pages are
        # measured as soon as they are ready, and Chromium exits at the end.
        "--virtual-time-budget=3600000",
        *extra,
        url,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False
    )
    return result.stdout


def layout_problems(
    build_dir, pages, chromium, widths=LAYOUT_WIDTHS, screenshots=None, timeout=900
):
    """Lay out every page in headless Chromium at each width and measure it.

    Returns ``{page: [problems]}``. With ``screenshots`` (a folder), also saves
    ``<page>.<width>px.png`` of each page whole (``.2.png`` and so on for the
    pieces of a long page).
    """
    jobs = [{"page": page, "width": width} for page in pages for width in widths]
    report = {}
    with _Server(build_dir) as server, tempfile.TemporaryDirectory() as profile:
        url = f"{server.url}{RUNNER}#{quote(json.dumps({'jobs': jobs}))}"
        out = _chromium(
            chromium, url, max(widths) + 100, 1000, profile, ["--dump-dom"], timeout
        )
        match = re.search(r'<pre id="layout-report">(.*?)</pre>', out, re.DOTALL)
        results = json.loads(html_lib.unescape(match.group(1))) if match else []
        if not results and match is None:
            return {"(layout pass)": ["Chromium returned no report"]}
        done = {(r["page"], r["width"]): r for r in results}
        for job in jobs:
            result = done.get((job["page"], job["width"]))
            if result is None:
                problems = ["the layout pass did not reach this page"]
            else:
                problems = result["problems"]
            for problem in problems:
                report.setdefault(job["page"], []).append(
                    f"at {job['width']} px: {problem}"
                )
        if screenshots is not None:
            for (page, width), result in sorted(done.items()):
                _screenshots(server, chromium, profile, result, screenshots, timeout)
    return report


def _screenshots(server, chromium, profile, result, folder, timeout):
    """Save the screenshots of one measured page, in pieces of SHOT_HEIGHT."""
    page, width, height = result["page"], result["width"], result["height"]
    stem = Path(folder) / f"{page.replace('/', '_').removesuffix('.html')}.{width}px"
    stem.parent.mkdir(parents=True, exist_ok=True)
    for piece, offset in enumerate(range(0, max(height, 1), SHOT_HEIGHT), start=1):
        shot = {"page": page, "width": width, "height": height, "offset": offset}
        url = f"{server.url}{RUNNER}#{quote(json.dumps({'shot': shot}))}"
        name = f"{stem}.png" if piece == 1 else f"{stem}.{piece}.png"
        window = (max(width, 500), min(SHOT_HEIGHT, height - offset))
        _chromium(chromium, url, *window, profile, [f"--screenshot={name}"], timeout)


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
    """Run every check of the HTML on a build; return {page name: [problems]}."""
    build_dir = Path(build_dir)
    report = {}
    pages = html_pages(build_dir)
    if not pages:
        return {str(build_dir): ["no HTML page: build the docs first"]}
    parsed = {}

    def parse(path):
        path = Path(path).resolve()
        if path not in parsed:
            parsed[path] = Page(path.read_text(encoding="utf-8", errors="replace"))
        return parsed[path]

    scrolling = scrolling_selectors(site_css(build_dir))
    for path in pages:
        name = path.relative_to(build_dir).as_posix()
        html = path.read_text(encoding="utf-8")
        page = parse(path)
        problems = external_link_problems(page, sites)
        problems += mathjax_problems(page, path, build_dir)
        problems += remote_resource_problems(page, html)
        problems += markdown_problems(page)
        problems += internal_link_problems(
            page, path, build_dir, lambda target: parse(target).ids
        )
        own = scrolling_selectors([page.styles]) if page.styles else set()
        problems += unscrolled_block_problems(page, scrolling | own)
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


def print_report(build_dir, report):
    print(f"The built documentation in {build_dir} has problems:")
    for name, problems in sorted(report.items()):
        for problem in problems:
            print(f"  {name}: {problem}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "build_dir",
        nargs="?",
        default=str(DOCS / "_build" / "html"),
        help="the HTML build to check (default: docs/_build/html)",
    )
    parser.add_argument(
        "--no-layout",
        action="store_true",
        help="skip the layout pass in headless Chromium",
    )
    parser.add_argument(
        "--screenshots",
        metavar="DIR",
        help="save screenshots of every page at each width of the layout pass",
    )
    args = parser.parse_args(argv)
    sites = read_sites()
    report = check_build(args.build_dir, sites)
    pages = html_pages(args.build_dir)
    layout_note = None
    if not args.no_layout and pages:
        chromium = find_chromium()
        if chromium is None:
            layout_note = (
                "Layout pass skipped: no Chromium binary found "
                f"({', '.join(CHROMIUM_NAMES)}, or $CHROMIUM)."
            )
        else:
            names = [path.relative_to(args.build_dir).as_posix() for path in pages]
            layout = layout_problems(
                args.build_dir, names, chromium, screenshots=args.screenshots
            )
            for name, problems in layout.items():
                report.setdefault(name, []).extend(problems)
            widths = " and ".join(f"{width} px" for width in LAYOUT_WIDTHS)
            saved = f"; screenshots in {args.screenshots}" if args.screenshots else ""
            layout_note = (
                f"Layout pass ({chromium}): every page at {widths}, nothing past "
                f"the text column, nothing cut off{saved}."
            )
    if report:
        print_report(args.build_dir, report)
        return 1
    api = Page((Path(args.build_dir) / API_PAGE).read_text(encoding="utf-8"))
    counts = project_link_counts(api, sites)
    print(
        f"{len(pages)} pages checked: links into other projects' sites, MathJax "
        "served locally, no CDN, navbar, no Markdown as text, links within the "
        f"site, blocks that scroll. {API_PAGE} links {sum(counts.values())} times "
        f"into {', '.join(sorted(counts))}."
    )
    if layout_note:
        print(layout_note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
