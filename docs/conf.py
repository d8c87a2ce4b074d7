# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Sphinx configuration of the sklearn-quadneuron documentation.

Build from the repository root with::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The build needs no network. Set ``QUADNEURON_DOCS_ONLINE=1`` to link the names
of NumPy, scikit-learn, pandas, Python, Matplotlib and Dask to their own
documentation (intersphinx then downloads their inventories).
"""

import os
import warnings

# The gallery runs its examples without a display.
import matplotlib

matplotlib.use("Agg")

import sklearn_quadneuron  # noqa: E402

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
]

templates_path = ["_templates"]
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
# Types in the Parameters sections become links when the inventories are there.
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    "ndarray": "numpy.ndarray",
    "DataFrame": "pandas.DataFrame",
    "Polynomial": "numpy.polynomial.polynomial.Polynomial",
    "Axes": "matplotlib.axes.Axes",
    "Figure": "matplotlib.figure.Figure",
    "RandomState": "numpy.random.RandomState",
    "estimator": "sklearn.base.BaseEstimator",
}
numpydoc_xref_ignore = {
    "of",
    "or",
    "shape",
    "default",
    "optional",
    "instance",
    "object",
    "objects",
    "n_samples",
    "n_features",
    "n_targets",
    "n_iter_",
    "n_features_in_",
    "array-like",
    "str",
    "int",
    "float",
    "bool",
    "list",
    "tuple",
    "dict",
    "None",
    "callable",
}

# -- Cross-references to other projects ---------------------------------------

ONLINE = os.environ.get("QUADNEURON_DOCS_ONLINE", "") not in ("", "0")

if ONLINE:
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "pandas": ("https://pandas.pydata.org/docs", None),
        "matplotlib": ("https://matplotlib.org/stable", None),
        "dask": ("https://docs.dask.org/en/stable", None),
    }
else:
    # Offline (the default, and CI): no inventories to fetch. Unresolved Python
    # names then render as plain code, which Sphinx does not warn about.
    intersphinx_mapping = {}


def _external_reference_as_text(app, env, node, contnode):
    """Offline, render API-page references to other projects' docs as text.

    Docstrings, including those the estimator inherits from scikit-learn, use
    glossary terms (``:term:`fit```) and labels (``:ref:`metadata_routing```)
    that only the other projects' inventories resolve; numpydoc turns types
    such as ``bool`` into such labels too. Offline they become plain text on the
    generated API pages. Everywhere else a dangling reference still warns, so
    the hand-written pages stay checked.
    """
    if ONLINE or not node.get("refdoc", "").startswith("generated/"):
        return None
    return contnode


def setup(app):
    app.connect("missing-reference", _external_reference_as_text)


# -- HTML ----------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-quadneuron {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
html_static_path = []

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
    "plot_gallery": "True",
    "doc_module": ("sklearn_quadneuron",),
    "backreferences_dir": os.path.join("generated", "backreferences"),
    "reference_url": {"sklearn_quadneuron": None},
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
