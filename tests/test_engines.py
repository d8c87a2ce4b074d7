# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Epochs on the statistics (precompute=True) and epochs reading the data
(precompute=False) follow one trajectory; "auto" picks by memory."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from sklearn_quadneuron import QuadraticGDRegressor, _statistics
from sklearn_quadneuron._statistics import choose_engine, statistics_memory


def wide_data(n_samples=300, n_features=12, n_targets=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)) * rng.uniform(0.5, 3, n_features)
    X += rng.normal(scale=10, size=n_features)
    coef = rng.normal(size=(2 * n_features, n_targets))
    Y = np.hstack([X**2, X]) @ coef + rng.normal(size=(n_samples, n_targets))
    return X, Y[:, 0] if n_targets == 1 else Y


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"standardize": False, "learning_rate": 1e-6},
        {"alpha": 0.3},
        {"early_stopping": True, "random_state": 0, "learning_rate": 0.05},
    ],
    ids=["default", "raw", "ridge", "early_stopping"],
)
@pytest.mark.parametrize("n_targets", [1, 2])
def test_both_engines_share_the_trajectory(params, n_targets):
    X, y = wide_data(n_targets=n_targets)
    w = np.random.default_rng(1).uniform(0.5, 2.0, size=len(X))
    settings = dict(max_iter=60, tol=None, record_path=True, **params)
    fits = {
        precompute: QuadraticGDRegressor(precompute=precompute, **settings).fit(X, y, w)
        for precompute in (True, False)
    }
    stats, direct = fits[True], fits[False]
    assert stats.precompute_ is True and direct.precompute_ is False
    assert stats.n_iter_ == direct.n_iter_ == 60
    np.testing.assert_allclose(direct.loss_curve_, stats.loss_curve_, rtol=1e-8)
    np.testing.assert_allclose(
        direct.validation_loss_curve_, stats.validation_loss_curve_, rtol=1e-8
    )
    np.testing.assert_allclose(
        direct.coef_path_, stats.coef_path_, rtol=1e-7, atol=1e-9
    )
    np.testing.assert_allclose(direct.coef_, stats.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(direct.intercept_, stats.intercept_, rtol=1e-8)
    assert direct.best_iter_ == stats.best_iter_
    np.testing.assert_allclose(direct.predict(X), stats.predict(X), rtol=1e-8)


def test_epochs_reading_the_data_converge_to_least_squares():
    X, y = wide_data(n_features=8)
    model = QuadraticGDRegressor(precompute=False, tol=1e-12, max_iter=20000).fit(X, y)
    reference = LinearRegression().fit(np.hstack([X**2, X]), y)
    np.testing.assert_allclose(
        model.predict(X), reference.predict(np.hstack([X**2, X])), rtol=1e-6
    )


def test_auto_picks_statistics_for_few_features_and_direct_for_many():
    rng = np.random.default_rng(0)
    few = QuadraticGDRegressor(max_iter=5, tol=None).fit(
        rng.normal(size=(2000, 3)), rng.normal(size=2000)
    )
    assert few.precompute_ is True
    X = rng.normal(size=(60, 400))
    many = QuadraticGDRegressor(max_iter=5, tol=None).fit(X, rng.normal(size=60))
    assert many.precompute_ is False


def test_direct_auto_step_is_safe_and_close_to_the_exact_one():
    # Beyond 96 parameters epochs reading the data bound the largest eigenvalue from
    # a block Krylov subspace instead of forming the Hessian.
    X, y = wide_data(n_samples=400, n_features=60)
    model = QuadraticGDRegressor(precompute=False, max_iter=3, tol=None).fit(X, y)
    # The exact step, from the standardized columns built plainly.
    U = (X - X.mean(axis=0)) / X.std(axis=0)
    S = U**2 - 1 - (U**3).mean(axis=0) * U
    S /= S.std(axis=0)
    Phi = np.column_stack([S, U, np.ones(len(X))])
    lam_max = np.linalg.eigvalsh(Phi.T @ Phi / len(X))[-1]
    exact = 0.5 / lam_max
    assert exact / 1.15 <= model.learning_rate_ <= exact * (1 + 1e-9)


@pytest.mark.parametrize(
    "n_samples, n_features, n_targets, expected",
    [
        (10**6, 1, 1, "statistics"),
        (10**5, 1000, 1, "statistics"),
        (10**5, 1447, 1, "statistics"),  # 8 Grams of 2896**2 floats: 512 MiB
        (10**5, 1448, 1, "direct"),
        (10**5, 1446, 3, "statistics"),
        (10**5, 1446, 4, "direct"),
        (10**5, 2000, 1, "direct"),
        (2000, 1000, 1, "direct"),  # fewer samples than parameters
        (2001, 1000, 1, "statistics"),
    ],
)
def test_auto_picks_statistics_whenever_its_matrices_fit(
    n_samples, n_features, n_targets, expected
):
    assert choose_engine("auto", n_samples, n_features, n_targets) == expected
    assert choose_engine(True, n_samples, n_features, n_targets) == "statistics"
    assert choose_engine(False, n_samples, n_features, n_targets) == "direct"


def test_auto_picks_direct_beyond_the_memory_budget(monkeypatch):
    # A budget too small for 6 features' Gram: "auto" reads the data every
    # epoch, and still converges to least squares.
    monkeypatch.setattr(_statistics, "STATISTICS_MEMORY", statistics_memory(5, 1))
    X, y = wide_data(n_samples=500, n_features=6)
    model = QuadraticGDRegressor(tol=1e-12, max_iter=20000).fit(X, y)
    assert model.precompute_ is False
    expanded = np.hstack([X**2, X])
    reference = LinearRegression().fit(expanded, y)
    np.testing.assert_allclose(model.predict(X), reference.predict(expanded), rtol=1e-6)
    few = QuadraticGDRegressor(max_iter=5, tol=None).fit(X[:, :5], y)
    assert few.precompute_ is True


def test_direct_engine_where_the_gram_cannot_be_held():
    # 1500 features: 8 Grams of 3001**2 floats exceed the budget, "auto" takes
    # the direct engine. Oracle: the same epochs of plain gradient descent on
    # the raw expanded matrix, written here.
    rng = np.random.default_rng(0)
    n, p = 3500, 1500
    X = rng.normal(size=(n, p))
    y = (X**2) @ rng.uniform(-1, 1, p) + X @ rng.uniform(-1, 1, p) + 2.0
    Phi = np.hstack([X**2, X, np.ones((n, 1))])
    lam_max = np.linalg.eigvalsh(Phi.T @ Phi / n)[-1]
    rate = 0.5 / lam_max
    model = QuadraticGDRegressor(
        standardize=False, learning_rate=rate, max_iter=4, tol=None
    ).fit(X, y)
    assert model.precompute_ is False
    theta, losses = np.zeros(2 * p + 1), []
    for _ in range(4):
        residual = Phi @ theta - y
        losses.append(residual @ residual / n)
        theta -= rate * 2.0 * (Phi.T @ residual) / n
    np.testing.assert_allclose(model.loss_curve_, losses, rtol=1e-9)
    np.testing.assert_allclose(model.coef_, theta[:-1], rtol=1e-8, atol=1e-12)
    assert model.intercept_ == pytest.approx(theta[-1], rel=1e-8)


def test_direct_certificate_beyond_96_parameters_is_within_tol():
    # 101 parameters: the excess over the minimum is bounded by ||g||**2 / (4
    # lambda_min) instead of read from an eigendecomposition. What it
    # certifies must hold: the training loss within tol of least squares,
    # solved by numpy on the standardized columns (the span of [x**2, x, 1]).
    rng = np.random.default_rng(0)
    n, p = 400, 50
    X = rng.normal(size=(n, p)) + rng.normal(scale=3.0, size=p)
    y = 0.1 * X**2 @ rng.normal(size=p) + X @ rng.normal(size=p) + rng.normal(size=n)
    model = QuadraticGDRegressor(precompute=False, max_iter=10_000).fit(X, y)
    assert model.precompute_ is False
    assert model.stop_reason_ == "tol"
    U = (X - X.mean(axis=0)) / X.std(axis=0)
    Phi = np.column_stack([U**2, U, np.ones(n)])
    best = np.linalg.lstsq(Phi, y, rcond=None)[0]
    least = np.mean((Phi @ best - y) ** 2)
    assert np.mean((model.predict(X) - y) ** 2) <= least * (1 + model.tol)


@pytest.mark.parametrize("solver", ["momentum", "nesterov"])
def test_fewer_samples_than_parameters_beyond_96_parameters(solver):
    # 30 samples, 121 parameters: most directions are flat, and the block
    # Krylov subspace finds them as Ritz values at rounding. "auto" is tuned
    # on the smallest curved one: tuned on a flat one, the momentum would be
    # 1 and never settle. Least squares interpolates 30 samples: the fit
    # must reach y itself.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 60))
    y = rng.normal(size=30)
    model = QuadraticGDRegressor(solver=solver, max_iter=5000).fit(X, y)
    assert model.precompute_ is False
    assert model.stop_reason_ == "tol"
    np.testing.assert_allclose(model.predict(X), y, atol=1e-6)
