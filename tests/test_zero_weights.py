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


@pytest.mark.parametrize("far", [1.0, 1e300])
def test_a_stream_waits_for_a_chunk_with_weight(far):
    # Chunks of weight 0 are accepted wherever they come, the first ones too:
    # the model stays at zero ("no_weight") and the stream starts at the first
    # chunk that carries weight, wherever the weightless rows lie.
    X, y, w = data_with_far_rows(far)
    X, y, w = X[:3], y[:3], w[:3]
    rng = np.random.default_rng(1)
    Xw = rng.uniform(-2, 2, size=(300, 1))
    yw = 5 * Xw[:, 0] ** 2 - 3 * Xw[:, 0] + 1 + 0.1 * rng.normal(size=300)
    model = QuadraticGDRegressor(solver="newton-cholesky")
    model.partial_fit(X, y, sample_weight=w)
    assert model.stop_reason_ == "no_weight"
    assert model.n_iter_ == 0 and model.loss_curve_ == []
    np.testing.assert_array_equal(model.coef_, [0.0, 0.0])
    np.testing.assert_array_equal(model.predict(Xw[:5]), np.zeros(5))
    with pytest.raises(ValueError, match="every sample partial_fit has seen"):
        model.summary()
    model.partial_fit(X, y, sample_weight=w)
    assert model.stop_reason_ == "no_weight"
    model.partial_fit(Xw[:150], yw[:150])
    model.partial_fit(X, y, sample_weight=w)
    model.partial_fit(Xw[150:], yw[150:])
    assert model.stop_reason_ == "tol"
    coef, intercept = least_squares(Xw, yw, np.ones(300))
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-9)


def test_a_fit_needs_some_weight():
    X, y, w = data_with_far_rows(1.0)
    with pytest.raises(ValueError, match="at least one non-zero number"):
        QuadraticGDRegressor().fit(X, y, sample_weight=np.zeros_like(w))


@pytest.mark.parametrize("solver", ["gd", "newton-cholesky"])
def test_a_first_chunk_of_weight_zero_far_from_the_rest_changes_nothing(solver):
    # The first chunk read (32,768 rows for one feature) carries no weight and
    # lies 1e5 spreads from the rows that do: the fit is least squares on the
    # weighted rows, as without those rows.
    rng = np.random.default_rng(0)
    n0, n = 32768, 34768
    t = rng.normal(size=n)
    x = t.copy()
    x[n0:] += 1e5
    y = 0.5 * t**2 - t + 3 + rng.normal(size=n)
    w = np.zeros(n)
    w[n0:] = 1.0
    keep = w > 0
    # numpy's fit in a scaled domain: x**2 of 1e10 beside 1 would not do.
    best = np.polynomial.Polynomial.fit(x[keep], y[keep], 2)(x[keep])
    least = np.mean((best - y[keep]) ** 2)
    model = QuadraticGDRegressor(solver=solver).fit(x[:, None], y, sample_weight=w)
    assert model.stop_reason_ == "tol"
    excess = np.mean((model.predict(x[keep, None]) - y[keep]) ** 2) / least - 1
    assert excess < 1e-5
