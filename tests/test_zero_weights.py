# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Rows of weight 0 change nothing at all, however far they lie."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from sklearn_quadneuron import QuadraticGDRegressor


def data_with_far_rows(far, n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=n)
    y = 5 * x**2 - 3 * x + 1 + 0.1 * rng.normal(size=n)
    w = rng.uniform(0.5, 1.5, size=n)
    # A few rows far away, with weight 0 (and nonsense targets).
    x[:3] = far * np.array([1.0, -2.0, 3.0])
    y[:3] = far
    w[:3] = 0.0
    return x[:, None], y, w


def least_squares(X, y, w):
    keep = w > 0
    model = LinearRegression().fit(
        np.hstack([X[keep] ** 2, X[keep]]), y[keep], sample_weight=w[keep]
    )
    return model.coef_, model.intercept_


@pytest.mark.parametrize("far", [1e6, 1e100, 1e300])
@pytest.mark.parametrize("precompute", [True, False])
def test_far_rows_of_weight_zero_change_nothing(far, precompute):
    X, y, w = data_with_far_rows(far)
    model = QuadraticGDRegressor(precompute=precompute, tol=1e-14, max_iter=20000)
    model.fit(X, y, sample_weight=w)
    without = QuadraticGDRegressor(precompute=precompute, tol=1e-14, max_iter=20000)
    without.fit(X[3:], y[3:], sample_weight=w[3:])
    coef, intercept = least_squares(X, y, w)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-6)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-6)
    np.testing.assert_allclose(model.coef_, without.coef_, rtol=1e-9)
    np.testing.assert_allclose(model.loss_curve_, without.loss_curve_, rtol=1e-9)


@pytest.mark.parametrize("far", [1e6, 1e300])
def test_far_rows_of_weight_zero_in_a_stream(far):
    X, y, w = data_with_far_rows(far)
    order = np.r_[3:400, 0:3]  # the far rows come last, as a chunk of their own
    model = QuadraticGDRegressor(tol=1e-14, max_iter=20000)
    for rows in (order[:200], order[200:397], order[397:]):
        model.partial_fit(X[rows], y[rows], sample_weight=w[rows])
    coef, intercept = least_squares(X, y, w)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-6)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-6)


def test_far_rows_of_weight_zero_on_dask():
    da = pytest.importorskip("dask.array", reason="the dask extra is not installed")
    X, y, w = data_with_far_rows(1e300)
    model = QuadraticGDRegressor(tol=1e-14, max_iter=20000).fit(
        da.from_array(X, chunks=(100, 1)),
        da.from_array(y, chunks=100),
        sample_weight=da.from_array(w, chunks=100),
    )
    coef, intercept = least_squares(X, y, w)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-6)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-6)


@pytest.mark.parametrize("far", [1e6, 1e300])
@pytest.mark.parametrize("solver", ["momentum", "nesterov", "adam", "newton-cholesky"])
def test_far_rows_of_weight_zero_change_nothing_for_any_solver(far, solver):
    # Every optimizer sees the weighted loss only: the far rows neither move the
    # minimum nor the curvature that "auto" tunes the steps to.
    X, y, w = data_with_far_rows(far)
    model = QuadraticGDRegressor(solver=solver, tol=1e-12, max_iter=200000)
    model.fit(X, y, sample_weight=w)
    assert model.stop_reason_ == "tol"
    coef, intercept = least_squares(X, y, w)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-6)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-6)
