# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The command line ``quadneuron`` (or ``python -m sklearn_quadneuron``).

Subcommands: ``demo`` re-runs the article, ``fit`` fits a CSV file and
``predict`` applies a saved model to one. By module: ``parser`` (options and
their help), ``tables`` (reading CSV files), ``demo``, ``fit``, ``predict`` (one
handler each), ``errors`` (one-line messages) and ``main`` (exit statuses,
warnings, closed pipes).
"""

from .main import main

__all__ = ["main"]
