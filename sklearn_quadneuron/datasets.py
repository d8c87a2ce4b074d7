# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Synthetic data, seeded: the article's, and an ill-conditioned set."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "a": [Real],
        "b": [Real],
        "c": [Real],
        "noise": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_quadratic(n_samples=1000, *, a=10, b=5, c=12, noise=0.0, random_state=None):
    """Samples of ``y = a*x**2 + b*x + c (+ noise)`` with x standard normal.

    With the defaults this is the data of the article "The 'hello, world' of Deep
    Learning": 1000 draws of x from N(0, 1) and ``y = 10*x**2 + 5*x + 12``
    exactly.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples.
    a, b, c : float, default=10, 5, 12
        True coefficients of the quadratic.
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to y.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws, for reproducible data.

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
        The inputs x, as one feature column.
    y : ndarray of shape (n_samples,)
        The targets.

    Examples
    --------
    >>> from sklearn_quadneuron.datasets import make_quadratic
    >>> X, y = make_quadratic(random_state=0)
    >>> X.shape, y.shape
    ((1000, 1), (1000,))
    """
    rng = check_random_state(random_state)
    x = rng.standard_normal(n_samples)
    y = a * x**2 + b * x + c
    if noise:
        y = y + noise * rng.standard_normal(n_samples)
    return x[:, None], y


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "collinearity": [Interval(Real, 0, None, closed="neither")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_ill_conditioned(
    n_samples=1000, *, collinearity=0.05, noise=1.0, random_state=None
):
    """Skewed, nearly collinear features: a loss curved very unevenly.

    Four features drawn from standard normals ``z0, z1, z2, z3``: ``exp(z0)``
    (log-normal, strongly skewed), ``z0 + collinearity * z1`` (nearly a
    function of the first), a Gamma(2) draw (skewed) and ``z3``; the target is
    ``x0 + 0.5 * x1**2 - x2`` plus Gaussian noise. Standardizing does not
    undo the near-collinearity: the loss is a hundred times or more as curved
    along some directions of the parameters as along others, the setting where
    plain gradient descent needs many epochs and momentum pays off.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples.
    collinearity : float, default=0.05
        How far the second feature strays from ``log`` of the first: smaller
        is more collinear, and more ill-conditioned.
    noise : float, default=1.0
        Standard deviation of Gaussian noise added to y.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws, for reproducible data.

    Returns
    -------
    X : ndarray of shape (n_samples, 4)
        The features.
    y : ndarray of shape (n_samples,)
        The targets.

    Examples
    --------
    >>> from sklearn_quadneuron.datasets import make_ill_conditioned
    >>> X, y = make_ill_conditioned(random_state=0)
    >>> X.shape, y.shape
    ((1000, 4), (1000,))
    """
    rng = check_random_state(random_state)
    z = rng.standard_normal((n_samples, 3))
    X = np.column_stack(
        [
            np.exp(z[:, 0]),
            z[:, 0] + collinearity * z[:, 1],
            rng.gamma(2.0, size=n_samples),
            z[:, 2],
        ]
    )
    y = X[:, 0] + 0.5 * X[:, 1] ** 2 - X[:, 2]
    if noise:
        y = y + noise * rng.standard_normal(n_samples)
    return X, y
