# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The update rules, on plain arrays, against scikit-learn's MLP optimizers.

scikit-learn's ``SGDOptimizer`` and ``AdamOptimizer`` update their parameters in
place, from their own code: the rules here must give the same numbers, update
after update. The tuned constants are checked against their closed forms, and
against the rate they promise on a quadratic.
"""

import math

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from sklearn_quadneuron._solvers._descent import (
    AdamStep,
    GradientStep,
    HeavyBall,
    Momentum,
    Nesterov,
)

heavy_ball_parameters = HeavyBall.tuned
nesterov_parameters = Nesterov.tuned


def largest_stable_step(momentum, lam_max, nesterov):
    return (Nesterov if nesterov else HeavyBall).max_stable(momentum, lam_max)


def gradients(n_steps, shape, seed=0):
    return np.random.default_rng(seed).normal(size=(n_steps, *shape))


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_momentum_updates_equal_mlp_sgd_optimizer(momentum, nesterov):
    theta0 = np.array([[1.0, -2.0], [0.5, 3.0], [4.0, 0.0]])
    reference = [theta0.copy()]
    sgd = SGDOptimizer(
        reference, learning_rate_init=0.05, momentum=momentum, nesterov=nesterov
    )
    rule = Momentum(0.05, momentum, nesterov=nesterov)
    theta = theta0.copy()
    for grad in gradients(20, theta0.shape):
        sgd.update_params(reference, [grad])
        theta = rule.update(theta, grad)
        np.testing.assert_allclose(theta, reference[0], rtol=1e-13, atol=1e-15)


def test_momentum_by_hand():
    # v1 = -0.1 g1, theta1 = theta0 + v1; v2 = 0.5 v1 - 0.1 g2, theta2 = theta1 + v2.
    g1, g2 = np.array([[2.0]]), np.array([[-4.0]])
    heavy = Momentum(0.1, 0.5)
    theta1 = heavy.update(np.array([[1.0]]), g1)
    theta2 = heavy.update(theta1, g2)
    assert theta1[0, 0] == pytest.approx(0.8)
    assert theta2[0, 0] == pytest.approx(0.8 + (0.5 * -0.2 + 0.4))
    # Nesterov: theta += 0.5 v - 0.1 g with the new v.
    nesterov = Momentum(0.1, 0.5, nesterov=True)
    theta1 = nesterov.update(np.array([[1.0]]), g1)
    assert theta1[0, 0] == pytest.approx(1.0 + 0.5 * -0.2 - 0.2)


@pytest.mark.parametrize("beta_1, beta_2", [(0.9, 0.999), (0.5, 0.9), (0.0, 0.0)])
def test_adam_updates_equal_mlp_adam_optimizer(beta_1, beta_2):
    theta0 = np.array([[1.0, -2.0], [0.5, 3.0], [4.0, 0.0]])
    reference = [theta0.copy()]
    adam = AdamOptimizer(
        reference, learning_rate_init=0.01, beta_1=beta_1, beta_2=beta_2, epsilon=1e-8
    )
    rule = AdamStep(0.01, beta_1, beta_2, 1e-8)
    theta = theta0.copy()
    for grad in gradients(30, theta0.shape, seed=1):
        adam.update_params(reference, [grad])
        theta = rule.update(theta, grad)
        np.testing.assert_allclose(theta, reference[0], rtol=1e-13, atol=1e-15)


def test_adam_in_other_units_is_adam_in_the_units_of_y():
    # Parameters measured in units of 4 (y / 4): the gradient of the loss in
    # those units is 4 times the gradient in y's units... and Adam, stepping in
    # y's units, moves the same model.
    unit = np.array([4.0, 0.5])
    grads_y = gradients(10, (3, 2), seed=2)
    theta_y = np.ones((3, 2))
    in_y = AdamStep(0.1, 0.9, 0.999, 1e-8)
    in_units = AdamStep(0.1, 0.9, 0.999, 1e-8, unit=unit)
    theta_u = theta_y / unit
    for g in grads_y:
        theta_y = in_y.update(theta_y, g)
        # d loss_u / d theta_u = (d loss_y / d theta_y) * unit / unit**2
        theta_u = in_units.update(theta_u, g / unit)
        np.testing.assert_allclose(theta_u * unit, theta_y, rtol=1e-12)


def test_gradient_step_is_the_article_update():
    theta = np.array([[15.0], [-2.0], [10.0]])
    grad = np.array([[1.0], [2.0], [-3.0]])
    np.testing.assert_array_equal(
        GradientStep(0.1).update(theta, grad), theta - 0.1 * grad
    )


def test_tuned_heavy_ball_is_polyak():
    lam_min, lam_max = 0.5, 50.0
    L, m = 2 * lam_max, 2 * lam_min
    lr, mu = heavy_ball_parameters(lam_min, lam_max)
    assert lr == pytest.approx(4 / (math.sqrt(L) + math.sqrt(m)) ** 2)
    assert mu == pytest.approx(
        ((math.sqrt(L) - math.sqrt(m)) / (math.sqrt(L) + math.sqrt(m))) ** 2
    )
    # Given the momentum: the middle of the stable range. Given the rate: the
    # least momentum that makes every direction oscillate, as fast as the rest.
    assert heavy_ball_parameters(lam_min, lam_max, "auto", 0.5)[0] == pytest.approx(
        1.5 / L
    )
    _, mu = heavy_ball_parameters(lam_min, lam_max, 0.01, "auto")
    assert mu == pytest.approx(
        max(1 - math.sqrt(0.01 * m), math.sqrt(0.01 * L) - 1) ** 2
    )


def test_tuned_nesterov_is_nesterov():
    lam_min, lam_max = 0.5, 50.0
    L, m = 2 * lam_max, 2 * lam_min
    lr, mu = nesterov_parameters(lam_min, lam_max)
    assert lr == pytest.approx(1 / L)
    assert mu == pytest.approx(
        (math.sqrt(L) - math.sqrt(m)) / (math.sqrt(L) + math.sqrt(m))
    )


def spectral_radius(lr, mu, lam, nesterov):
    """Largest modulus of the roots of one direction's recurrence, by numpy."""
    h = 2 * lam * lr  # the Hessian's eigenvalue times the step
    if nesterov:
        coefficients = [1, -(1 + mu) * (1 - h), mu * (1 - h)]
    else:
        coefficients = [1, -(1 + mu - h), mu]
    return max(abs(np.roots(coefficients)))


@pytest.mark.parametrize("nesterov", [False, True])
def test_tuned_constants_contract_as_promised(nesterov):
    lam = np.geomspace(0.01, 10.0, 50)  # condition number 1000
    tune = nesterov_parameters if nesterov else heavy_ball_parameters
    lr, mu = tune(lam[0], lam[-1])
    worst = max(spectral_radius(lr, mu, value, nesterov) for value in lam)
    root = math.sqrt(lam[-1] / lam[0])
    promised = 1 - 1 / root if nesterov else (root - 1) / (root + 1)
    assert worst == pytest.approx(promised, rel=1e-3)
    # Plain gradient descent with 1 / L contracts by 1 - 1 / 1000.
    assert math.log(worst) < 10 * math.log(1 - lam[0] / lam[-1])


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_largest_stable_step_is_the_edge_of_stability(mu, nesterov):
    lam_max = 3.0
    limit = largest_stable_step(mu, lam_max, nesterov)
    assert spectral_radius(0.999 * limit, mu, lam_max, nesterov) < 1
    assert spectral_radius(1.001 * limit, mu, lam_max, nesterov) > 1
