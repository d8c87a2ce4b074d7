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
        '<script defer src="_static/mathjax/tex-chtml.js"></script></head>'
        f"<body>{navbar(REQUIRED)}{MATH}</body></html>"
    )
    # Copies of sources and static files are not pages.
    (build / "_static" / "page.html").write_text(
        '<script src="https://cdnjs.x"></script>'
    )


def test_main_passes_on_a_good_build(build, monkeypatch, capsys):
    monkeypatch.setattr(check_html, "read_sites", lambda: SITES)
    write_site(build)
    assert check_html.main([str(build)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 pages checked")
    assert "links 40 times into numpy, pandas, python, sklearn" in out


def test_main_fails_and_says_why(build, monkeypatch, capsys):
    monkeypatch.setattr(check_html, "read_sites", lambda: SITES)
    write_site(build, api_links=4)
    index = build / "index.html"
    index.write_text(index.read_text().replace("tex-chtml.js", "tex-mml-chtml.js"))
    assert check_html.main([str(build)]) == 1
    out = capsys.readouterr().out
    assert "has problems" in out
    assert f"{check_html.API_PAGE}: 4 links into other projects' docs" in out
    assert "index.html: loads MathJax from '_static/mathjax/tex-mml-chtml.js'" in out


def test_main_fails_without_a_build(tmp_path, capsys):
    assert check_html.main([str(tmp_path)]) == 1
    assert "build the docs first" in capsys.readouterr().out


def test_the_sites_are_those_of_the_inventories():
    sites = check_html.read_sites()
    assert {"python", "numpy", "sklearn", "pandas", "matplotlib", "dask"} <= set(sites)
    assert all(url.startswith("https://") for url in sites.values())
