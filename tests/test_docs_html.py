# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Tests of docs/check_html.py, the checks of the built documentation.

The checks themselves run on the real build in .ci/run, after sphinx-build:
the HTML does not exist before. Here each check runs on small pages written for
it, so that a check that passes everything (or nothing) is caught in the
ordinary test run, without building the docs.
"""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_html = _load("check_html")
Page = check_html.Page

SITES = {
    "python": "https://docs.python.org/3",
    "numpy": "https://numpy.org/doc/stable",
    "sklearn": "https://scikit-learn.org/stable",
    "pandas": "https://pandas.pydata.org/docs",
}


def intersphinx_link(href, project="NumPy v2.4", text="ndarray"):
    title = f"(in {project})"
    return f'<a class="reference external" href="{href}" title="{title}">{text}</a>'


def navbar(direct, dropdown=()):
    """A pydata-sphinx-theme navbar: links, then a "More" dropdown."""
    items = "".join(
        f'<li class="nav-item"><a class="nav-link" href="{h}">{h}</a></li>'
        for h in direct
    )
    more = "".join(
        f'<li><a class="nav-link dropdown-item" href="{h}">{h}</a></li>'
        for h in dropdown
    )
    return (
        '<nav><ul class="bd-navbar-elements navbar-nav">'
        f"{items}"
        '<li class="nav-item dropdown"><button class="dropdown-toggle">More</button>'
        f'<ul class="dropdown-menu">{more}</ul></li>'
        "</ul></nav>"
    )


# -- Page ----------------------------------------------------------------------


def test_page_collects_links_resources_text_and_math():
    page = Page(
        "<html><head>"
        '<script src="_static/x.js"></script><link rel="stylesheet" href="a.css"/>'
        '<link rel="canonical" href="https://example.org/page.html"/>'
        "<style>p { color: red }</style></head><body>"
        '<p>See <a href="https://numpy.org/doc/stable/x.html">x</a>.</p>'
        '<img src="_images/fig.png"><br>'
        '<span class="math notranslate">\\(a\\)</span>'
        "<script>var s = 'python:float';</script>"
        "</body></html>"
    )
    assert [a["href"] for a in page.anchors] == ["https://numpy.org/doc/stable/x.html"]
    # The canonical link names a page; it loads nothing.
    assert page.resources == [
        ("script", "_static/x.js"),
        ("link", "a.css"),
        ("img", "_images/fig.png"),
    ]
    assert "See x." in page.text
    assert "python:float" not in page.text
    assert "color" not in page.text
    assert page.has_math


def test_page_tells_navbar_links_from_dropdown_links():
    page = Page(navbar(["user_guide.html"], ["api.html"]))
    assert page.navbars == [[("user_guide.html", False), ("api.html", True)]]


# -- Links into other projects --------------------------------------------------


def test_intersphinx_links_under_the_sites_pass():
    page = Page(
        intersphinx_link("https://numpy.org/doc/stable/reference/generated/x.html#x")
        + '<a class="reference external" href="https://keepachangelog.com/">kac</a>'
    )
    assert check_html.external_link_problems(page, SITES) == []


@pytest.mark.parametrize(
    "href",
    [
        "_inventories/numpy.inv/reference/generated/numpy.ndarray.html",
        "file:///usr/share/doc/python-numpy/html/reference/index.html",
        "https://numpy.org/devdocs/reference/index.html",
        "reference/generated/numpy.ndarray.html",
    ],
)
def test_intersphinx_links_elsewhere_fail(href):
    problems = check_html.external_link_problems(Page(intersphinx_link(href)), SITES)
    assert len(problems) >= 1
    assert href in problems[0]


def test_gallery_code_links_are_checked_but_not_those_to_this_package():
    own = (
        '<a class="sphx-glr-backref-module-sklearn_quadneuron reference internal" '
        'href="../generated/x.html" title="x">x</a>'
    )
    numpy_ok = (
        '<a class="sphx-glr-backref-module-numpy reference external" '
        'href="https://numpy.org/doc/stable/x.html" title="numpy.x">x</a>'
    )
    numpy_bad = (
        '<a class="sphx-glr-backref-module-numpy reference external" '
        'href="https://example.org/numpy/x.html" title="numpy.x">x</a>'
    )
    assert check_html.external_link_problems(Page(own + numpy_ok), SITES) == []
    assert len(check_html.external_link_problems(Page(numpy_bad), SITES)) == 1


def test_api_page_needs_enough_links_to_each_project():
    links = [
        intersphinx_link(f"{site}/page.html", project=key)
        for key, site in SITES.items()
        for _ in range(10)
    ]
    assert check_html.api_page_problems(Page("".join(links)), SITES, minimum=40) == []

    problems = check_html.api_page_problems(Page("".join(links)), SITES, minimum=41)
    assert problems == [
        "40 links into other projects' docs, expected at least 41"
        " (are the inventories in docs/_inventories/ found?)"
    ]

    without_pandas = "".join(link for link in links if "pandas" not in link)
    problems = check_html.api_page_problems(Page(without_pandas), SITES, minimum=1)
    assert problems == ["no link into pandas's docs (https://pandas.pydata.org/docs)"]


# -- Role prefixes ---------------------------------------------------------------


def test_role_prefixes_in_the_text_are_found():
    page = Page(
        '<dt>x : <code class="xref py py-class">python:float</code> or '
        '<span class="xref std std-term">numpy:array_like</span></dt>'
    )
    problems = check_html.role_prefix_problems(page, list(SITES))
    assert problems == [
        "shows 'numpy:array_like': an unresolved reference",
        "shows 'python:float': an unresolved reference",
    ]


def test_role_prefixes_outside_the_text_are_not_problems():
    page = Page(
        '<a href="https://docs.python.org/3/x.html" title="python:float">float</a>'
        "<script>const role = 'python:float';</script><p>Run python: it works.</p>"
    )
    assert check_html.role_prefix_problems(page, list(SITES)) == []


# -- MathJax and remote resources -------------------------------------------------


@pytest.fixture
def build(tmp_path):
    """A build folder with MathJax in _static/mathjax/."""
    mathjax = tmp_path / "_static" / "mathjax" / "tex-chtml.js"
    mathjax.parent.mkdir(parents=True)
    mathjax.write_text("// MathJax")
    return tmp_path


MATH = '<div class="math notranslate nohighlight">\\[a x^2\\]</div>'


def test_local_mathjax_passes(build):
    script = '<script defer src="../_static/mathjax/tex-chtml.js?v=1"></script>'
    page = Page(script + MATH)
    path = build / "generated" / "page.html"
    assert check_html.mathjax_problems(page, path, build) == []


@pytest.mark.parametrize(
    "src, message",
    [
        ("_static/mathjax/tex-mml-chtml.js", "not in the build"),
        ("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js", "not from the"),
        ("../../outside/mathjax.js", "not in the build"),
    ],
)
def test_mathjax_elsewhere_fails(build, src, message):
    page = Page(f'<script src="{src}"></script>{MATH}')
    problems = check_html.mathjax_problems(page, build / "index.html", build)
    assert len(problems) == 1
    assert message in problems[0]


def test_formulas_without_mathjax_fail(build):
    problems = check_html.mathjax_problems(Page(MATH), build / "index.html", build)
    assert problems == ["has formulas but loads no MathJax"]
    assert check_html.mathjax_problems(Page("<p>x</p>"), build / "a.html", build) == []


def test_remote_resources_and_cdns_fail():
    html = (
        '<script src="https://code.jquery.com/jquery.js"></script>'
        '<link rel="stylesheet" href="//fonts.example.org/font.css"/>'
        "<style>@import url('https://unpkg.com/x.css');</style>"
    )
    problems = check_html.remote_resource_problems(Page(html), html)
    assert problems == [
        "loads <script> from 'https://code.jquery.com/jquery.js'",
        "loads <link> from '//fonts.example.org/font.css'",
        "mentions the CDN 'unpkg.com'",
    ]
    local = '<script src="_static/x.js"></script>'
    assert check_html.remote_resource_problems(Page(local), local) == []


# -- Navbar ----------------------------------------------------------------------

REQUIRED = ["user_guide.html", "api.html", "auto_examples/index.html"]


def test_navbar_with_direct_links_passes():
    page = Page(navbar(["quickstart.html", *REQUIRED], ["changelog.html"]))
    assert check_html.navbar_problems(page) == []


def test_navbar_hiding_a_page_under_more_fails():
    page = Page(navbar(["quickstart.html", "user_guide.html"], REQUIRED[1:]))
    assert check_html.navbar_problems(page) == [
        "navbar hides API reference (api.html) under its dropdown menu",
        "navbar hides Examples (auto_examples/index.html) under its dropdown menu",
    ]


def test_navbar_missing_a_page_or_missing_fails():
    page = Page(navbar(REQUIRED[:2]))
    assert check_html.navbar_problems(page) == [
        "navbar has no link to Examples (auto_examples/index.html)"
    ]
    assert check_html.navbar_problems(Page("<p>no navbar</p>")) == [
        "has no navbar (<ul class='navbar-nav'>)"
    ]


def test_only_the_first_navbar_counts():
    # The theme repeats the links, all direct, in the sidebar for small screens.
    page = Page(navbar(["quickstart.html"], REQUIRED) + navbar(REQUIRED))
    assert len(check_html.navbar_problems(page)) == 3


# -- Markdown shown as text ---------------------------------------------------------


def test_markdown_included_as_a_literal_block_is_found():
    page = Page(
        "<pre># Benchmark: Dask\n\n## Lazy data, 10,000,000 rows\n\n"
        "| method | time |\n|---|---|\n| fit | 848 ms |\n"
        "```python\nfit()\n```</pre>"
    )
    assert check_html.markdown_problems(page) == [
        "shows a Markdown heading as text: '## Lazy data, 10,000,000 rows'",
        "shows a Markdown table rule as text: '|---|---|'",
        "shows a Markdown code fence as text: '```python'",
        "shows a Markdown code fence as text: '```'",
    ]


def test_markdown_links_and_bold_in_the_prose_are_found():
    page = Page(
        "<p>See [the guide](user_guide.html) and **this**.</p>"
        "<p>[more](https://example.org/x)</p>"
    )
    assert check_html.markdown_problems(page) == [
        "shows a Markdown link as text: '[the guide](user_guide.html)'",
        "shows a Markdown link as text: '[more](https://example.org/x)'",
        "shows Markdown bold as text: '**this**'",
    ]


def test_code_and_rendered_markdown_are_not_markdown_problems():
    page = Page(
        "<pre># Authors: The sklearn-quadneuron developers\n"
        "y = 10 * X[:, 0] ** 2 + 5 * X[:, 0] ** 1\n"
        "model.fit(X, y)  # [a, b](c)</pre>"
        "<p><code>x**2 + y**2</code> <strong>bold</strong> "
        '<a href="user_guide.html">the guide</a></p>'
        "<p>ndarray[float64](2,) and the interval [0, 1](open)</p>"
        "<h2>Results</h2><table><tr><td>---</td><td>---</td></tr></table>"
    )
    assert check_html.markdown_problems(page) == []


# -- Links within the site --------------------------------------------------------


@pytest.fixture
def site(tmp_path):
    """A build of two pages, a download and an image."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "_downloads").mkdir()
    (tmp_path / "_downloads" / "plot_x.py").write_text("print(1)")
    (tmp_path / "api.html").write_text(
        '<section id="module-x"><h2 id="api">API</h2><a name="old"></a></section>'
    )
    return tmp_path


