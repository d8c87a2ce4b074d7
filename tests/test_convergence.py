# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Converged means optimal: against least squares, on ill-conditioned data.

Every fit must either reach the least-squares minimum (its loss within 1e-6 of
it relatively, or R^2 within 1e-5 where the minimum is zero) or warn. The
oracles are numpy's least squares and plain loops written here.
"""

import warnings
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from test_properties import PROFILE, _record_counts

from sklearn_quadneuron import (
    CollinearityWarning,
    DivergenceError,
    QuadraticGDRegressor,
)
from sklearn_quadneuron.datasets import make_quadratic


def weighted_least_squares(X, y, w=None):
    """Minimum weighted MSE of the additive quadratic, by numpy's lstsq."""
    w = np.ones(len(y)) if w is None else w
    design = np.column_stack([X**2, X, np.ones(len(y))])
    root = np.sqrt(w)
    solution = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)[0]
    return float(np.average((design @ solution - y) ** 2, weights=w)), solution


def outcome(model, X, y, w=None):
    """Fit; "optimal" or "warned", asserting that no fit is silently wrong."""
    with warnings.catch_warnings(record=True) as caught:
        # Aliased terms (exactly collinear features) are named in a warning
        # of their own; the fit without them still has the minimum's loss.
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("always", CollinearityWarning)
        model.fit(X, y, sample_weight=w)
    warned = any(issubclass(c.category, ConvergenceWarning) for c in caught)
    mse = float(np.average((model.predict(X) - y) ** 2, weights=w))
    optimum, _ = weighted_least_squares(X, y, w)
    variance = float(np.average((y - np.average(y, weights=w)) ** 2, weights=w))
    if warned:
        assert model.stop_reason_ in ("max_iter", "stalled")
        return "warned"
    assert model.stop_reason_ == "tol"
    assert mse - optimum <= max(1e-6 * optimum, 1e-5 * variance) + 1e-12 * variance, (
        f"silent wrong answer: loss {mse:.9g}, least squares {optimum:.9g}"
    )
    return "optimal"


@st.composite
def ill_conditioned(draw):
    """Nearly collinear features, skewed ones, offsets: a design and its target."""
    n = draw(st.integers(20, 200), label="n_samples")
    p = draw(st.integers(1, 4), label="n_features")
    collinearity = draw(st.sampled_from([0.0, 1e-1, 1e-3, 1e-6]), label="noise")
    skew = draw(st.booleans(), label="skewed")
    offset = draw(st.sampled_from([0.0, 10.0, 1e4]), label="offset")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    base = rng.exponential(size=n) if skew else rng.normal(size=n)
    X = np.column_stack(
        [base + (collinearity if j else 1.0) * rng.normal(size=n) for j in range(p)]
    )
    X = X * rng.uniform(0.1, 10, size=p) + offset
    U = (X - X.mean(axis=0)) / X.std(axis=0)
    y = U**2 @ rng.normal(size=p) + U @ rng.normal(size=p) + rng.normal(size=n)
    precompute = draw(st.sampled_from([True, False]), label="precompute")
    return X, y, precompute


def test_ill_conditioned_designs_are_optimal_or_warn():
    counts = Counter()

    @PROFILE
    @given(problem=ill_conditioned())
    def check(problem):
        X, y, precompute = problem
        try:
            counts[outcome(QuadraticGDRegressor(precompute=precompute), X, y)] += 1
        except DivergenceError as exc:  # pragma: no cover - the bug it catches
            raise AssertionError(f"'auto' diverged: {exc}") from None

    try:
        check()
    finally:
        _record_counts("ill_conditioned", counts)
    assert counts["optimal"] > 0 and counts["warned"] > 0


