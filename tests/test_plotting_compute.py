# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The displays' data, computed without matplotlib, against numpy written here.

Each display's ``from_estimator`` computes its figure's data in a plain-numpy
``_compute_*`` function; these tests call them alone, on arrays, and compare with
direct loops over the samples and the grid.
"""

import subprocess
import sys

import numpy as np
import pytest

from sklearn_quadneuron.plotting._fit import _compute_fit_curves
from sklearn_quadneuron.plotting._loss_curve import _compute_loss_curves
from sklearn_quadneuron.plotting._parameter_path import _compute_parameter_paths
from sklearn_quadneuron.plotting._surface import _compute_loss_surface


def predict_one(x, theta):
    """The quadratic model at one sample, term by term."""
    p = len(x)
    return sum(theta[k] * x[k] ** 2 + theta[p + k] * x[k] for k in range(p)) + theta[-1]


def mse_loop(X, y, theta):
    """Mean squared error of ``theta``, one sample at a time."""
    return sum((predict_one(x, theta) - t) ** 2 for x, t in zip(X, y)) / len(y)


def with_values(theta, axes, values):
    """``theta`` with the entries at ``axes`` replaced by ``values``."""
    theta = np.array(theta, dtype=float)
    theta[list(axes)] = values
    return theta


@pytest.fixture
def two_features(rng):
    X = np.c_[rng.normal(size=40), rng.uniform(1, 3, size=40)]
    theta = rng.normal(size=5)
    y = np.array([predict_one(x, theta) for x in X]) + rng.normal(size=40)
    return X, y


# -- FitDisplay ----------------------------------------------------------------


def test_fit_curves_on_a_grid_of_one_feature(two_features, rng):
    X, _ = two_features
    theta, theta_initial = rng.normal(size=5), rng.normal(size=5)
    curves = _compute_fit_curves(X, 1, theta, n_points=7, theta_initial=theta_initial)
    x_grid = curves["x_grid"]
    assert x_grid.shape == (7,)
    assert x_grid[0] == X[:, 1].min() and x_grid[-1] == X[:, 1].max()
    np.testing.assert_allclose(np.diff(x_grid), np.ptp(X[:, 1]) / 6, rtol=1e-12)
    # The other feature is held at its mean over the samples.
    u_mean = sum(X[:, 0]) / len(X)
    for name, parameters in (("y_pred", theta), ("y_initial", theta_initial)):
        expected = [predict_one((u_mean, v), parameters) for v in x_grid]
        np.testing.assert_allclose(curves[name], expected, rtol=1e-12)


def test_fit_curves_without_initial(two_features, rng):
    X, _ = two_features
    curves = _compute_fit_curves(X, 0, rng.normal(size=5), n_points=3)
    assert curves["y_initial"] is None


# -- LossCurveDisplay ------------------------------------------------------------


@pytest.mark.parametrize("empty", [None, []])
def test_loss_curves(empty):
    curves = _compute_loss_curves([3, 2, 1], empty)
    assert curves["loss_curve"].dtype == np.float64
    np.testing.assert_array_equal(curves["loss_curve"], [3.0, 2.0, 1.0])
    assert curves["validation_loss_curve"] is None
    curves = _compute_loss_curves([3, 2, 1], [4, 3, 2.5])
    np.testing.assert_array_equal(curves["validation_loss_curve"], [4.0, 3.0, 2.5])


# -- ParameterPathDisplay --------------------------------------------------------


def test_parameter_paths_by_name(rng):
    path = rng.normal(size=(6, 3))
    paths = _compute_parameter_paths(path, ["x0^2", "x0", "intercept"])
    assert list(paths) == ["x0^2", "x0", "intercept"]
    for k, values in enumerate(paths.values()):
        np.testing.assert_array_equal(values, [row[k] for row in path])


# -- LossSurfaceDisplay ----------------------------------------------------------


def test_loss_surface_equals_per_sample_loop(two_features, rng):
    X, y = two_features
    theta = rng.normal(size=5)
    path = rng.normal(size=(6, 5))
    axes = (1, 4)  # the quadratic term of the second feature, the intercept
    ranges = ((-2.0, 3.0), (0.5, 1.5))
    surface = _compute_loss_surface(
        X, y, theta, axes, path=path, ranges=ranges, n_grid=5
    )
    np.testing.assert_allclose(surface["grid_x"], [-2, -0.75, 0.5, 1.75, 3])
    np.testing.assert_allclose(surface["grid_y"], [0.5, 0.75, 1, 1.25, 1.5])
    assert surface["loss"].shape == (5, 5)
    for r, v in enumerate(surface["grid_y"]):
        for s, u in enumerate(surface["grid_x"]):
            expected = mse_loop(X, y, with_values(theta, axes, (u, v)))
            np.testing.assert_allclose(surface["loss"][r, s], expected, rtol=1e-10)
    # The path is projected on the two parameters, the others held at theta.
    np.testing.assert_array_equal(surface["path"], path[:, [1, 4]])
    expected = [mse_loop(X, y, with_values(theta, axes, row[[1, 4]])) for row in path]
    np.testing.assert_allclose(surface["path_loss"], expected, rtol=1e-10)
    np.testing.assert_array_equal(surface["fitted"], theta[[1, 4]])


def test_loss_surface_without_path(two_features, rng):
    X, y = two_features
    surface = _compute_loss_surface(
        X, y, rng.normal(size=5), (0, 2), ranges=((0, 1), (0, 1)), n_grid=2
    )
    assert surface["path"] is None and surface["path_loss"] is None


def test_loss_surface_exact_at_a_zero_minimum(rng):
    # Noiseless data: the loss is 0 at the true parameters and tiny around
    # them; the surface must keep those digits.
    x = rng.normal(size=(300, 1))
    theta = np.array([10.0, 5.0, 12.0])
    y = np.array([predict_one(row, theta) for row in x])
    ranges = ((5 - 1e-6, 5 + 1e-6), (12 - 1e-6, 12 + 1e-6))
    surface = _compute_loss_surface(x, y, theta, (1, 2), ranges=ranges, n_grid=3)
    for r, c in enumerate(surface["grid_y"]):
        for s, b in enumerate(surface["grid_x"]):
            expected = mse_loop(x, y, (10.0, b, c))
            np.testing.assert_allclose(
                surface["loss"][r, s], expected, rtol=1e-6, atol=1e-20
            )
    assert surface["loss"][1, 1] < 1e-20


def test_loss_surface_auto_range_spans_the_path(two_features, rng):
    X, y = two_features
    theta = rng.normal(size=5)
    path = rng.normal(size=(8, 5))
    surface = _compute_loss_surface(X, y, theta, (0, 3), path=path, n_grid=4)
    for grid, k in ((surface["grid_x"], 0), (surface["grid_y"], 3)):
        values = [*path[:, k], theta[k]]
        assert grid[0] < min(values) and grid[-1] > max(values)


@pytest.mark.parametrize("k", [0, 1, 2])
def test_loss_surface_auto_range_reaches_the_variance_of_y(rng, k):
    # Without a path, the range around the least-squares parameters reaches
    # where the loss has risen by the variance of y.
    x = rng.normal(size=(200, 1))
    y = 3 * x[:, 0] ** 2 - x[:, 0] + 2 + rng.normal(size=200)
    Phi = np.c_[x**2, x, np.ones(200)]
    best = np.linalg.lstsq(Phi, y, rcond=None)[0]
    other = (k + 1) % 3
    surface = _compute_loss_surface(x, y, best, (k, other), n_grid=3)
    grid = surface["grid_x"]
    np.testing.assert_allclose(grid[1], best[k], rtol=1e-12)
    variance = sum((t - sum(y) / len(y)) ** 2 for t in y) / len(y)
    for end in (grid[0], grid[-1]):
        rise = mse_loop(x, y, with_values(best, [k], [end])) - mse_loop(x, y, best)
        np.testing.assert_allclose(rise, variance, rtol=1e-8)


# -- no matplotlib at import -----------------------------------------------------


def test_importing_the_displays_loads_no_matplotlib():
    code = (
        "import sys\n"
        "import sklearn_quadneuron.plotting\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] == 'matplotlib']\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