def link_problems(site, html, name="sub/page.html"):
    path = site / name
    path.write_text(html)
    return check_html.internal_link_problems(
        Page(html), path, site, lambda target: Page(target.read_text()).ids
    )


def test_links_to_pages_anchors_and_files_of_the_build_pass(site):
    html = (
        '<p id="here"><a href="../api.html#module-x">x</a>'
        '<a href="../api.html">api</a><a href="../api.html#old">old</a>'
        '<a href="#here">here</a><a href="#">top</a>'
        '<a href="../_downloads/plot_x.py">download</a>'
        '<a href="https://example.org/missing.html#nowhere">out</a>'
        '<a href="mailto:dev@example.org">mail</a></p>'
    )
    assert link_problems(site, html) == []


def test_links_to_missing_pages_files_and_anchors_fail(site):
    html = (
        '<a href="../api.html#module-x.plotting">plotting</a>'
        '<a href="../missing.html">missing</a>'
        '<a href="#nowhere">nowhere</a>'
        '<a href="../../outside.html">outside</a>'
        '<img src="../_images/missing.png">'
    )
    assert link_problems(site, html) == [
        "links to '../api.html#module-x.plotting', but api.html has no element "
        "with the id 'module-x.plotting'",
        "links to '../missing.html', which is not a file of the build",
        "links to '#nowhere', but sub/page.html has no element with the id 'nowhere'",
        "links to '../../outside.html', which is not a file of the build",
        "loads <img> '../_images/missing.png', which is not a file of the build",
    ]