@pytest.mark.parametrize(
    "name, make",
    [
        ("collinear", lambda x, z: np.column_stack([x, x + 1e-3 * z])),
        ("near_zero_and_far", lambda x, z: np.r_[np.abs(z[:5]) * 1e-3, 1e5 + x[5:]]),
        ("small_steps", lambda x, z: x[:, None]),
        ("huge_penalty", lambda x, z: x[:, None]),
        ("raw_wide", lambda x, z: 1000 * x[:, None]),
        ("raw_uniform", lambda x, z: np.abs(100 * np.sin(x))[:, None]),
    ],
)
def test_the_reported_cases_are_optimal_or_warn(name, make):
    rng = np.random.default_rng(0)
    x, z = rng.normal(size=300), rng.normal(size=300)
    X = make(x, z)
    X = X[:, None] if X.ndim == 1 else X
    y = (0.5 * X**2 - X).sum(axis=1) + 0.1 * rng.normal(size=300)
    params = {
        "small_steps": {"learning_rate": 1e-7},
        "huge_penalty": {"alpha": 1e9},
        "raw_wide": {"standardize": False, "learning_rate": 1e-13},
        "raw_uniform": {"standardize": False, "learning_rate": 1e-9},
    }.get(name, {})
    model = QuadraticGDRegressor(**params)
    if name == "huge_penalty":
        # Not least squares: with alpha=1e9 the unpenalised intercept moves a
        # billion times slower than the coefficients. It must not be reported
        # as converged short of mean(y).
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(X, y)
        if model.intercept_ != pytest.approx(y.mean(), rel=1e-6):
            assert caught and model.stop_reason_ != "tol"
        return
    assert outcome(model, X, y) in ("optimal", "warned")


def test_diabetes_is_optimal_or_says_how_many_epochs_it_needs():
    X, y = load_diabetes(return_X_y=True)
    model = QuadraticGDRegressor()
    result = outcome(model, X, y)
    if result == "warned":
        # The warning names the epochs that would certify it: they do.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            QuadraticGDRegressor().fit(X, y)
        text = str(caught[0].message)
        needed = int(text.split("set max_iter=")[1].split()[0])
        assert outcome(QuadraticGDRegressor(max_iter=needed), X, y) == "optimal"


@pytest.mark.parametrize("factor, diverges", [(0.95, False), (1.05, True)])
@pytest.mark.parametrize("standardize", [True, False])
def test_the_divergence_boundary(factor, diverges, standardize):
    # The stable steps are those below 1 / lambda_max of half the Hessian,
    # computed here in numpy on the basis the descent runs on.
    rng = np.random.default_rng(3)
    x = rng.normal(size=500)
    y = 2 * x**2 + x + rng.normal(size=500)
    if standardize:
        u = (x - x.mean()) / x.std()
        s = u**2 - 1 - np.mean(u**3) * u
        s /= s.std()
        design = np.column_stack([s, u, np.ones(500)])
    else:
        design = np.column_stack([x**2, x, np.ones(500)])
    lam_max = np.linalg.eigvalsh(design.T @ design / 500)[-1]
    model = QuadraticGDRegressor(
        learning_rate=factor / lam_max, standardize=standardize, max_iter=3000, tol=None
    )
    if diverges:
        with pytest.raises(DivergenceError, match="learning_rate"):
            model.fit(x[:, None], y)
    else:
        model.fit(x[:, None], y)
        optimum, _ = weighted_least_squares(x[:, None], y)
        assert model.loss_curve_[-1] == pytest.approx(optimum, rel=1e-6)


def test_weighted_early_stopping_loss_against_a_numpy_loop():
    rng = np.random.default_rng(4)
    x = rng.normal(size=400)
    y = x**2 - x + rng.normal(size=400)
    w = rng.uniform(0, 2, size=400)
    model = QuadraticGDRegressor(
        early_stopping=True,
        random_state=0,
        standardize=False,
        learning_rate=0.05,
        max_iter=40,
        tol=None,
        record_path=True,
    ).fit(x[:, None], y, sample_weight=w)
    # The held-out rows, drawn as the estimator documents it.
    n_val = int(np.ceil(0.1 * 400))
    held = np.zeros(400, bool)
    held[np.random.RandomState(0).permutation(400)[:n_val]] = True
    design = np.column_stack([x**2, x, np.ones(400)])
    for k in (0, 1, 7, 39):
        theta = np.r_[model.coef_path_[k], model.intercept_path_[k]]
        r = design @ theta - y
        expected = np.average(r[held] ** 2, weights=w[held])
        assert model.validation_loss_curve_[k] == pytest.approx(expected, rel=1e-9)
        expected = np.average(r[~held] ** 2, weights=w[~held])
        assert model.loss_curve_[k] == pytest.approx(expected, rel=1e-9)


