# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Displays of the article's four figures, following scikit-learn's conventions.

Each display's ``__init__`` stores precomputed data, ``plot`` draws it and returns
the display with its artists (``ax_``, ``figure_``, ...), and ``from_estimator``
computes the data from a fitted :class:`~sklearn_quadneuron.QuadraticGDRegressor`
and plots it.

matplotlib is an optional dependency (the ``plot`` extra): it is imported when a
display draws, never when this module is imported.
"""

from ._fit import FitDisplay
from ._loss_curve import LossCurveDisplay
from ._loss_surface import LossSurfaceDisplay
from ._parameter_path import ParameterPathDisplay

__all__ = [
    "FitDisplay",
    "LossCurveDisplay",
    "LossSurfaceDisplay",
    "ParameterPathDisplay",
]