# -- Blocks that scroll sideways --------------------------------------------------

CSS = """
/* pre { overflow: visible } in a comment does not count */
pre{display:block;font-size:.875em;overflow:auto}
.pst-scrollable-table-container{overflow-x:auto}
div.math mjx-container[display="true"] { overflow: auto hidden; }
div.output_subarea.output_html, .other > .wide { overflow-x: scroll !important; }
@media (max-width: 500px) { .narrow-only { overflow-x: auto } }
a:hover { overflow: auto }
.hidden { overflow: hidden }
.bd-main .bd-content .bd-article-container { overflow-x: auto }
"""


def test_scrolling_selectors_read_the_rules_that_scroll_sideways():
    assert check_html.scrolling_selectors([CSS]) == {
        ("pre", frozenset()),
        (None, frozenset({"pst-scrollable-table-container"})),
        ("mjx-container", frozenset()),
        ("div", frozenset({"output_subarea", "output_html"})),
        (None, frozenset({"wide"})),
        (None, frozenset({"bd-article-container"})),
    }


SCROLLING = check_html.scrolling_selectors([CSS])


def article(body):
    return (
        '<div class="bd-article-container"><article class="bd-article">'
        f"{body}</article></div>"
    )


def test_blocks_in_scrolling_elements_pass():
    page = Page(
        article(
            "<pre>code</pre>"
            '<div class="pst-scrollable-table-container"><table><tr><td>1</td>'
            "</tr></table></div>"
            '<div class="output_subarea output_html"><div><table class="dataframe">'
            "<tr><td>1</td></tr></table></div></div>"
            '<div class="math notranslate">\\[a x^2\\]</div>'
        )
    )
    assert len(page.blocks) == 4
    assert check_html.unscrolled_block_problems(page, SCROLLING) == []


