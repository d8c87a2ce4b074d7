# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The loss and its analytic gradients, against finite differences and each other."""

import numpy as np
import pytest

from sklearn_quadneuron._loss import (
    Moments,
    gradient,
    loss_gradient_per_sample,
    objective,
    squared_loss,
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
    eps = 1e-6
    numeric = np.zeros_like(theta)
    for idx in np.ndindex(theta.shape):
        step = np.zeros_like(theta)
        step[idx] = eps
        numeric[idx] = (
            direct_loss(Phi, Y, theta + step, w, alpha, mask)
            - direct_loss(Phi, Y, theta - step, w, alpha, mask)
        ) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)


def test_intercept_gradient_is_twice_the_mean_residual(problem):
    # The exact derivative, not the article's mean(r).
    Phi, Y, theta, _ = problem
    _, grad = loss_gradient_per_sample(Phi, Y, theta)
    r = Phi @ theta - Y
    np.testing.assert_allclose(grad[2], 2 * r.mean(axis=0))
    np.testing.assert_allclose(grad[0], 2 * (Phi[:, :1] * r).mean(axis=0))


@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_statistics_gradient_equals_per_sample_gradient(problem, alpha):
    Phi, Y, theta, w = problem
    mask = np.array([1.0, 1.0, 0.0])
    G = (w[:, None] * Phi).T @ Phi / w.sum()
    h = (w[:, None] * Phi).T @ Y / w.sum()
    _, expected = loss_gradient_per_sample(Phi, Y, theta, w, alpha, mask)
    np.testing.assert_allclose(
        gradient(theta, G, h, alpha, mask), expected, rtol=1e-12, atol=1e-12
    )


def weighted_moments(Phi, Y, w):
    mean_phi = w @ Phi / w.sum()
    mean_y = w @ Y / w.sum()
    dP, dY = Phi - mean_phi, Y - mean_y
    return Moments(
        mean_phi,
        mean_y,
        (w[:, None] * dP).T @ dP / w.sum(),
        (w[:, None] * dP).T @ dY / w.sum(),
        w @ dY**2 / w.sum(),
        w.sum(),
    )


def test_moments_mse_and_objective_equal_the_direct_loss(problem):
    Phi, Y, theta, w = problem
    mask = np.array([1.0, 1.0, 0.0])
    moments = weighted_moments(Phi, Y, w)
    assert moments.mse(theta) == pytest.approx(
        squared_loss(Y, Phi @ theta, w), rel=1e-12
    )
    assert objective(theta, moments, 0.4, mask) == pytest.approx(
        direct_loss(Phi, Y, theta, w, 0.4, mask), rel=1e-12
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


def test_transformed_moments_are_those_of_the_transformed_features(problem):
    Phi, Y, _, w = problem
    T = np.array([[1.0, 2.0, 0.5], [0.0, 3.0, -1.0], [0.0, 0.0, 1.0]])
    moved = weighted_moments(Phi, Y, w).transformed(T)
    expected = weighted_moments(Phi @ T.T, Y, w)
    np.testing.assert_allclose(moved.mean_phi, expected.mean_phi, atol=1e-12)
    np.testing.assert_allclose(moved.cov_phi, expected.cov_phi, atol=1e-12)
    np.testing.assert_allclose(moved.cov_phi_y, expected.cov_phi_y, atol=1e-12)
