# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Every solver, epoch by epoch, against a plain numpy loop written here.

The loops below compute the loss and the analytic gradient from the expanded
columns themselves, and apply the update rules as scikit-learn's MLP writes
them; they share no code with the package. On the raw basis they run in the
data's units (the article's setting); on the standardized basis over the
columns built from their definition, as ``tests/test_features.py`` builds them.
"""

import math
import warnings

import numpy as np
import pytest
from _oracles import loss_and_gradient, raw_columns, standardized_columns, step_rule
from sklearn.datasets import load_diabetes, load_linnerud
from sklearn.exceptions import ConvergenceWarning

from sklearn_quadneuron import (
    CollinearityWarning,
    DivergenceError,
    QuadraticGDRegressor,
)
from sklearn_quadneuron.datasets import make_ill_conditioned, make_quadratic

SOLVERS = ["gd", "momentum", "nesterov", "adam"]


def numpy_descent(Phi, y, theta0, update, epochs, w=None):
    """Record the loss, then update with the full-batch gradient."""
    w = np.ones(len(y)) if w is None else w
    theta, losses, path = theta0.copy(), [], [theta0.copy()]
    for _ in range(epochs):
        loss, g = loss_and_gradient(Phi, y, theta, w)
        losses.append(loss)
        theta = update(theta, g)
        path.append(theta.copy())
    return np.array(losses), np.array(path)


def in_data_units(X, Phi, path):
    """Each parameter vector of the standardized basis as [*coef, intercept]."""
    raw = raw_columns(X)
    return np.array(
        [np.linalg.lstsq(raw, Phi @ theta, rcond=None)[0] for theta in path]
    )


@pytest.fixture(scope="module")
def article():
    return make_quadratic(1000, random_state=0)


@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize("solver", SOLVERS)
def test_raw_basis_equals_the_numpy_loop_from_the_article_start(
    article, solver, precompute
):
    X, y = article
    lr = 0.02 if solver == "nesterov" else 0.1
    model = QuadraticGDRegressor(
        solver=solver,
        learning_rate=lr,
        momentum=0.9,
        standardize=False,
        max_iter=50,
        tol=None,
        record_path=True,
        precompute=precompute,
    ).fit(X, y, coef_init=[15, -2], intercept_init=10)
    losses, path = numpy_descent(
        raw_columns(X), y, np.array([15.0, -2.0, 10.0]), step_rule(solver, lr), 50
    )
    assert model.n_iter_ == 50 and model.solver_ == solver
    assert model.precompute_ is precompute
    np.testing.assert_allclose(model.loss_curve_, losses, rtol=1e-9)
    np.testing.assert_allclose(model.coef_path_, path[:, :2], rtol=1e-9)
    np.testing.assert_allclose(model.intercept_path_, path[:, 2], rtol=1e-9)
    np.testing.assert_allclose(model.coef_, path[-1, :2], rtol=1e-9)
    assert model.learning_rate_ == lr
    assert model.momentum_ == {"gd": 0.0, "adam": None}.get(solver, 0.9)


@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize("solver", SOLVERS)
def test_standardized_basis_equals_the_numpy_loop(solver, precompute):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 2)) * [1.0, 3.0] + [0.5, -1.0]
    y = X[:, 0] ** 2 - 2 * X[:, 1] + 0.1 * X[:, 1] ** 2 + rng.normal(size=300)
    w = rng.uniform(0.5, 1.5, size=300)
    coef_init, intercept_init = np.array([1.0, 0.5, -1.0, 2.0]), 3.0
    lr = 0.05
    model = QuadraticGDRegressor(
        solver=solver,
        learning_rate=lr,
        momentum=0.8,
        beta_1=0.8,
        beta_2=0.99,
        epsilon=1e-6,
        max_iter=40,
        tol=None,
        record_path=True,
        precompute=precompute,
    ).fit(X, y, w, coef_init=coef_init, intercept_init=intercept_init)
    Phi = standardized_columns(X, w)
    start = raw_columns(X) @ np.append(coef_init, intercept_init)
    theta0 = np.linalg.lstsq(Phi, start, rcond=None)[0]
    update = step_rule(solver, lr, momentum=0.8, beta_1=0.8, beta_2=0.99, epsilon=1e-6)
    losses, path = numpy_descent(Phi, y, theta0, update, 40, w)
    np.testing.assert_allclose(model.loss_curve_, losses, rtol=1e-9)
    expected = in_data_units(X, Phi, path)
    np.testing.assert_allclose(model.coef_path_, expected[:, :4], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(model.intercept_path_, expected[:, 4], rtol=1e-9)


@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("solver", ["momentum", "nesterov"])
def test_losses_at_an_exact_fit_are_never_negative(article, solver, standardize):
    # The data lie on the curve: the minimum is 0, reached to rounding.
    X, y = article
    model = QuadraticGDRegressor(
        solver=solver, standardize=standardize, max_iter=300, tol=None
    ).fit(X, y)
    assert min(model.loss_curve_) >= 0.0
    assert model.loss_curve_[-1] < 1e-20


def test_several_targets_descend_each_in_its_own_units():
    # Adam steps in the units of y: a target a thousand times larger takes the
    # same steps, so it gets a thousand times less far in relative terms.
    X, y = make_quadratic(200, noise=0.5, random_state=1)
    Y = np.column_stack([y, 1000 * y])
    model = QuadraticGDRegressor(
        solver="adam", learning_rate=0.1, max_iter=30, tol=None, standardize=False
    ).fit(X, Y)
    for t, target in enumerate(Y.T):
        single = QuadraticGDRegressor(
            solver="adam", learning_rate=0.1, max_iter=30, tol=None, standardize=False
        ).fit(X, target)
        np.testing.assert_allclose(model.coef_[t], single.coef_, rtol=1e-9)
    losses, _ = numpy_descent(
        raw_columns(X), Y, np.zeros((3, 2)), step_rule("adam", 0.1), 30
    )
    np.testing.assert_allclose(model.loss_curve_, losses, rtol=1e-9)


def hessian_extremes(Phi, w=None):
    """``L`` and ``m``: twice the extreme eigenvalues of ``Phi^T W Phi / sum(w)``."""
    w = np.ones(Phi.shape[0]) if w is None else w
    lam = np.linalg.eigvalsh(Phi.T @ (w[:, None] * Phi) / w.sum())
    return 2 * lam[-1], 2 * lam[0]


@pytest.mark.parametrize("precompute", [True, False])
def test_auto_is_tuned_to_the_extreme_eigenvalues(precompute):
    rng = np.random.default_rng(5)
    z = rng.normal(size=(400, 2))
    X = np.column_stack([z[:, 0], z[:, 0] + 0.1 * z[:, 1]])  # collinear
    y = X[:, 0] - X[:, 1] ** 2 + rng.normal(size=400)
    L, m = hessian_extremes(standardized_columns(X, np.ones(400)))
    fits = {
        solver: QuadraticGDRegressor(
            solver=solver, precompute=precompute, max_iter=3, tol=None
        ).fit(X, y)
        for solver in SOLVERS
    }
    assert fits["gd"].learning_rate_ == pytest.approx(1 / L, rel=1e-9)
    heavy = fits["momentum"]
    assert heavy.learning_rate_ == pytest.approx(
        4 / (math.sqrt(L) + math.sqrt(m)) ** 2, rel=1e-9
    )
    assert heavy.momentum_ == pytest.approx(
        ((math.sqrt(L) - math.sqrt(m)) / (math.sqrt(L) + math.sqrt(m))) ** 2, rel=1e-9
    )
    nesterov = fits["nesterov"]
    assert nesterov.learning_rate_ == pytest.approx(1 / L, rel=1e-9)
    assert nesterov.momentum_ == pytest.approx(
        (math.sqrt(L) - math.sqrt(m)) / (math.sqrt(L) + math.sqrt(m)), rel=1e-9
    )
    # Adam: MLPRegressor's 0.001, in units of the standard deviation of y.
    assert fits["adam"].learning_rate_ == pytest.approx(1e-3 * np.std(y), rel=1e-9)
    assert fits["adam"].momentum_ is None


# -- "auto" on real data: momentum needs a fraction of the epochs ---------------


def real_data():
    diabetes, linnerud = load_diabetes(), load_linnerud()
    return {
        "diabetes": (diabetes.data, diabetes.target),
        "linnerud": (linnerud.data, linnerud.target),
        "ill-conditioned": make_ill_conditioned(random_state=0),
    }


@pytest.fixture(scope="module")
def epochs_to_certify():
    """Epochs each solver needs to certify tol=1e-6, with the defaults."""
    counts = {}
    for name, (X, y) in real_data().items():
        for solver in ("gd", "momentum", "nesterov"):
            model = QuadraticGDRegressor(solver=solver, max_iter=100_000).fit(X, y)
            assert model.stop_reason_ == "tol"
            counts[name, solver] = model.n_iter_
            # Certified: the training loss is within tol of the least-squares one.
            Phi = raw_columns(X)
            fitted = Phi @ np.vstack([np.atleast_2d(model.coef_).T, model.intercept_])
            best = np.linalg.lstsq(Phi, y, rcond=None)[0]
            Y = y.reshape(len(y), -1)
            least = np.mean((Phi @ best.reshape(Phi.shape[1], -1) - Y) ** 2)
            assert np.mean((fitted - Y) ** 2) <= least * (1 + 2e-6)
    return counts


# Momentum's advantage grows as the square root of the curvature ratio of the
# loss: diabetes (about 7000) and the ill-conditioned set (about 200) gain ten
# times and more; linnerud's ratio is about 12, where the theory's asymptotic
# gain, log(1 - 1/12) / log((sqrt(12) - 1) / (sqrt(12) + 1)) ~ 6.6 for the
# heavy ball, is eaten partly by the first epochs.
SPEEDUP = {
    ("diabetes", "momentum"): 5,
    ("diabetes", "nesterov"): 5,
    ("ill-conditioned", "momentum"): 5,
    ("ill-conditioned", "nesterov"): 5,
    ("linnerud", "momentum"): 3.5,
    ("linnerud", "nesterov"): 2.5,
}


@pytest.mark.parametrize("name, solver", list(SPEEDUP))
def test_momentum_needs_a_fraction_of_the_epochs(epochs_to_certify, name, solver):
    gd = epochs_to_certify[name, "gd"]
    assert epochs_to_certify[name, solver] * SPEEDUP[name, solver] <= gd


def test_the_measured_epochs(epochs_to_certify):
    # The table of the User Guide (docs/user_guide.rst, "Optimizers"), within
    # a few epochs of rounding.
    table = {
        "diabetes": (36195, 585, 600),
        "linnerud": (76, 19, 26),
        "ill-conditioned": (1103, 115, 93),
    }
    for name, counts in table.items():
        measured = [epochs_to_certify[name, s] for s in ("gd", "momentum", "nesterov")]
        np.testing.assert_allclose(measured, counts, rtol=0.02, atol=2)


# -- free epochs: on the statistics, no epoch reads the data ---------------------


@pytest.mark.parametrize("solver", SOLVERS)
def test_epochs_on_the_statistics_never_read_the_data(solver, monkeypatch):
    import sklearn_quadneuron._solve as solve_module
    import sklearn_quadneuron._statistics as statistics_module

    def no_pass(*args, **kwargs):
        raise AssertionError("an epoch read the data")

    passes = []
    gather = statistics_module.gather

    def counted(*args, **kwargs):
        passes.append(1)
        return gather(*args, **kwargs)

    monkeypatch.setattr(solve_module, "DataObjective", no_pass)
    monkeypatch.setattr(statistics_module, "gather", counted)
    X, y = make_quadratic(5000, noise=1.0, random_state=0)
    model = QuadraticGDRegressor(solver=solver, max_iter=3000, tol=None).fit(X, y)
    assert model.n_iter_ == 3000 and model.precompute_ is True
    assert passes == [1]


# -- what a user is told ---------------------------------------------------------


@pytest.mark.parametrize("solver", ["momentum", "nesterov"])
def test_too_large_a_step_with_momentum_names_both_and_the_limit(solver):
    X, y = make_quadratic(500, noise=1.0, random_state=0)
    Phi = standardized_columns(X, np.ones(500))
    lam_max = np.linalg.eigvalsh(Phi.T @ Phi / 500)[-1]
    limit = 1.9 / lam_max / (2.8 if solver == "nesterov" else 1.0)
    model = QuadraticGDRegressor(solver=solver, learning_rate=1.2 * limit, momentum=0.9)
    with pytest.raises(DivergenceError) as info:
        model.fit(X, y)
    message = str(info.value)
    assert "learning_rate=" in message and "momentum=0.9" in message
    stated = float(message.split("steps of ")[1].split(" or more")[0])
    assert stated == pytest.approx(limit, rel=1e-5)
    # Just inside the limit it converges.
    QuadraticGDRegressor(solver=solver, learning_rate=0.9 * limit, momentum=0.9).fit(
        X, y
    )


def test_adam_that_falls_short_says_what_to_do():
    X, y = load_diabetes(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="solver='nesterov'") as record:
        model = QuadraticGDRegressor(solver="adam").fit(X, y)
    assert "Adam moves each parameter by about learning_rate" in str(record[0].message)
    assert model.stop_reason_ == "max_iter"


def test_momentum_with_own_constants_that_falls_short_points_to_auto():
    X, y = load_diabetes(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="momentum='auto' tune both"):
        QuadraticGDRegressor(solver="momentum", momentum=0.5).fit(X, y)


@pytest.mark.parametrize("solver", SOLVERS)
def test_both_engines_stop_at_the_same_epoch(solver):
    # Epochs that read the data carry the rounding of a pass: the stall rule
    # watches them, and must wait out momentum's and Adam's swings.
    X, y = load_diabetes(return_X_y=True)
    fits = [
        QuadraticGDRegressor(solver=solver, precompute=precompute, max_iter=50_000).fit(
            X, y
        )
        for precompute in (True, False)
    ]
    assert [fit.stop_reason_ for fit in fits] == ["tol", "tol"]
    assert fits[0].n_iter_ == fits[1].n_iter_
    # Both certified within tol of the same minimum (along the flattest
    # directions the coefficients themselves may differ more).
    losses = [fit.loss_curve_[-1] for fit in fits]
    np.testing.assert_allclose(losses[0], losses[1], rtol=2e-6)


def test_adam_auto_on_a_constant_target_takes_its_magnitude():
    X = np.random.default_rng(0).normal(size=(50, 1))
    model = QuadraticGDRegressor(solver="adam", max_iter=1, tol=None)
    assert model.fit(X, np.full(50, -40.0)).learning_rate_ == pytest.approx(0.04)


@pytest.mark.parametrize("solver", ["momentum", "nesterov"])
def test_fewer_samples_than_parameters_tune_on_the_curved_directions(solver):
    # Two samples, five parameters: three directions are flat. "auto" is tuned
    # on the curved ones, on the statistics and reading the data alike (a
    # momentum of 1 from a flat direction would never settle).
    X = np.array([[-0.13, 0.10], [0.64, -0.54]])
    y = np.array([5.7, 4.1])
    with warnings.catch_warnings():
        # On the statistics the terms two samples cannot tell apart are
        # aliased, and named (tests/test_newton.py asserts that warning).
        warnings.simplefilter("ignore", CollinearityWarning)
        fits = [
            QuadraticGDRegressor(solver=solver, precompute=precompute).fit(X, y)
            for precompute in (True, False)
        ]
    assert fits[0].momentum_ < 0.5
    assert [fit.stop_reason_ for fit in fits] == ["tol", "tol"]
    for fit in fits:
        np.testing.assert_allclose(fit.predict(X), y, rtol=1e-6)


def test_adam_on_raw_features_of_another_scale_points_to_standardize():
    X, y = make_quadratic(300, noise=1.0, random_state=0)
    model = QuadraticGDRegressor(solver="adam", standardize=False, max_iter=50)
    with pytest.warns(ConvergenceWarning, match="set standardize=True"):
        model.fit(1000 * X, y)