def test_blocks_outside_scrolling_elements_fail():
    page = Page(
        article(
            '<div class="output_subarea"><table class="dataframe"><tr><td>nobs</td>'
            "</tr></table></div>"
        )
    )
    # The theme's container scrolls the whole column: that does not count.
    assert check_html.unscrolled_block_problems(page, SCROLLING) == [
        "<table.dataframe> 'nobs' sits in no element that scrolls sideways: a line "
        "wider than the column would be cut off"
    ]
    math = Page(article('<div class="math">\\[x\\]</div>'))
    without_mathjax = SCROLLING - {("mjx-container", frozenset())}
    assert len(check_html.unscrolled_block_problems(math, without_mathjax)) == 1
    pre = Page(article("<pre>code</pre>"))
    assert len(check_html.unscrolled_block_problems(pre, set())) == 1


def test_the_site_stylesheet_lets_outputs_index_tables_and_formulas_scroll():
    css = (ROOT / "docs" / "_static" / "quadneuron.css").read_text()
    assert {
        ("div", frozenset({"output_subarea", "output_html"})),
        ("table", frozenset({"indextable"})),
        ("mjx-container", frozenset()),
    } <= check_html.scrolling_selectors([css])


# -- The layout pass ----------------------------------------------------------------

CHROMIUM = check_html.find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary")


