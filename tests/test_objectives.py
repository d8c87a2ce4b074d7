# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The loss and the objectives the solvers use, against per-sample oracles.

The per-sample oracles of ``_oracles.py`` are first checked against central finite
differences; then the Gram objective (epochs on the statistics) and the data
objective (a pass per epoch) are each checked against them and against finite
differences of their own values, in the basis gradient descent runs on.
"""

import numpy as np
import pytest
from _oracles import (
    central_differences,
    loss_gradient_per_sample,
    squared_loss,
    standardized_columns,
)

from sklearn_quadneuron._basis import DescentBasis, StandardBasis
from sklearn_quadneuron._data_objective import DataObjective
from sklearn_quadneuron._objective import GramObjective, L2Penalty
from sklearn_quadneuron._statistics import (
    Moments,
    accumulate,
    feature_moments,
    reference_from,
)


def expanded(x):
    return np.column_stack([x**2, x, np.ones_like(x)])


@pytest.fixture
def problem():
    rng = np.random.default_rng(3)
    x = rng.normal(size=200)
    Y = np.column_stack([3 * x**2 - x + 2, -(x**2) + 0.5]) + rng.normal(size=(200, 2))
    theta = rng.normal(size=(3, 2))
    w = rng.uniform(0.1, 2.0, size=200)
    return expanded(x), Y, theta, w


def direct_loss(Phi, Y, theta, w, alpha, mask):
    r = Phi @ theta - Y
    return float((w[:, None] * r**2).sum() / w.sum()) + alpha * float(
        ((theta * mask[:, None]) ** 2).sum()
    )


@pytest.mark.parametrize("alpha", [0.0, 0.7])
def test_per_sample_gradient_matches_central_finite_differences(problem, alpha):
    Phi, Y, theta, w = problem
    mask = np.array([1.0, 1.0, 0.0])
    loss, grad = loss_gradient_per_sample(Phi, Y, theta, w, alpha, mask)
    assert loss == pytest.approx(direct_loss(Phi, Y, theta, w, alpha, mask))
    numeric = central_differences(
        lambda t: direct_loss(Phi, Y, t, w, alpha, mask), theta
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)


def test_intercept_gradient_is_twice_the_mean_residual(problem):
    # The exact derivative, not the article's mean(r).
    Phi, Y, theta, _ = problem
    _, grad = loss_gradient_per_sample(Phi, Y, theta)
    r = Phi @ theta - Y
    np.testing.assert_allclose(grad[2], 2 * r.mean(axis=0))
    np.testing.assert_allclose(grad[0], 2 * (Phi[:, :1] * r).mean(axis=0))


@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_penalty_value_and_gradient(problem, alpha):
    _, _, theta, _ = problem
    mask = np.array([1.0, 1.0, 0.0])
    penalty = L2Penalty(alpha, mask)
    assert penalty.value(theta) == pytest.approx(alpha * (theta[:2] ** 2).sum())
    numeric = central_differences(penalty.value, theta)
    np.testing.assert_allclose(
        np.broadcast_to(penalty.gradient(theta), theta.shape), numeric, atol=1e-8
    )
    np.testing.assert_allclose(penalty.hessian_diagonal(), alpha * mask)


def weighted_moments(Phi, Y, w):
    """The moments by numpy alone: Cholesky of the centered co-moment."""
    mean_phi = w @ Phi / w.sum()
    mean_y = w @ Y / w.sum()
    D = np.column_stack([Phi[:, :-1] - mean_phi[:-1], Y - mean_y])
    comoment = (w[:, None] * D).T @ D
    return Moments(mean_phi, mean_y, np.linalg.cholesky(comoment).T, w.sum())


def numpy_covariance(Phi, Y, w):
    """cov(phi) (constant's row and column 0), cov(phi, y), var(y), by numpy."""
    mean_phi, mean_y = w @ Phi / w.sum(), w @ Y / w.sum()
    dP, dY = Phi - mean_phi, Y - mean_y
    weighted = (w[:, None] * dP).T
    return weighted @ dP / w.sum(), weighted @ dY / w.sum(), w @ dY**2 / w.sum()


def test_moments_mse_and_objective_equal_the_direct_loss(problem):
    Phi, Y, theta, w = problem
    mask = np.array([1.0, 1.0, 0.0])
    moments = weighted_moments(Phi, Y, w)
    assert moments.mse(theta) == pytest.approx(
        squared_loss(Y, Phi @ theta, w), rel=1e-12
    )
    penalty = L2Penalty(0.4, mask)
    assert moments.mse(theta) + penalty.value(theta) == pytest.approx(
        direct_loss(Phi, Y, theta, w, 0.4, mask), rel=1e-12
    )


def test_moments_from_samples_and_per_column_mse(problem):
    Phi, Y, theta, w = problem
    moments = Moments.from_samples(Phi, Y, w)
    cov_phi, cov_phi_y, var_y = numpy_covariance(Phi, Y, w)
    np.testing.assert_allclose(moments.covariance()[0], cov_phi, atol=1e-12)
    np.testing.assert_allclose(moments.covariance()[1], cov_phi_y, atol=1e-12)
    residual_var = moments.residual_squares / moments.weight
    explained = (moments.projected**2).sum(axis=0) / moments.weight
    np.testing.assert_allclose(residual_var + explained, var_y, rtol=1e-12)
    per_column = moments.mse_per_column(theta)
    for t in range(Y.shape[1]):
        assert per_column[t] == pytest.approx(
            squared_loss(Y[:, t], Phi @ theta[:, t], w), rel=1e-12
        )
    # Moments of one target score every column against it: a grid of models.
    single = Moments.from_samples(Phi, Y[:, 0], w)
    grid = single.mse_per_column(theta)
    for t in range(theta.shape[1]):
        assert grid[t] == pytest.approx(
            squared_loss(Y[:, 0], Phi @ theta[:, t], w), rel=1e-12
        )


def test_moments_mse_keeps_the_digits_of_a_small_loss_under_a_large_mean():
    # y has a mean of 1e8 and the model misses it by 1e-3: the raw form
    # theta' G theta - 2 theta' h + mean(y^2) would lose every digit.
    rng = np.random.default_rng(0)
    x = rng.normal(size=1000)
    Phi = expanded(x)
    Y = (1e8 + x)[:, None]
    theta = np.array([[0.0], [1.0], [1e8 + 1e-3]])
    moments = weighted_moments(Phi, Y, np.ones(1000))
    # Per sample, each residual is formed exactly before squaring: the oracle.
    direct = np.mean((Phi @ theta - Y) ** 2)
    assert direct == pytest.approx(1e-6, rel=1e-3)
    # The mean of y itself is known to ulp(1e8) ~ 1.5e-8, which bounds the bias
    # of 1e-3 to ~1e-5 relative; the raw form would be off by ~1e8 times more.
    assert moments.mse(theta) == pytest.approx(direct, rel=1e-4)


def test_moments_gram_is_the_uncentered_second_moment(problem):
    Phi, Y, _, w = problem
    G, h = weighted_moments(Phi, Y, w).gram()
    np.testing.assert_allclose(G, (w[:, None] * Phi).T @ Phi / w.sum(), rtol=1e-12)
    np.testing.assert_allclose(h, (w[:, None] * Phi).T @ Y / w.sum(), rtol=1e-12)


def test_restricted_moments_are_those_of_the_kept_columns(problem):
    Phi, Y, theta, w = problem
    keep = np.array([False, True, True])
    restricted = Moments.from_samples(Phi, Y, w).restricted(keep)
    expected = weighted_moments(Phi[:, keep], Y, w)
    np.testing.assert_allclose(restricted.mean_phi, expected.mean_phi, atol=1e-12)
    np.testing.assert_allclose(
        restricted.mse_per_column(theta[keep]),
        expected.mse_per_column(theta[keep]),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        restricted.covariance()[0], expected.covariance()[0], atol=1e-12
    )


# -- the objectives the solvers descend on, both engines ---------------------


def objectives(standardize, alpha, n_features=2, n_targets=2, offset=3.0, seed=4):
    """Both objectives on the same weighted data, with what an oracle needs.

    The targets have scales a hundred times apart: each is gathered in units of
    its own, and the objectives' value sums their losses in one unit.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(300, n_features)) * [1.0, 0.5][:n_features] + offset
    Y = X[:, :1] ** 2 - X + rng.normal(size=(300, n_targets))
    Y *= np.geomspace(1.0, 100.0, n_targets)
    w = rng.uniform(0.2, 2.0, size=300)
    ref = reference_from(X, Y, w)
    ys = ref.y_scale
    c = (ys / ys.max()) ** 2
    stats = accumulate(X, Y, w, ref)
    basis = StandardBasis.from_statistics(stats)
    descent = DescentBasis(basis, standardize)
    gram = GramObjective(stats, descent, alpha, None, c)
    moments = feature_moments(X, Y, w, ref)
    data_basis = StandardBasis.from_feature_moments(moments)
    data_descent = DescentBasis(data_basis, standardize)
    scale = float(c @ moments.target_variances())
    data = DataObjective(X, Y, w, None, data_descent, alpha, scale, c)
    return X, Y, w, descent, gram, data_descent, data


def per_sample_loss(X, Y, w, descent, theta, alpha):
    """The objective at descent-basis ``theta``, by predictions and residuals.

    In the units of y squared (divided by the largest target scale squared),
    with each target's penalty on its parameters in units of its own scale.
    """
    coef, intercept, _ = descent.model(theta)
    Phi = np.hstack([X**2, X, np.ones((X.shape[0], 1))])
    ys = descent.basis.y_scale
    Y_pred = Phi @ np.vstack([coef.T, intercept[None]])
    penalty = alpha * ((theta[:-1] * ys) ** 2).sum()
    return (squared_loss(Y, Y_pred, w) + penalty) / ys.max() ** 2


@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("alpha", [0.0, 0.2])
def test_both_objectives_equal_the_per_sample_loss(standardize, alpha):
    X, Y, w, descent, gram, data_descent, data = objectives(standardize, alpha)
    rng = np.random.default_rng(0)
    theta = rng.normal(size=gram.hessian.shape[:1] + (2,))
    for objective, basis in ((gram, descent), (data, data_descent)):
        expected = per_sample_loss(X, Y, w, basis, theta, alpha)
        loss, _, val = objective.evaluate(theta)
        assert val is None
        assert loss == pytest.approx(expected, rel=1e-10)
        assert objective.value(theta) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("alpha", [0.0, 0.2])
def test_both_gradients_match_finite_differences(standardize, alpha):
    # Column t of the gradient is that of target t's own loss: the value weighs
    # target t by c_t, so its derivative is c_t times column t.
    X, Y, w, descent, gram, data_descent, data = objectives(standardize, alpha)
    theta = np.random.default_rng(1).normal(size=gram.hessian.shape[:1] + (2,))
    for objective in (gram, data):
        _, grad, _ = objective.evaluate(theta)
        numeric = central_differences(objective.value, theta, eps=1e-5)
        weighted = grad * objective.target_weights
        np.testing.assert_allclose(weighted, numeric, rtol=1e-6, atol=1e-9)


def test_largest_eigenvalues_agree_with_numpy():
    _, _, _, _, gram, _, data = objectives(True, 0.1)
    lam = np.linalg.eigvalsh(gram.hessian)[-1]
    assert gram.largest_eigenvalue() == pytest.approx(lam, rel=1e-12)
    # The data objective forms its Hessian column by column for few parameters.
    assert data.largest_eigenvalue() == pytest.approx(lam, rel=1e-9)


def test_loss_scale_is_the_weighted_variance_of_the_targets():
    X, Y, w, descent, gram, _, data = objectives(True, 0.0)
    mean = np.average(Y, axis=0, weights=w)
    variance = np.average((Y - mean) ** 2, axis=0, weights=w).sum()
    expected = float(variance / descent.basis.y_scale.max() ** 2)
    assert gram.loss_scale == pytest.approx(expected, rel=1e-10)
    assert data.loss_scale == pytest.approx(expected, rel=1e-10)


def test_losses_near_the_minimum_keep_their_differences():
    # Noise-free data: the minimum is 0, and a point 1e-8 from it has a loss of
    # about 1e-14 of the variance of y. The loss there carries the rounding of
    # the minimum, about 1e-16 of that variance (the statistics cannot do
    # better), but epochs that step near the minimum must see how the loss
    # changes between them, far below that rounding.
    rng = np.random.default_rng(6)
    X = rng.normal(size=(400, 2)) + 2.0
    Y = (3 * X[:, :1] ** 2 - X[:, 1:] + 7.0) * 10.0
    ref = reference_from(X, Y, None)
    stats = accumulate(X, Y, None, ref)
    descent = DescentBasis(StandardBasis.from_statistics(stats), True)
    gram = GramObjective(stats, descent, 0.0)
    theta_star = np.linalg.solve(gram.hessian, gram.linear)
    near = [theta_star + 1e-8 * rng.normal(size=theta_star.shape) for _ in range(2)]
    losses = [gram.evaluate(theta)[0] for theta in near]
    expected = [per_sample_loss(X, Y, None, descent, t, 0.0) for t in near]
    assert 0 < max(expected) < 1e-12 * gram.loss_scale
    change = losses[1] - losses[0]
    assert change == pytest.approx(expected[1] - expected[0], rel=1e-4, abs=0)
    grad = gram.evaluate(near[0])[1]
    expected_grad = 2 * gram.hessian @ (near[0] - theta_star)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-4)


def descent_columns(X, w, standardize):
    """The expanded features of the descent basis, from their definition."""
    if standardize:
        return standardized_columns(X, w)
    return np.hstack([X**2, X, np.ones((X.shape[0], 1))])


@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("alpha", [0.0, 0.2])
def test_batch_gradient_is_the_per_sample_gradient_of_the_batch(standardize, alpha):
    X, Y, w, _, _, data_descent, data = objectives(standardize, alpha)
    theta = np.random.default_rng(2).normal(size=(data.n_params, 2))
    rows = np.array([5, 17, 3, 250, 42])
    basis = data_descent.basis
    Y_ref = (Y - basis.y_loc) / basis.y_scale
    Phi = descent_columns(X, w, standardize)
    penalized = np.r_[np.ones(Phi.shape[1] - 1), 0.0]
    _, expected = loss_gradient_per_sample(
        Phi[rows], Y_ref[rows], theta, w[rows], alpha, penalized
    )
    np.testing.assert_allclose(data.batch_gradient(theta, rows), expected, rtol=1e-9)


@pytest.mark.parametrize("standardize", [True, False])
def test_sample_curvature_is_the_largest_squared_row(standardize):
    X, _, w, _, _, _, data = objectives(standardize, 0.3)
    Phi = descent_columns(X, w, standardize)
    expected = float((Phi**2).sum(axis=1).max()) + 0.3
    assert data.sample_curvature() == pytest.approx(expected, rel=1e-9)


def test_smallest_eigenvalue_is_that_of_the_curved_directions():
    # Three samples, five parameters: two directions of the Hessian are flat.
    # Both objectives report the smallest eigenvalue of the others.
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(3, 2)), rng.normal(size=(3, 1))
    ref = reference_from(X, Y, None)
    stats = accumulate(X, Y, None, ref)
    gram = GramObjective(
        stats, DescentBasis(StandardBasis.from_statistics(stats), True), 0.0
    )
    moments = feature_moments(X, Y, None, ref)
    descent = DescentBasis(StandardBasis.from_feature_moments(moments), True)
    data = DataObjective(X, Y, None, None, descent, 0.0, 1.0)
    lam = np.linalg.eigvalsh(gram.hessian)
    curved = lam[lam > 1e-10 * lam[-1]]
    assert len(curved) == 3
    assert gram.smallest_eigenvalue() == pytest.approx(curved[0], rel=1e-9)
    assert data.smallest_eigenvalue() == pytest.approx(curved[0], rel=1e-6)


@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_gap_on_the_standardized_statistics_is_the_exact_excess(alpha):
    # g^T H^+ g / 4 from a least-squares solve, against the certificate the
    # objective derives from its one eigendecomposition.
    _, _, _, _, gram, _, _ = objectives(True, alpha, n_features=2, n_targets=2)
    rng = np.random.default_rng(5)
    thetas = rng.normal(size=(3,) + gram.linear.shape)
    grads = np.stack([gram.gradient(theta) for theta in thetas])
    step = np.linalg.lstsq(gram.hessian, grads.transpose(1, 0, 2).reshape(5, -1))[0]
    per_column = (grads.transpose(1, 0, 2).reshape(5, -1) * step).sum(axis=0) / 4
    expected = per_column.reshape(3, 2) @ gram.target_weights
    np.testing.assert_allclose(gram.gap(grads), expected, rtol=1e-10)
    # The excess is that of the objective over its minimum.
    theta_star = np.linalg.lstsq(gram.hessian, gram.linear)[0]
    excess = [gram.value(t) - gram.value(theta_star) for t in thetas]
    np.testing.assert_allclose(gram.gap(grads), excess, rtol=1e-8)


def test_eigendecomposition_of_a_large_hessian():
    # Large Hessians are decomposed on one BLAS thread: the same decomposition.
    from sklearn_quadneuron._linalg import eigen

    rng = np.random.default_rng(6)
    A = rng.normal(size=(300, 300))
    H = A @ A.T / 300
    H[:, -1] = H[-1] = 0.0  # one flat direction
    lam, V, keep, lam_max = eigen(H)
    np.testing.assert_allclose(lam, np.linalg.eigvalsh(H), atol=1e-12)
    np.testing.assert_allclose(H @ V, V * lam, atol=1e-11)
    np.testing.assert_allclose(V.T @ V, np.eye(300), atol=1e-12)
    assert lam_max == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-13)
    assert keep.sum() == 299


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("max_iter", [2, 1000])
def test_training_rsquared_is_r2_score_of_the_models_predictions(weighted, max_iter):
    # A cluster 1000 spreads away and a constant feature: the model a fit
    # stops at (two epochs, far from least squares, or its minimum) scored on
    # its training rows from their statistics alone, against scikit-learn's
    # r2_score of its predictions. Compared as 1 - R^2 (the residuals' share,
    # 4e-8 at the minimum), to 1e-7 of it or 1e-10 of the targets' variance:
    # the factor resolves a residual sum to about eps times the condition
    # number of the design times the targets' sum of squares (3e-11 here).
    from sklearn.metrics import r2_score

    from sklearn_quadneuron import QuadraticGDRegressor
    from sklearn_quadneuron._objective import training_rsquared

    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(size=300), 1e3 + rng.normal(size=100)])
    X = np.column_stack([x, np.full(400, 7.0), rng.uniform(-1, 1, 400)])
    y = 0.5 * (x - 500) ** 2 - 3 * X[:, 2] + rng.normal(0, 0.1, 400)
    w = None
    if weighted:
        # Rows of weight 0 count for nothing, whatever their target.
        w = rng.uniform(0.5, 2.0, 400)
        w[::9] = 0.0
        y[::9] = 1e9
    model = QuadraticGDRegressor(max_iter=max_iter, tol=None, solver="newton-cholesky")
    if max_iter == 2:
        model.set_params(solver="gd", learning_rate=0.01)
    model.fit(X, y, sample_weight=w)
    expected = r2_score(y, model.predict(X), sample_weight=w)
    got = training_rsquared(model._stats, model._form)
    assert got.shape == (1,)
    np.testing.assert_allclose(1 - got[0], 1 - expected, rtol=1e-7, atol=1e-10)
