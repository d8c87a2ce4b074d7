# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""A quadratic neuron trained by gradient descent, as a scikit-learn estimator."""

__version__ = "0.1.0"

__all__ = [
    "CollinearityWarning",
    "DivergenceError",
    "QuadraticGDRegressor",
    "__version__",
    "feature_importances",
]

# The public names and the modules that define them, imported on first use:
# `python -m sklearn_quadneuron --version` then imports no scikit-learn.
_LAZY = {
    "feature_importances": "._outputs",
    "QuadraticGDRegressor": "._regressor",
    "CollinearityWarning": "._solve",
    "DivergenceError": "._solve",
}


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