def test_find_chromium_takes_the_binary_named_by_chromium(monkeypatch, tmp_path):
    binary = tmp_path / "my-chromium"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(binary))
    assert check_html.find_chromium() == str(binary)
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "absent"))
    assert check_html.find_chromium() is None


LAYOUT_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body { margin: 0; font: 16px/1.5 sans-serif; }
.bd-article-container { overflow-x: auto; padding: 16px; }
.scroll { overflow-x: auto; }
.clip { display: inline-block; width: 60px; overflow: hidden; white-space: nowrap; }
table { border-collapse: collapse; } td { padding: 0 4px; white-space: nowrap; }
</style></head><body><div class="bd-article-container"><article class="bd-article">
<h1>{heading}</h1>
<p>A paragraph of ordinary words wraps at any width.</p>
<div class="scroll"><table><tr>{cells}</tr></table></div>
{extra}
</article></div></body></html>"""


def layout_site(tmp_path, heading="Title", extra=""):
    tmp_path.mkdir(exist_ok=True)
    cells = "".join(f"<td>column{i}</td>" for i in range(8))
    page = LAYOUT_PAGE.replace("{heading}", heading).replace("{cells}", cells)
    (tmp_path / "page.html").write_text(page.replace("{extra}", extra))
    return tmp_path


@needs_chromium
def test_layout_pass_passes_a_page_whose_wide_table_scrolls(tmp_path):
    site = layout_site(tmp_path)
    assert check_html.layout_problems(site, ["page.html"], CHROMIUM) == {}


@needs_chromium
def test_layout_pass_finds_what_reaches_past_the_column_or_is_cut_off(tmp_path):
    cells = "".join(f"<td>column{i}</td>" for i in range(8))
    site = layout_site(
        tmp_path,
        heading="Quadratic" * 4,
        extra=(
            f"<table><tr>{cells}</tr></table>"
            '<p>A formula: <span class="clip">a x^2 + b x + c + d + e</span></p>'
        ),
    )
    report = check_html.layout_problems(site, ["page.html"], CHROMIUM)
    problems = report["page.html"]
    # The table (8 columns, about 700 px) fits at 1280 px, not at 400.
    assert [p for p in problems if "<table>" in p] == [
        p for p in problems if p.startswith("at 400 px: reaches") and "<table>" in p
    ]
    assert len([p for p in problems if "<table>" in p]) == 1
    # The heading is one word of 36 letters: wider than 400 px.
    assert any(p.startswith("at 400 px: reaches") and "<h1>" in p for p in problems)
    # The span hides most of its text at both widths.
    for width in (1280, 400):
        assert any(
            p.startswith(f"at {width} px: cuts off") and "px across" in p
            and "<span.clip>" in p
            for p in problems
        )  # fmt: skip


@needs_chromium
def test_layout_pass_saves_screenshots(tmp_path):
    site = layout_site(tmp_path / "site")
    shots = tmp_path / "shots"
    report = check_html.layout_problems(
        site, ["page.html"], CHROMIUM, widths=(400,), screenshots=shots
    )
    assert report == {}
    png = (shots / "page.400px.png").read_bytes()
    assert png.startswith(b"\x89PNG")


# -- The whole script ---------------------------------------------------------------


def write_site(build, api_links=40):
    """A small build that passes every check."""
    (build / "generated").mkdir()
    links = "".join(
        intersphinx_link(f"{site}/x.html", project=key)
        for _ in range(api_links // len(SITES))
        for key, site in SITES.items()
    )
    (build / check_html.API_PAGE).write_text(
        f"<html><body><dl><dt>X : {links}</dt></dl></body></html>"
    )
    (build / "index.html").write_text(
        "<html><head>"
        '<script defer src="_static/mathjax/tex-chtml.js"></script>'
        '<link rel="stylesheet" href="_static/site.css"/></head>'
        f"<body>{navbar(REQUIRED)}{MATH}</body></html>"
    )
    (build / "_static" / "site.css").write_text(
        "div.math mjx-container { overflow-x: auto }"
    )
    for name in REQUIRED:
        (build / name).parent.mkdir(exist_ok=True)
        (build / name).write_text("<html><body><p>A page.</p></body></html>")
    # Copies of sources and static files are not pages.
    (build / "_static" / "page.html").write_text(
        '<script src="https://cdnjs.x"></script>'
    )


def test_main_passes_on_a_good_build(build, monkeypatch, capsys):
    monkeypatch.setattr(check_html, "read_sites", lambda: SITES)
    monkeypatch.setattr(check_html, "find_chromium", lambda: None)
    write_site(build)
    assert check_html.main([str(build)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("5 pages checked")
    assert "links 40 times into numpy, pandas, python, sklearn" in out
    # Without Chromium the layout pass is skipped, and says so.
    assert out.splitlines()[-1].startswith(
        "Layout pass skipped: no Chromium binary found"
    )


def test_main_runs_the_layout_pass_where_chromium_is(build, monkeypatch, capsys):
    monkeypatch.setattr(check_html, "read_sites", lambda: SITES)
    monkeypatch.setattr(check_html, "find_chromium", lambda: "/usr/bin/chromium")
    calls = []

    def layout_problems(build_dir, pages, chromium, screenshots=None):
        calls.append((pages, chromium, screenshots))
        return {"index.html": ["at 400 px: reaches 9 px past the text column: <p>"]}

    monkeypatch.setattr(check_html, "layout_problems", layout_problems)
    write_site(build)
    assert check_html.main([str(build), "--screenshots", "shots"]) == 1
    pages = [
        "api.html",
        "auto_examples/index.html",
        check_html.API_PAGE,
        "index.html",
        "user_guide.html",
    ]
    assert calls == [(pages, "/usr/bin/chromium", "shots")]
    out = capsys.readouterr().out
    assert "index.html: at 400 px: reaches 9 px past the text column" in out
    # --no-layout skips it.
    calls.clear()
    assert check_html.main([str(build), "--no-layout"]) == 0
    assert calls == []
    assert "Layout pass" not in capsys.readouterr().out


def test_main_fails_and_says_why(build, monkeypatch, capsys):
    monkeypatch.setattr(check_html, "read_sites", lambda: SITES)
    monkeypatch.setattr(check_html, "find_chromium", lambda: None)
    write_site(build, api_links=4)
    index = build / "index.html"
    index.write_text(index.read_text().replace("tex-chtml.js", "tex-mml-chtml.js"))
    assert check_html.main([str(build)]) == 1
    out = capsys.readouterr().out
    assert "has problems" in out
    assert f"{check_html.API_PAGE}: 4 links into other projects' docs" in out
    assert "index.html: loads MathJax from '_static/mathjax/tex-mml-chtml.js'" in out


def test_main_fails_without_a_build(tmp_path, capsys):
    assert check_html.main([str(tmp_path), "--no-layout"]) == 1
    assert "build the docs first" in capsys.readouterr().out


def test_the_sites_are_those_of_the_inventories():
    sites = check_html.read_sites()
    assert {"python", "numpy", "sklearn", "pandas", "matplotlib", "dask"} <= set(sites)
    assert all(url.startswith("https://") for url in sites.values())
