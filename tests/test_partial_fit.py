# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Streaming with partial_fit: a CSV file read in chunks equals the whole data.

Oracles: numpy.polyfit (least squares of one feature), the fit on the whole data,
and rows repeated as many times as their integer weight.
"""

import numpy as np
import pandas as pd
import pytest

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_quadratic

# Converged: the relative tolerance far below the 1e-6 the comparisons need.
CONVERGED = {"tol": 1e-15, "max_iter": 5000}


@pytest.fixture
def csv_path(tmp_path):
    X, y = make_quadratic(n_samples=5000, noise=3.0, random_state=0)
    path = tmp_path / "quadratic.csv"
    pd.DataFrame({"x": X[:, 0], "y": y}).to_csv(path, index=False)
    return path


def _stream(est, path, chunksize, **kwargs):
    for chunk in pd.read_csv(path, chunksize=chunksize):
        est.partial_fit(chunk[["x"]], chunk["y"], **kwargs)
    return est


def test_csv_stream_equals_fit_and_polyfit(csv_path):
    whole = pd.read_csv(csv_path)
    streamed = _stream(QuadraticGDRegressor(**CONVERGED), csv_path, chunksize=700)
    fitted = QuadraticGDRegressor(**CONVERGED).fit(whole[["x"]], whole["y"])
    np.testing.assert_allclose(streamed.coef_, fitted.coef_, rtol=1e-6)
    np.testing.assert_allclose(streamed.intercept_, fitted.intercept_, rtol=1e-6)
    a, b, c = np.polyfit(whole["x"], whole["y"], 2)
    np.testing.assert_allclose(streamed.coef_, [a, b], rtol=1e-6)
    np.testing.assert_allclose(streamed.intercept_, c, rtol=1e-6)
    # The article's data: a=10, b=5, c=12 up to the noise.
    np.testing.assert_allclose(streamed.coef_, [10, 5], rtol=0.05)
    assert list(streamed.feature_names_in_) == ["x"]
    assert streamed.n_features_in_ == 1


def test_chunk_order_does_not_matter(csv_path):
    chunks = list(pd.read_csv(csv_path, chunksize=500))
    order = np.random.default_rng(0).permutation(len(chunks))
    forward = QuadraticGDRegressor(**CONVERGED)
    shuffled = QuadraticGDRegressor(**CONVERGED)
    for chunk in chunks:
        forward.partial_fit(chunk[["x"]], chunk["y"])
    for i in order:
        shuffled.partial_fit(chunks[i][["x"]], chunks[i]["y"])
    np.testing.assert_allclose(shuffled.coef_, forward.coef_, rtol=1e-6)
    np.testing.assert_allclose(shuffled.intercept_, forward.intercept_, rtol=1e-6)


def test_sample_weight_chunks_equal_repeated_rows():
    rng = np.random.default_rng(1)
    X = rng.uniform(-2, 3, size=(900, 2))
    y = 1.5 * X[:, 0] ** 2 - X[:, 1] + 2 + rng.normal(0, 0.2, 900)
    w = rng.integers(0, 4, size=900)
    weighted = QuadraticGDRegressor(**CONVERGED)
    for rows in np.array_split(np.arange(900), 3):
        weighted.partial_fit(X[rows], y[rows], sample_weight=w[rows])
    repeated = QuadraticGDRegressor(**CONVERGED).fit(
        np.repeat(X, w, axis=0), np.repeat(y, w)
    )
    # Coefficients that are zero in truth are compared at the scale of the rest.
    scale = np.abs(repeated.coef_).max()
    np.testing.assert_allclose(
        weighted.coef_, repeated.coef_, rtol=1e-6, atol=1e-7 * scale
    )
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-6)


def test_partial_fit_after_fit_continues():
    X, y = make_quadratic(n_samples=2000, noise=2.0, random_state=3)
    est = QuadraticGDRegressor(**CONVERGED).fit(X[:1200], y[:1200])
    first = est.coef_.copy()
    est.partial_fit(X[1200:], y[1200:])
    a, b, c = np.polyfit(X[:, 0], y, 2)
    np.testing.assert_allclose(est.coef_, [a, b], rtol=1e-6)
    np.testing.assert_allclose(est.intercept_, c, rtol=1e-6)
    assert not np.allclose(first, est.coef_, rtol=1e-6)


def test_n_features_mismatch_raises():
    X, y = make_quadratic(n_samples=100, random_state=0)
    est = QuadraticGDRegressor().partial_fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features.*expecting 1"):
        est.partial_fit(np.hstack([X, X]), y)


def test_targets_mismatch_raises():
    X, y = make_quadratic(n_samples=100, random_state=0)
    est = QuadraticGDRegressor().partial_fit(X, y)
    before = est.coef_.copy()
    with pytest.raises(ValueError, match="target"):
        est.partial_fit(X, np.column_stack([y, y]))
    # The failed call left the model as it was.
    np.testing.assert_array_equal(est.coef_, before)


def test_early_stopping_raises():
    X, y = make_quadratic(n_samples=100, random_state=0)
    with pytest.raises(ValueError, match="early_stopping"):
        QuadraticGDRegressor(early_stopping=True).partial_fit(X, y)


@pytest.mark.parametrize("far", [1e100, 1e300])
def test_a_chunk_far_from_the_first_is_a_clear_error(far):
    # Scaled by the first chunk's spread, these values' powers overflow: a clear
    # error (warnings are errors here), and the model stays as it was.
    rng = np.random.default_rng(0)
    model = QuadraticGDRegressor().partial_fit(
        rng.normal(size=(50, 1)), rng.normal(size=50)
    )
    before = (model.coef_.copy(), model.intercept_, model.n_iter_)
    with pytest.raises(ValueError, match="representative first chunk"):
        model.partial_fit(far * (1 + rng.normal(size=(50, 1))), rng.normal(size=50))
    np.testing.assert_array_equal(model.coef_, before[0])
    assert (model.intercept_, model.n_iter_) == before[1:]
