# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The command line ``quadneuron`` (or ``python -m sklearn_quadneuron``).

Subcommands: ``demo`` re-runs the article, ``fit`` fits a CSV file and
``predict`` applies a saved model to one. By module: ``parser`` (options and
their help), ``files`` (paths or ``-`` for the standard streams, checked before
any work), ``tables`` (reading CSV files chunk by chunk), ``scores`` (R^2 from
the rows read once), ``demo``, ``fit``, ``predict`` (one handler each, which
imports what it needs when it runs), ``errors`` (one-line messages) and
``main`` (exit statuses, warnings, closed pipes). Nothing is imported here:
``--version`` and ``--help`` import the parser alone.
"""