def test_ridge_loss_curve_against_a_numpy_loop():
    # Gradient descent on the raw features with the L2 penalty, written plainly.
    rng = np.random.default_rng(5)
    x = rng.normal(size=300)
    y = 3 * x**2 + x + 2 + rng.normal(size=300)
    alpha, lr = 0.3, 0.05
    model = QuadraticGDRegressor(
        alpha=alpha, standardize=False, learning_rate=lr, max_iter=30, tol=None
    ).fit(x[:, None], y)
    design = np.column_stack([x**2, x, np.ones(300)])
    theta, losses = np.zeros(3), []
    for _ in range(30):
        r = design @ theta - y
        losses.append(np.mean(r**2) + alpha * (theta[:2] ** 2).sum())
        grad = 2 * design.T @ r / 300 + 2 * alpha * np.r_[theta[:2], 0.0]
        theta = theta - lr * grad
    np.testing.assert_allclose(model.loss_curve_, losses, rtol=1e-9)
    np.testing.assert_allclose(np.r_[model.coef_, model.intercept_], theta, rtol=1e-9)


# Settings whose last update may go uphill: heavy momentum, Adam's steps of a
# fixed size, mini-batches (refitted from the fit's end with warm_start). Each
# certified "tol" on the loss before its last update and returned the model
# after it, up to 58% above the minimum.
_UPHILL = [
    {"solver": "momentum", "momentum": 0.99, "learning_rate": 0.01},
    {"solver": "nesterov", "momentum": 0.99, "learning_rate": 0.01},
    {"solver": "adam", "learning_rate": 1.0},
    {"solver": "gd", "batch_size": 50, "learning_rate": 0.01, "random_state": 0},
    {"solver": "adam", "batch_size": 100, "random_state": 0},
]


@pytest.mark.parametrize("tol", [1e-3, 1e-6])
@pytest.mark.parametrize(
    "params", _UPHILL, ids=lambda p: "-".join(map(str, p.values()))
)
@pytest.mark.parametrize("data", ["quadratic", "diabetes"])
def test_the_certified_model_is_the_one_returned(data, params, tol):
    if data == "quadratic":
        X, y = make_quadratic(500, noise=1.0, random_state=0)
    else:
        X, y = load_diabetes(return_X_y=True)
        X = X[:, :3]
    model = QuadraticGDRegressor(max_iter=20000, tol=tol, record_path=True, **params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X, y)
        if "batch_size" in params:
            model.set_params(warm_start=True).fit(X, y)
    if model.stop_reason_ != "tol":
        assert any(issubclass(c.category, ConvergenceWarning) for c in caught)
        return
    # The model kept is the one the last epoch measured: its loss ends the curve.
    assert model.best_iter_ == model.n_iter_ - 1
    np.testing.assert_allclose(model.coef_, model.coef_path_[model.best_iter_])
    optimum, _ = weighted_least_squares(X, y)
    mse = float(np.mean((model.predict(X) - y) ** 2))
    assert mse - optimum <= 1.1 * tol * optimum, (mse / optimum - 1, model.n_iter_)


@pytest.mark.parametrize(
    "params",
    [{}, {"solver": "momentum"}, {"solver": "newton-cholesky"}, {"batch_size": 250}],
)
def test_noiseless_data_stops_at_the_first_epoch_that_fits_it_exactly(params):
    # The article's parabola without noise: once an epoch's loss is the
    # rounding of an exact fit (far below 1e-29 of the data's variance), that
    # epoch's model is the minimum as far as float64 can tell. The fit stops
    # at the first such epoch: none is spent on the rounding's own rounding,
    # whatever the machine's last bits.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 1))
    y = 10 * X[:, 0] ** 2 + 5 * X[:, 0] + 12
    model = QuadraticGDRegressor(max_iter=5000, **params).fit(X, y)
    assert model.stop_reason_ == "tol"
    fits = np.flatnonzero(np.asarray(model.loss_curve_) < 1e-29 * np.var(y))
    assert fits.size and fits[0] == len(model.loss_curve_) - 1
    residuals = y - model.predict(X)
    assert np.mean(residuals**2) < 1e-29 * np.var(y)
