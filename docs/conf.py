# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Sphinx configuration of the sklearn-quadneuron documentation.

Build from the repository root with::

    sphinx-build -W --keep-going -b html docs docs/_build/html
    python docs/check_html.py docs/_build/html

Neither the build nor the built site needs a network: the links to Python,
NumPy, scikit-learn, pandas, Matplotlib and Dask are resolved from the
inventories kept in ``_inventories/`` (refreshed by
``python docs/update_inventories.py``), and the formulas are typeset by the copy
of MathJax in ``_static/mathjax/`` (``python docs/update_mathjax.py``).
``docs/contributing.rst`` tells the whole story.
"""

import os
import sys
import tomllib
import warnings
from pathlib import Path

# The gallery runs its examples without a display.
import matplotlib

matplotlib.use("Agg")

import sklearn_quadneuron  # noqa: E402

DOCS = Path(__file__).resolve().parent
# The extensions of this site (_ext/docs_run.py).
sys.path.insert(0, str(DOCS / "_ext"))

# -- Project -------------------------------------------------------------------

project = "sklearn-quadneuron"
author = "The sklearn-quadneuron developers"
copyright = "The sklearn-quadneuron developers"
version = sklearn_quadneuron.__version__
release = version

# -- General -------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    # Only to include the top-level CHANGELOG.md (changelog.rst).
    "myst_parser",
    # command-output and run-python: the quickstart's and the troubleshooting
    # page's commands run at build time, and the pages show what they print.
    "docs_run",
]

templates_path = ["_templates"]
# "equation()", not "QuadraticGDRegressor.equation()", in the contents of an API
# page: the long names overflowed the right sidebar.
toc_object_entries_show_parents = "hide"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "examples/README.rst"]
# numpydoc docstrings write `name` for code, as scikit-learn does.
default_role = "literal"

autosummary_generate = True
autodoc_default_options = {"members": True}
# Keep the signatures as written: defaults such as "auto" stay readable.
autodoc_preserve_defaults = True

# autosummary lists the members of classes (see _templates/autosummary/class.rst):
# numpydoc's own member tables would repeat them.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# Types in the Parameters sections become links. numpydoc's built-in aliases
# write `python:float`, `numpy:array_like`, ...: the inventory prefix shows as
# text wherever the title is implicit, so every alias here names its title.
# array-like and the other scikit-learn words go to scikit-learn's glossary,
# as in scikit-learn's own API pages.
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    # Python
    "None": ":data:`None <python:None>`",
    "True": ":data:`True <python:True>`",
    "False": ":data:`False <python:False>`",
    "bool": ":class:`bool <python:bool>`",
    "int": ":class:`int <python:int>`",
    "float": ":class:`float <python:float>`",
    "str": ":class:`str <python:str>`",
    "list": ":class:`list <python:list>`",
    "tuple": ":class:`tuple <python:tuple>`",
    "dict": ":class:`dict <python:dict>`",
    "callable": ":func:`callable <python:callable>`",
    "iterable": ":term:`iterable <python:iterable>`",
    "path-like": ":term:`path-like <python:path-like object>`",
    # NumPy
    "ndarray": ":class:`ndarray <numpy.ndarray>`",
    "array_like": ":term:`array_like <numpy:array_like>`",
    "RandomState": ":class:`RandomState <numpy.random.RandomState>`",
    "Generator": ":class:`Generator <numpy.random.Generator>`",
    "Polynomial": ":class:`Polynomial <numpy.polynomial.polynomial.Polynomial>`",
    # scikit-learn
    "array-like": ":term:`array-like <sklearn:array-like>`",
    "estimator": ":term:`estimator <sklearn:estimator>`",
    "callback": ":term:`callback <sklearn:callback>`",
    "MetadataRequest": (
        ":class:`MetadataRequest <sklearn.utils.metadata_routing.MetadataRequest>`"
    ),
    # pandas
    "DataFrame": ":class:`DataFrame <pandas.DataFrame>`",
    "Series": ":class:`Series <pandas.Series>`",
    # Matplotlib
    "Axes": ":class:`Axes <matplotlib.axes.Axes>`",
    "Figure": ":class:`Figure <matplotlib.figure.Figure>`",
    "Line2D": ":class:`Line2D <matplotlib.lines.Line2D>`",
    "PathCollection": ":class:`PathCollection <matplotlib.collections.PathCollection>`",
    "QuadContourSet": ":class:`QuadContourSet <matplotlib.contour.QuadContourSet>`",
    "Poly3DCollection": (
        ":class:`Poly3DCollection <mpl_toolkits.mplot3d.art3d.Poly3DCollection>`"
    ),
    "Colorbar": ":class:`Colorbar <matplotlib.colorbar.Colorbar>`",
    # This package
    "QuadraticGDRegressor": ":class:`~sklearn_quadneuron.QuadraticGDRegressor`",
    # Dask
    "dask.array.Array": ":class:`dask.array.Array <dask.array.Array>`",
}
# Words of the type descriptions that name no object (numpydoc would try to
# link them; unresolved, they would show as code).
numpydoc_xref_ignore = {
    "of",
    "or",
    "and",
    "to",
    "two",
    "pairs",
    "length",
    "min",
    "max",
    "shape",
    "default",
    "optional",
    "instance",
    "instances",
    "object",
    "objects",
    "n_samples",
    "n_features",
    "n_targets",
    "n_iter_",
    "n_features_in_",
    "n_outputs",
    "n_params",
    "n_epochs",
    "n_steps",
    "n_grid_x",
    "n_grid_y",
    "coef",
    "intercept",
}

# -- Cross-references to other projects ---------------------------------------

# Each project's inventory is kept in _inventories/ so that the build needs no
# network; inventories.toml records the site each links to, and where and when
# the file was taken (python docs/update_inventories.py refreshes both).
with open(DOCS / "_inventories" / "inventories.toml", "rb") as _f:
    _INVENTORIES = tomllib.load(_f)
intersphinx_mapping = {
    name: (entry["url"], f"_inventories/{name}.inv")
    for name, entry in _INVENTORIES.items()
}

# Public names that a project's inventory lists under another path: NumPy
# documents Polynomial only as numpy.polynomial.polynomial.Polynomial.
REFERENCE_ALIASES = {
    "numpy.polynomial.Polynomial": "numpy.polynomial.polynomial.Polynomial",
}


def _resolve_alias(app, env, node, contnode):
    """Resolve a name of REFERENCE_ALIASES through its documented path."""
    target = REFERENCE_ALIASES.get(node.get("reftarget"))
    if target is None:
        return None
    from sphinx.ext.intersphinx import missing_reference

    aliased = node.deepcopy()
    aliased["reftarget"] = target
    return missing_reference(app, env, aliased, contnode)


def setup(app):
    app.connect("missing-reference", _resolve_alias)


# -- Math ------------------------------------------------------------------------

# MathJax 3 served with the site (see _static/mathjax/README.md), not a CDN:
# the pages render offline. The path is relative to _static.
mathjax_path = "mathjax/tex-chtml.js"

# -- HTML ----------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-quadneuron {version}"
html_theme_options = {
    "navigation_with_keys": False,
    # The navbar shows the pages a reader looks for first (see the toctree order
    # in index.rst); the rest go under "More".
    "header_links_before_dropdown": 5,
    # The search icon, not the wide field, so the links keep one line.
    "navbar_persistent": ["search-button"],
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# The pages at the top of the toctree have no section to navigate: without a
# left sidebar their text gets the width. The API reference and the gallery's
# index keep theirs, which list their pages. The examples give the width to
# their code and outputs (a summary table is 97 characters wide): they link to
# each other at their foot, and the gallery's index lists them all.
html_sidebars = {
    page: []
    for page in (
        "index",
        "quickstart",
        "user_guide",
        "scaling",
        "performance",
        "troubleshooting",
        "changelog",
        "contributing",
        "layout",
        "auto_examples/plot_*",
    )
}
html_show_sourcelink = False
html_static_path = ["_static"]
html_css_files = ["quadneuron.css"]

# -- Example gallery -------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    # Run every plot_*.py; other files are helpers.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "show_memory": False,
    # Its pages of execution times load jQuery and DataTables from CDNs
    # (the option needs sphinx-gallery 0.18).
    "write_computation_times": False,
    "plot_gallery": "True",
    # Backreferences ("Examples using ...") for the API pages. The names in the
    # code blocks link to this site and, through intersphinx_mapping, to the
    # other projects.
    "doc_module": ("sklearn_quadneuron",),
    "backreferences_dir": os.path.join("generated", "backreferences"),
    "inspect_global_variables": False,
    "matplotlib_animations": False,
}

# Examples warn only on purpose (and then catch it); anything else from a
# plotting backend is noise that must not fail the build.
warnings.filterwarnings(
    "ignore",
    category=UserWarning,
    message="Matplotlib is currently using agg",
)
