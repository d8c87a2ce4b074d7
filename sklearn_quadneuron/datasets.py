# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The article's synthetic data, seeded."""

from numbers import Integral, Real

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
