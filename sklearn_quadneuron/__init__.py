# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""A quadratic neuron trained by gradient descent, as a scikit-learn estimator."""

from ._outputs import feature_importances
from ._regressor import QuadraticGDRegressor
from ._solve import CollinearityWarning, DivergenceError

__version__ = "0.1.0"

__all__ = [
    "CollinearityWarning",
    "DivergenceError",
    "QuadraticGDRegressor",
    "__version__",
    "feature_importances",
]
