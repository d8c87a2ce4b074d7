# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Mini-batch descent against a numpy loop with the same orders of the samples.

The loop draws each epoch's order from its own ``np.random.RandomState(seed)``,
as the estimator documents, cuts it into batches, and steps on each batch's
weighted mean gradient; ``loss_curve_`` is the loss on all training samples
before each epoch.
"""

import math
import warnings

import numpy as np
import pytest
from _oracles import loss_and_gradient, raw_columns, standardized_columns, step_rule
from sklearn.exceptions import ConvergenceWarning

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_quadratic


def numpy_mini_batches(Phi, y, theta0, update, epochs, batch_size, seed, w=None):
    """Mini-batch epochs over the rows of positive weight, in numpy."""
    w = np.ones(len(y)) if w is None else w
    rows = np.flatnonzero(w > 0)
    rng = None if seed is None else np.random.RandomState(seed)
    theta, losses, path = theta0.copy(), [], [theta0.copy()]
    for _ in range(epochs):
        losses.append(loss_and_gradient(Phi, y, theta, w)[0])
        order = np.arange(len(rows)) if rng is None else rng.permutation(len(rows))
        for start in range(0, len(rows), batch_size):
            batch = rows[order[start : start + batch_size]]
            g = loss_and_gradient(Phi[batch], y[batch], theta, w[batch])[1]
            theta = update(theta, g)
        path.append(theta.copy())
    return np.array(losses), np.array(path)


@pytest.fixture(scope="module")
def article():
    return make_quadratic(1000, random_state=0)


@pytest.mark.parametrize("precompute", ["auto", False])
@pytest.mark.parametrize("solver", ["gd", "momentum", "nesterov", "adam"])
def test_raw_mini_batches_equal_the_numpy_loop(article, solver, precompute):
    X, y = article
    lr = {"gd": 0.02, "momentum": 0.005, "nesterov": 0.005, "adam": 0.05}[solver]
    model = QuadraticGDRegressor(
        solver=solver,
        learning_rate=lr,
        momentum=0.9,
        batch_size=64,
        random_state=7,
        standardize=False,
        max_iter=8,
        tol=None,
        record_path=True,
        precompute=precompute,
    ).fit(X, y, coef_init=[15, -2], intercept_init=10)
    losses, path = numpy_mini_batches(
        raw_columns(X), y, np.array([15.0, -2.0, 10.0]), step_rule(solver, lr), 8, 64, 7
    )
    assert model.precompute_ is False
    np.testing.assert_allclose(model.loss_curve_, losses, rtol=1e-9)
    np.testing.assert_allclose(model.coef_path_, path[:, :2], rtol=1e-9)
    np.testing.assert_allclose(model.intercept_path_, path[:, 2], rtol=1e-9)


@pytest.mark.parametrize("shuffle", [True, False])
def test_standardized_weighted_mini_batches_equal_the_numpy_loop(shuffle):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(250, 2)) + [1.0, -2.0]
    y = X[:, 0] ** 2 + X[:, 1] + rng.normal(size=250)
    w = rng.uniform(0.2, 2.0, size=250)
    w[:30] = 0.0  # rows of weight 0 are not drawn
    model = QuadraticGDRegressor(
        solver="momentum",
        learning_rate=0.01,
        momentum=0.5,
        batch_size=16,
        shuffle=shuffle,
        random_state=3,
        max_iter=6,
        tol=None,
    ).fit(X, y, w)
    Phi = standardized_columns(X[w > 0], w[w > 0])
    Phi_all = np.zeros((250, Phi.shape[1]))
    Phi_all[w > 0] = Phi
    losses, path = numpy_mini_batches(
        Phi_all,
        y,
        np.zeros(Phi.shape[1]),
        step_rule("momentum", 0.01, momentum=0.5),
        6,
        16,
        3 if shuffle else None,
        w,
    )
    np.testing.assert_allclose(model.loss_curve_, losses, rtol=1e-9)
    expected = np.linalg.lstsq(raw_columns(X[w > 0]), Phi @ path[-1], rcond=None)[0]
    np.testing.assert_allclose(model.coef_, expected[:-1], rtol=1e-8)
    np.testing.assert_allclose(model.intercept_, expected[-1], rtol=1e-9)


def test_reproducible_with_random_state_and_converges_on_the_article(article):
    X, y = article

    def fit(seed):
        return QuadraticGDRegressor(batch_size=32, random_state=seed).fit(X, y)

    first, again, other = fit(0), fit(0), fit(1)
    assert first.loss_curve_ == again.loss_curve_
    np.testing.assert_array_equal(first.coef_, again.coef_)
    assert other.loss_curve_ != first.loss_curve_
    # The article's data lie exactly on the curve: every sample's gradient
    # vanishes at the minimum, and mini-batch descent converges to it.
    for model in (first, other):
        assert model.stop_reason_ == "tol"
        np.testing.assert_allclose([*model.coef_, model.intercept_], [10, 5, 12])


def test_a_batch_as_large_as_the_data_is_the_full_batch(article):
    X, y = article
    full = QuadraticGDRegressor(max_iter=30, tol=None).fit(X, y)
    batch = QuadraticGDRegressor(max_iter=30, tol=None, batch_size=5000).fit(X, y)
    np.testing.assert_allclose(batch.loss_curve_, full.loss_curve_, rtol=1e-12)
    assert batch.learning_rate_ == full.learning_rate_
    assert batch.precompute_ is True


def test_auto_step_is_the_batch_step_and_momentum_keeps_its_effective_step():
    rng = np.random.default_rng(2)
    X = rng.standard_t(5, size=(500, 2))  # heavy tails: some samples curve a lot
    y = X[:, 0] ** 2 - X[:, 1] + rng.normal(size=500)
    Phi = standardized_columns(X, np.ones(500))
    beta = float((Phi**2).sum(axis=1).max())
    lam = float(np.linalg.eigvalsh(Phi.T @ Phi / 500)[-1])
    b = 20
    step = b / (2 * (beta + (b - 1) * lam))
    settings = {"batch_size": b, "max_iter": 2, "tol": None, "random_state": 0}
    gd = QuadraticGDRegressor(**settings).fit(X, y)
    assert gd.learning_rate_ == pytest.approx(step, rel=1e-9)
    # Smaller than the full batch's 1 / (2 lam), larger than a sample's.
    assert 1 / (2 * beta) < gd.learning_rate_ < 1 / (2 * lam)
    heavy = QuadraticGDRegressor(solver="momentum", **settings).fit(X, y)
    assert heavy.momentum_ == 0.9
    assert heavy.learning_rate_ == pytest.approx(0.1 * step, rel=1e-9)


def test_noisy_mini_batches_warn_and_say_why():
    X, y = make_quadratic(500, noise=1.0, random_state=0)
    with pytest.warns(ConvergenceWarning, match="Mini-batch gradients are noisy"):
        QuadraticGDRegressor(batch_size=10, random_state=0, max_iter=50).fit(X, y)


def test_early_stopping_draws_batches_from_the_training_rows_only():
    X, y = make_quadratic(300, noise=0.5, random_state=2)
    seed, lr = 5, 0.01
    model = QuadraticGDRegressor(
        batch_size=25,
        learning_rate=lr,
        early_stopping=True,
        validation_fraction=0.2,
        random_state=seed,
        max_iter=10,
        tol=None,
        standardize=False,
    ).fit(X, y)
    held = np.zeros(300, bool)
    held[np.random.RandomState(seed).permutation(300)[: math.ceil(0.2 * 300)]] = True
    Phi = raw_columns(X)
    losses, path = numpy_mini_batches(
        Phi[~held], y[~held], np.zeros(3), step_rule("gd", lr), 10, 25, seed
    )
    np.testing.assert_allclose(model.loss_curve_, losses, rtol=1e-9)
    validation = [
        loss_and_gradient(Phi[held], y[held], t, np.ones(60))[0] for t in path
    ]
    np.testing.assert_allclose(model.validation_loss_curve_, validation[:-1], rtol=1e-9)
    best = int(np.argmin(validation[:-1]))
    assert model.best_iter_ == best
    np.testing.assert_allclose(model.intercept_, path[best][2], rtol=1e-9)


@pytest.mark.parametrize(
    "settings, call, match",
    [
        ({"precompute": True}, "fit", "precompute=True runs every epoch"),
        ({}, "partial_fit", "partial_fit does not support batch_size"),
    ],
)
def test_combinations_that_cannot_run_are_refused_before_any_work(
    settings, call, match
):
    X, y = make_quadratic(50, random_state=0)
    model = QuadraticGDRegressor(batch_size=8, **settings)
    with pytest.raises(ValueError, match=match):
        getattr(model, call)(X, y)
    assert not hasattr(model, "coef_")


def test_too_large_a_step_diverges_with_advice():
    X, y = make_quadratic(200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="raise batch_size") as info:
            QuadraticGDRegressor(batch_size=4, learning_rate=3.0, random_state=0).fit(
                X, y
            )
    assert "Mini-batch gradient descent (batch_size=4) diverged" in str(info.value)
