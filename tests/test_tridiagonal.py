# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Large Hessians in tridiagonal form: the algebra, and the epochs it steps.

From ``TRIDIAGONAL_FROM`` parameters the statistics engine reduces the Hessian
to ``Q T Q^T`` and descends on ``Q^T theta`` instead of eigendecomposing it.
The reduction is checked against the matrix it reduces (products, solves,
eigenvalues), and fits that take it against the plain numpy loop of
``tests/test_optimizers.py``'s kind, and against the same fits in closed form.
"""

import warnings

import numpy as np
import pytest
from _oracles import loss_and_gradient, raw_columns, standardized_columns, step_rule
from sklearn.exceptions import ConvergenceWarning

import sklearn_quadneuron._objective as objectives
from sklearn_quadneuron import (
    CollinearityWarning,
    DivergenceError,
    QuadraticGDRegressor,
)
from sklearn_quadneuron._linalg import TRIDIAGONAL_FROM, Tridiagonal


def spd(p, seed=0, rank=None):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(rank or 2 * p, p))
    return A.T @ A / A.shape[0]


@pytest.mark.parametrize("p", [1, 2, 3, 60])
def test_the_reduction_reproduces_the_matrix(p):
    H = spd(p)
    tri = Tridiagonal(H)
    Q = tri.from_basis(np.eye(p))
    T = np.diag(tri.diagonal) + np.diag(tri.off, 1) + np.diag(tri.off, -1)
    np.testing.assert_allclose(Q.T @ Q, np.eye(p), atol=1e-13)
    np.testing.assert_allclose(Q @ T @ Q.T, H, atol=1e-13)
    np.testing.assert_allclose(tri.to_basis(Q), np.eye(p), atol=1e-13)
    x = np.random.default_rng(1).normal(size=(4, p, 2))
    # Products and solves in the tridiagonal basis are H's, and H^-1's.
    np.testing.assert_allclose(
        tri.from_basis(tri.matmul(tri.to_basis(x))), H @ x, rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        tri.from_basis(tri.solve(tri.to_basis(x))),
        np.linalg.solve(H, x),
        rtol=1e-10,
        atol=1e-10,
    )
    eigenvalues = np.linalg.eigvalsh(H)
    assert tri.lam_min == pytest.approx(eigenvalues[0], rel=1e-12)
    assert tri.lam_max == pytest.approx(eigenvalues[-1], rel=1e-12)
    assert tri.definite
    # The certificate g^T H^-1 g / 4, summed over targets with their weights.
    weights = np.array([1.0, 0.25])
    expected = 0.25 * np.einsum("npk,npk,k->n", x, np.linalg.solve(H, x), weights)
    np.testing.assert_allclose(tri.gap(tri.to_basis(x), weights), expected, rtol=1e-10)
    lam, V, keep, lam_max = tri.eigen()
    np.testing.assert_allclose(V @ np.diag(lam) @ V.T, H, atol=1e-12)
    np.testing.assert_allclose(V.T @ V, np.eye(p), atol=1e-12)
    assert keep.all() and lam_max == pytest.approx(np.linalg.eigvalsh(H)[-1])


def test_a_singular_matrix_is_not_definite_and_its_flat_modes_are_masked():
    H = spd(30, rank=20)
    tri = Tridiagonal(H)
    assert not tri.definite
    assert abs(tri.lam_min) <= 1e-13 * tri.lam_max
    lam, V, keep, _ = tri.eigen()
    np.testing.assert_allclose(V @ np.diag(lam) @ V.T, H, atol=1e-12)
    assert np.count_nonzero(~keep) == 10


def test_a_mode_curved_below_the_cut_off_is_flat():
    # Positive but 1e-15 of the largest: rounding, not curvature. The form is
    # not definite (its solve would divide by rounding), as eigen() calls the
    # mode flat; just above the cut-off it is curved.
    for small, definite in [(1e-15, False), (1e-11, True)]:
        tri = Tridiagonal(np.diag([1.0, small, 0.5]))
        assert tri.lam_min == small
        assert tri.definite is definite
        assert bool(tri.eigen()[2].all()) is definite


def numpy_descent(Phi, y, theta0, update, epochs, w):
    theta, losses = theta0.copy(), []
    for _ in range(epochs):
        loss, g = loss_and_gradient(Phi, y, theta, w)
        losses.append(loss)
        theta = update(theta, g)
    return np.array(losses), theta


@pytest.fixture(scope="module")
def wide():
    """Just enough features for the tridiagonal form: 2p + 1 >= TRIDIAGONAL_FROM."""
    n_features = TRIDIAGONAL_FROM // 2
    rng = np.random.default_rng(5)
    X = rng.normal(size=(3 * n_features, n_features)) + rng.normal(size=n_features)
    y = X**2 @ rng.normal(size=n_features) + X @ rng.normal(size=n_features)
    y += rng.normal(size=len(y))
    w = rng.uniform(0.5, 1.5, size=len(y))
    w[::7] = 0.0
    return X, y, w


@pytest.fixture
def no_eigendecomposition(monkeypatch):
    """Fail on any dense eigendecomposition: the tridiagonal form must serve."""

    def forbidden(*args, **kwargs):
        raise AssertionError("numpy.linalg.eigh was called")

    monkeypatch.setattr(np.linalg, "eigh", forbidden)


@pytest.mark.parametrize("solver", ["gd", "momentum", "nesterov"])
def test_wide_fits_equal_the_numpy_loop(wide, solver, no_eigendecomposition):
    X, y, w = wide
    lr = 0.02
    model = QuadraticGDRegressor(
        solver=solver, learning_rate=lr, momentum=0.8, max_iter=40, tol=None
    ).fit(X, y, w, coef_init=np.zeros(2 * X.shape[1]), intercept_init=1.0)
    carry = w > 0
    Phi = standardized_columns(X[carry], w[carry])
    assert Phi.shape[1] >= TRIDIAGONAL_FROM
    # From a constant prediction of 1: the intercept's column alone.
    theta0 = np.zeros(Phi.shape[1])
    theta0[-1] = 1.0
    update = step_rule(solver, lr, momentum=0.8)
    losses, theta = numpy_descent(Phi, y[carry], theta0, update, 40, w[carry])
    np.testing.assert_allclose(model.loss_curve_, losses, rtol=1e-9)
    prediction = Phi @ theta
    fitted = model.predict(X[carry])
    np.testing.assert_allclose(fitted, prediction, rtol=1e-8, atol=1e-8)


def test_a_wide_fit_converges_to_least_squares_without_an_eigendecomposition(
    wide, no_eigendecomposition
):
    X, y, w = wide
    model = QuadraticGDRegressor(solver="nesterov", max_iter=100_000).fit(X, y, w)
    assert model.stop_reason_ == "tol"
    carry = w > 0
    Z = raw_columns(X[carry]) * np.sqrt(w[carry])[:, None]
    solution = np.linalg.lstsq(Z, y[carry] * np.sqrt(w[carry]), rcond=None)[0]
    fitted = model.predict(X[carry])
    expected = raw_columns(X[carry]) @ solution
    spread = np.std(expected)
    np.testing.assert_allclose(fitted, expected, atol=1e-3 * spread)


@pytest.fixture
def everywhere(monkeypatch):
    """The tridiagonal form from one parameter on: small problems take it too."""
    monkeypatch.setattr(objectives, "TRIDIAGONAL_FROM", 1)


def fit_both_ways(monkeypatch, make, *args, **kwargs):
    """The same fit in closed form (eigendecomposition) and tridiagonal form."""
    monkeypatch.setattr(objectives, "TRIDIAGONAL_FROM", 10**9)
    closed = make().fit(*args, **kwargs)
    monkeypatch.setattr(objectives, "TRIDIAGONAL_FROM", 1)
    stepped = make().fit(*args, **kwargs)
    return closed, stepped


@pytest.mark.parametrize(
    "params",
    [
        {"max_iter": 300, "tol": None, "record_path": True},
        {"max_iter": 300, "tol": None, "alpha": 0.3},
        {"max_iter": 10_000},
        {"max_iter": 300, "tol": None, "solver": "momentum"},
    ],
)
def test_small_fits_in_tridiagonal_form_equal_the_closed_form(monkeypatch, params):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 3)) * [1.0, 5.0, 0.1] + [0.0, 2.0, 1.0]
    Y = np.column_stack([X[:, 0] ** 2 - X[:, 1], 100.0 * X[:, 2]])
    Y += rng.normal(size=Y.shape)
    w = rng.uniform(0.0, 2.0, size=200)
    w[:20] = 0.0
    closed, stepped = fit_both_ways(
        monkeypatch, lambda: QuadraticGDRegressor(**params), X, Y, w
    )
    assert stepped.n_iter_ == closed.n_iter_
    assert stepped.stop_reason_ == closed.stop_reason_
    np.testing.assert_allclose(stepped.loss_curve_, closed.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(stepped.coef_, closed.coef_, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(stepped.intercept_, closed.intercept_, rtol=1e-9)
    if params.get("record_path"):
        np.testing.assert_allclose(
            stepped.coef_path_, closed.coef_path_, rtol=1e-9, atol=1e-10
        )


def test_an_unconverged_fit_in_tridiagonal_form_gives_the_same_advice(monkeypatch):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 4))
    y = X**2 @ [1.0, -2.0, 0.5, 3.0] + X @ [1.0, 0.0, 2.0, -1.0]
    y += rng.normal(size=300)
    texts = []
    for threshold in (10**9, 1):
        monkeypatch.setattr(objectives, "TRIDIAGONAL_FROM", threshold)
        with pytest.warns(ConvergenceWarning) as record:
            QuadraticGDRegressor(max_iter=5).fit(X, y)
        texts.append(str(record[0].message))
    assert "needs" in texts[0] and "epochs" in texts[0]
    assert texts[1] == texts[0]


def test_too_large_a_step_diverges_at_the_same_epoch(monkeypatch):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(100, 2))
    y = X[:, 0] ** 2 + X[:, 1]
    epochs = []
    for threshold in (10**9, 1):
        monkeypatch.setattr(objectives, "TRIDIAGONAL_FROM", threshold)
        with pytest.raises(DivergenceError, match="learning_rate") as error:
            QuadraticGDRegressor(learning_rate=5.0).fit(X, y)
        epochs.append(str(error.value))
    assert epochs[1] == epochs[0]


def test_huge_initial_values_are_out_of_range_in_tridiagonal_form(everywhere):
    X = np.random.default_rng(0).normal(size=(50, 1))
    with pytest.raises(ValueError, match="coef_init|Rescale|initial"):
        QuadraticGDRegressor().fit(X, X[:, 0] ** 2, coef_init=[1e300, 1e300])


def test_collinear_features_fall_back_to_the_eigendecomposition(everywhere):
    # A repeated feature is aliased (named in a warning, and nothing else is
    # warned about), and the fit is least squares.
    rng = np.random.default_rng(8)
    x = rng.normal(size=(200, 1))
    X = np.hstack([x, x, rng.normal(size=(200, 1))])
    y = 2 * x[:, 0] ** 2 - x[:, 0] + X[:, 2] + 0.01 * rng.normal(size=200)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = QuadraticGDRegressor(solver="nesterov", max_iter=100_000).fit(X, y)
    assert [w.category for w in caught] == [CollinearityWarning]
    solution = np.linalg.lstsq(raw_columns(X), y, rcond=None)[0]
    np.testing.assert_allclose(
        model.predict(X), raw_columns(X) @ solution, atol=1e-4 * np.std(y)
    )


def blas_threads():
    from threadpoolctl import ThreadpoolController

    controller = ThreadpoolController().select(user_api="blas")
    return [lib.num_threads for lib in controller.lib_controllers]


def test_the_reduction_takes_blas_threads_back_inside_a_limit(monkeypatch):
    from scipy.linalg import lapack

    from sklearn_quadneuron._linalg import one_blas_thread

    seen = []
    reduce = lapack.dsytrd

    def spy(*args, **kwargs):
        seen.append(blas_threads())
        return reduce(*args, **kwargs)

    monkeypatch.setattr(lapack, "dsytrd", spy)
    own = blas_threads()
    with one_blas_thread():
        Tridiagonal(spd(10))
        inside = blas_threads()
    # The reduction ran on BLAS's own setting; the limit holds again after it,
    # and ends as it began.
    assert seen == [own]
    assert inside == [1] * len(own)
    assert blas_threads() == own
    Tridiagonal(spd(10))
    assert seen[-1] == own and blas_threads() == own


def test_extreme_scales_and_a_far_outlier_of_weight_zero_give_least_squares(
    everywhere, no_eigendecomposition
):
    # Features of 1e-100 and 1e100, and a row of weight 0 far beyond float64's
    # squares: the tridiagonal route must reach the weighted least squares of
    # the rows that carry weight, as the closed form does.
    rng = np.random.default_rng(9)
    X = rng.normal(size=(300, 3)) * [1e-100, 1.0, 1e100] + [0.0, 5.0, 0.0]
    U = X / [1e-100, 1.0, 1e100]
    y = U[:, 0] ** 2 - 3 * U[:, 1] + U[:, 2] + 0.1 * rng.normal(size=300)
    w = rng.uniform(0.5, 2.0, size=300)
    X[7] = [1e-10, 1e200, 1e290]
    y[7] = 1e300
    w[7] = 0.0
    model = QuadraticGDRegressor(solver="nesterov", max_iter=100_000).fit(X, y, w)
    assert model.stop_reason_ == "tol"
    carry = w > 0
    Phi = standardized_columns(X[carry], w[carry])
    root = np.sqrt(w[carry])
    theta = np.linalg.lstsq(Phi * root[:, None], y[carry] * root, rcond=None)[0]
    np.testing.assert_allclose(
        model.predict(X[carry]), Phi @ theta, atol=1e-4 * np.std(y[carry])
    )


def test_rounding_of_the_tridiagonal_losses_is_not_divergence():
    # 250 features (501 parameters: the tridiagonal form), two of them 1e-5
    # apart: the losses read about the minimum round at 1e-6 of the loss, and
    # a rise by that much was taken for divergence (DivergenceError with the
    # step 'auto' picks). Plain gradient descent is slow here, and says so.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1200, 250))
    X[:, 1] = X[:, 0] + 1e-5 * rng.normal(size=1200)
    y = X[:, 0] ** 2 - X[:, 2] + rng.normal(0, 0.1, 1200)
    model = QuadraticGDRegressor(max_iter=300)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        model.fit(X, y)
    assert model.stop_reason_ == "max_iter"
    curve = np.asarray(model.loss_curve_)
    assert curve[-1] < 0.01 * curve[0]
    # What the loss did between epochs is rounding: never a rise of more than
    # 1e-5 of itself.
    assert np.all(np.diff(curve) <= 1e-5 * curve[1:])


def test_the_model_returned_is_certified_on_the_factor(everywhere, monkeypatch):
    # The descent certifies its stop on the tridiagonal form. Were that form's
    # certificate wrong (here: it says every epoch is at the minimum), the
    # model returned is still checked on R itself: within tol of the least
    # squares minimum, or not "tol".
    monkeypatch.setattr(objectives.RotatedGramObjective, "gap", lambda self, g: 0.0)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3))
    y = X[:, 0] ** 2 - X[:, 1] + rng.normal(0, 0.1, 400)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        model = QuadraticGDRegressor(max_iter=5).fit(X, y)
    assert model.stop_reason_ == "stalled"
    design = np.column_stack([X**2, X, np.ones(400)])
    best = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    fitted = model.predict(X)
    assert np.mean((y - fitted) ** 2) > (1 + 1e-6) * np.mean((y - best) ** 2)
