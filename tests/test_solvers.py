# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The optimizer on a quadratic objective, against a plain gradient-descent loop.

Gradient descent runs in closed form on an objective that holds its Hessian
(``precomputed``) and one epoch at a time on one that does not: each is checked
against the textbook loop, and the two against each other.
"""

import numpy as np
import pytest

from sklearn_quadneuron._solvers import (
    SOLVERS,
    DescentOptions,
    GradientDescent,
    StoppingMonitor,
    safe_step,
)


class Quadratic:
    """A convex quadratic ``value(theta)`` with Hessian ``2 * hessian``.

    The interface of the package's objectives; ``precomputed=False`` hides the
    Hessian from the optimizer, which then runs its epochs one by one.
    """

    def __init__(self, hessian, linear, value, validation=None, precomputed=True):
        self.hessian, self.linear, self.value = hessian, linear, value
        self.validation = validation
        self.precomputed = precomputed
        # Each target's loss counts once in the value.
        self.target_weights = np.ones(linear.shape[1])

    def gradient(self, theta):
        return 2.0 * (self.hessian @ theta - self.linear)

    def evaluate(self, theta):
        grad = self.gradient(theta)
        val = None if self.validation is None else self.validation.value(theta)
        return self.value(theta), grad, val

    gradient_near = gradient

    def minimizer(self):
        return np.linalg.solve(self.hessian, self.linear)

    def evaluate_many(self, thetas):
        losses, grads, vals = zip(*(self.evaluate(theta) for theta in thetas))
        vals = None if self.validation is None else np.array(vals)
        return np.array(losses), np.array(grads), vals

    def eigen(self):
        lam, V = np.linalg.eigh(self.hessian)
        lam_max = max(float(lam[-1]), 0.0)
        return lam, V, lam > 1e-13 * lam_max, lam_max

    def largest_eigenvalue(self):
        return self.eigen()[3]

    def smallest_eigenvalue(self):
        return float(self.eigen()[0][0])

    def gap(self, gradient):
        """The exact excess over the minimum: g^T H^-1 g / 4 (of each, stacked)."""
        if gradient.ndim == 3:
            return np.array([self.gap(g) for g in gradient])
        return float(0.25 * (gradient * np.linalg.solve(self.hessian, gradient)).sum())

    def rotated(self):
        # No tridiagonal basis: "gd" runs in closed form, the others step.
        return None

    def stepped(self):
        """The same objective, without its Hessian: epochs one at a time."""
        return Quadratic(
            self.hessian, self.linear, self.value, self.validation, precomputed=False
        )


def make_objective(seed=0, n_params=3, n_targets=1, condition=10.0):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(n_params, n_params)))
    lam = np.geomspace(1.0, condition, n_params)
    H = Q @ np.diag(lam) @ Q.T
    h = rng.normal(size=(n_params, n_targets))
    theta_star = np.linalg.solve(H, h)
    minimum = 0.25

    def value(theta):
        e = theta - theta_star
        return float(np.einsum("it,ij,jt->", e, H, e)) + minimum

    return Quadratic(H, h, value), theta_star


def plain_loop(objective, theta0, lr, epochs):
    """Gradient descent as written in any textbook: record, then step."""
    theta, losses, path = theta0.copy(), [], [theta0.copy()]
    for _ in range(epochs):
        losses.append(objective.value(theta))
        theta = theta - lr * 2.0 * (objective.hessian @ theta - objective.linear)
        path.append(theta.copy())
    return np.array(losses), np.array(path)


def run(objective, theta0, validation=None, loss_floor=0.0, **kwargs):
    settings = {"learning_rate": 0.01, "max_iter": 100, "tol": None}
    settings.update(kwargs)
    settings["solver"] = SOLVERS[settings.get("solver", "gd")]
    if validation is not None:
        objective.validation = validation
    return GradientDescent(DescentOptions(**settings)).solve(
        objective,
        theta0,
        loss_floor=loss_floor,
        validation_floor=None if validation is None else 0.0,
    )


@pytest.mark.parametrize("stepped", [False, True], ids=["closed_form", "stepped"])
@pytest.mark.parametrize("n_targets", [1, 2])
@pytest.mark.parametrize("lr", [0.001, 0.02, 0.049])
def test_epochs_equal_the_plain_loop(lr, n_targets, stepped):
    objective, _ = make_objective(n_targets=n_targets)
    if stepped:
        objective = objective.stepped()
    theta0 = np.full((3, n_targets), 2.0)
    result = run(objective, theta0, learning_rate=lr, max_iter=300, record_path=True)
    losses, path = plain_loop(objective, theta0, lr, 300)
    assert result.n_iter == 300
    assert result.stop_reason == "max_iter"
    np.testing.assert_allclose(result.loss_curve, losses, rtol=1e-10)
    np.testing.assert_allclose(result.path, path, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(result.theta, path[-1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("stepped", [False, True], ids=["closed_form", "stepped"])
def test_converged_only_when_the_excess_over_the_minimum_is_within_tol(stepped):
    objective, theta_star = make_objective(condition=50.0)
    if stepped:
        objective = objective.stepped()
    theta0 = np.zeros((3, 1))
    tol, lr = 1e-4, 0.005
    result = run(objective, theta0, learning_rate=lr, max_iter=5000, tol=tol)
    losses, path = plain_loop(objective, theta0, lr, 5000)
    # The rule written out: stop at the first epoch whose excess over the
    # minimum (0.25 here, known exactly) is at most tol times the minimum.
    excess = losses - 0.25
    expected = int(np.flatnonzero(excess <= tol * 0.25)[0]) + 1
    assert result.stop_reason == "tol"
    assert result.n_iter == expected
    np.testing.assert_allclose(result.loss_curve, losses[:expected], rtol=1e-10)
    assert result.gap == pytest.approx(excess[expected - 1], rel=1e-6)
    assert result.optimum == pytest.approx(0.25, rel=1e-9)


@pytest.mark.parametrize(
    "seed, n_params, condition, lr, tol",
    [
        (0, 3, 50.0, 0.005, 1e-8),
        # The search starts where the slowest mode alone predicts: near 1, and
        # a few epochs or thousands on, on well and ill-conditioned spectra.
        (1, 3, 2.0, 0.2, 1e-3),
        (2, 5, 10.0, 0.02, 1e-6),
        (3, 4, 300.0, 0.25 / 300.0, 1e-10),
    ],
)
def test_the_closed_form_knows_how_many_epochs_it_needs(
    seed, n_params, condition, lr, tol
):
    objective, _ = make_objective(seed, n_params, condition=condition)
    theta0 = np.zeros((n_params, 1))
    losses, _ = plain_loop(objective, theta0, lr, 20000)
    after = int(np.flatnonzero(losses - 0.25 <= tol * 0.25)[0])
    # Stopped at half the epochs needed, the fit says how many it needs.
    result = run(objective, theta0, learning_rate=lr, max_iter=after // 2, tol=tol)
    assert result.stop_reason == "max_iter"
    # After `after` updates the excess is within tol: the loss measured then is
    # that of epoch `after` + 1, the max_iter needed.
    assert result.epochs_needed == after + 1
    again = run(objective, theta0, learning_rate=lr, max_iter=after + 1, tol=tol)
    assert again.stop_reason == "tol" and again.n_iter == after + 1


def test_a_loss_that_stops_falling_is_stalled_not_converged():
    # Steps so small that the loss falls by less than 1e-12 of itself each epoch.
    objective, _ = make_objective(condition=50.0)
    result = run(
        objective.stepped(),
        np.zeros((3, 1)),
        learning_rate=1e-16,
        max_iter=1000,
        tol=1e-6,
        n_iter_no_change=4,
    )
    assert result.stop_reason == "stalled"
    assert result.n_iter == 5  # the first epoch sets the best, 4 more stall
    assert result.gap > 1e-6 * result.optimum


@pytest.mark.parametrize("stepped", [False, True], ids=["closed_form", "stepped"])
def test_too_large_a_step_is_reported_as_divergence(stepped):
    objective, _ = make_objective(condition=10.0)
    if stepped:
        objective = objective.stepped()
    lam_max = 10.0
    result = run(objective, np.ones((3, 1)), learning_rate=1.5 / lam_max)
    assert result.stop_reason == "diverged"
    assert result.diverged_at is not None
    assert 1 / objective.largest_eigenvalue() == pytest.approx(1 / lam_max)
    # The loss had started to rise; everything recorded is finite.
    assert np.all(np.isfinite(result.loss_curve))
    assert result.loss_curve[-1] > result.loss_curve[-2]


def test_auto_learning_rate_is_half_the_inverse_largest_eigenvalue():
    objective, theta_star = make_objective(condition=40.0)
    assert safe_step(objective.largest_eigenvalue()) == pytest.approx(0.5 / 40.0)
    result = run(objective, np.zeros((3, 1)), learning_rate="auto", max_iter=3000)
    assert result.learning_rate == pytest.approx(0.5 / 40.0)
    # Monotone decrease and convergence to the minimiser.
    assert np.all(np.diff(result.loss_curve) <= 1e-15)
    np.testing.assert_allclose(result.theta, theta_star, rtol=1e-8)


@pytest.mark.parametrize("stepped", [False, True], ids=["closed_form", "stepped"])
def test_early_stopping_keeps_the_best_validation_epoch(stepped):
    # Isotropic curvature: the iterate moves on the straight line from theta0 to
    # the training minimiser. The validation minimiser sits half way, so the
    # validation loss falls, then rises again.
    H = 4.0 * np.eye(3)
    theta_star = np.array([[1.0], [2.0], [3.0]])
    theta0 = np.full((3, 1), 10.0)
    val_star = (theta0 + theta_star) / 2

    def quadratic(center):
        value = lambda t: float(((t - center).T @ H @ (t - center))[0, 0])  # noqa: E731
        return Quadratic(H, H @ center, value)

    objective, validation = quadratic(theta_star), quadratic(val_star)
    if stepped:
        objective = objective.stepped()
    lr = 0.02
    result = run(
        objective,
        theta0,
        learning_rate=lr,
        max_iter=2000,
        tol=1e-6,
        validation=validation,
        n_iter_no_change=5,
    )
    _, path = plain_loop(objective, theta0, lr, result.n_iter)
    val = np.array([validation.value(t) for t in path[:-1]])
    np.testing.assert_allclose(result.validation_loss_curve, val, rtol=1e-9)
    assert result.stop_reason == "early_stopping"
    assert result.best_iter == int(np.argmin(val))
    assert 0 < result.best_iter < result.n_iter - 1
    np.testing.assert_allclose(
        result.theta, path[result.best_iter], rtol=1e-9, atol=1e-12
    )


def test_report_sees_every_epoch_once():
    objective, _ = make_objective()
    seen = []
    result = run(
        objective,
        np.zeros((3, 1)),
        max_iter=1000,
        report=lambda first, losses, _: seen.extend(range(first, first + len(losses))),
    )
    assert seen == list(range(result.n_iter))


@pytest.mark.parametrize("early", [False, True])
def test_closed_form_and_stepped_epochs_agree(early):
    objective, _ = make_objective(seed=3, n_params=4, n_targets=2, condition=30.0)
    validation = make_objective(seed=4, n_params=4, n_targets=2)[0] if early else None
    theta0 = np.random.default_rng(5).normal(size=(4, 2))
    settings = {"learning_rate": 0.01, "max_iter": 400, "tol": 1e-5}
    settings["record_path"] = True
    closed = run(objective, theta0, validation=validation, **settings)
    stepped = run(objective.stepped(), theta0, validation=validation, **settings)
    assert closed.n_iter == stepped.n_iter < 400
    assert closed.stop_reason == stepped.stop_reason
    assert closed.best_iter == stepped.best_iter
    np.testing.assert_allclose(closed.loss_curve, stepped.loss_curve, rtol=1e-10)
    np.testing.assert_allclose(closed.path, stepped.path, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(closed.theta, stepped.theta, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("stepped", [False, True], ids=["closed_form", "stepped"])
def test_divergence_is_reported_at_the_first_rising_epoch(stepped):
    # The unstable direction starts almost at the minimum: the loss falls for a
    # while (the stable directions dominate), then rises, past the first block.
    objective, theta_star = make_objective(condition=10.0)
    lam, V = np.linalg.eigh(objective.hessian)
    theta0 = theta_star + 5.0 * V[:, :1] + 1e-9 * V[:, -1:]
    lr = 1.02 / lam[-1]
    if stepped:
        objective = objective.stepped()
    result = run(objective, theta0, learning_rate=lr, max_iter=2000)
    losses, _ = plain_loop(objective, theta0, lr, 2000)
    # The rule written out: a loss above the previous one beyond rounding
    # (1e-9 of it) is divergence.
    first_rise = int(np.flatnonzero(losses[1:] > losses[:-1] * (1 + 1e-9))[0]) + 1
    assert first_rise > 16  # beyond the first block of the closed form
    assert result.stop_reason == "diverged"
    assert result.diverged_at == first_rise
    assert result.loss_curve.shape == (first_rise + 1,)
    np.testing.assert_allclose(result.loss_curve, losses[: first_rise + 1], rtol=1e-6)


def test_a_loss_of_exactly_zero_is_not_divergence():
    from sklearn_quadneuron import QuadraticGDRegressor

    X = np.linspace(-1, 1, 20)[:, None]
    for y in (np.zeros(20), 2 * X[:, 0] ** 2):
        model = QuadraticGDRegressor(max_iter=50, tol=None).fit(X, y)
        assert model.stop_reason_ == "max_iter" and model.n_iter_ == 50


def test_no_progress_counts_an_equal_loss_as_none():
    from sklearn_quadneuron._solvers._base import _first_stop, _no_progress

    curve = np.array([3.0, 2.0, 2.0, 2.0, 1.0])
    flags = _no_progress(curve, np.inf, 0.1, 0.0)
    np.testing.assert_array_equal(flags, [False, False, True, True, False])
    # Two epochs in a row without progress complete a patience of 2 at index 3.
    assert _first_stop(flags, 0, 2) == (3, 0)
    # With no tolerance the floor alone decides.
    flags = _no_progress(np.array([1.0, 0.95, 0.9]), np.inf, 0.0, 0.1)
    np.testing.assert_array_equal(flags, [False, True, True])


def test_without_tol_there_is_no_certificate():
    objective, _ = make_objective()
    result = run(objective, np.zeros((3, 1)), max_iter=20, tol=None)
    assert result.gap is None and result.optimum is None
    assert result.epochs_needed is None


# -- momentum: not monotone, yet not diverging ---------------------------------


def plain_heavy_ball(objective, theta0, lr, momentum, epochs):
    """The heavy ball as MLP writes it: v = m v - lr g; theta += v."""
    theta, velocity, losses = theta0.copy(), np.zeros_like(theta0), []
    for _ in range(epochs):
        losses.append(objective.value(theta))
        velocity = momentum * velocity - lr * objective.gradient(theta)
        theta = theta + velocity
    return np.array(losses), theta


@pytest.fixture
def stiff_start():
    """A quadratic of condition 1e4, started off both extreme directions.

    The heavy ball's stiffest direction then swings ever wider for a while
    before it settles: the loss rises far above where it started.
    """
    objective, theta_star = make_objective(seed=0, n_params=4, condition=1e4)
    _, V = np.linalg.eigh(objective.hessian)
    return objective, theta_star + V[:, [-1]] + V[:, [0]]


@pytest.mark.parametrize("stepped", [False, True], ids=["statistics", "data"])
def test_momentum_rises_on_its_way_and_still_converges(stiff_start, stepped):
    objective, theta0 = stiff_start
    if stepped:
        objective = objective.stepped()
    result = run(
        objective,
        theta0,
        solver="momentum",
        learning_rate="auto",
        max_iter=5000,
        tol=1e-8,
    )
    lam = np.linalg.eigvalsh(objective.hessian)
    L, m = 2 * lam[-1], 2 * lam[0]
    lr = 4 / (np.sqrt(L) + np.sqrt(m)) ** 2
    momentum = ((np.sqrt(L) - np.sqrt(m)) / (np.sqrt(L) + np.sqrt(m))) ** 2
    losses, _ = plain_heavy_ball(objective, theta0, lr, momentum, result.n_iter)
    np.testing.assert_allclose(result.loss_curve, losses, rtol=1e-9)
    # Far from monotone: up to a thousand times the first loss, and hundreds of
    # epochs in a row without a new lowest loss.
    assert result.loss_curve.max() > 1000 * result.loss_curve[0]
    assert result.stop_reason == "tol"
    assert result.gap <= 1e-8 * result.optimum
    # About sqrt(10_000) = 100 epochs per e-fold; gradient descent needs 10_000.
    assert result.n_iter < 2000


def test_the_monotone_rule_would_have_called_that_divergence(stiff_start):
    objective, theta0 = stiff_start
    lam = np.linalg.eigvalsh(objective.hessian)
    L, m = 2 * lam[-1], 2 * lam[0]
    lr = 4 / (np.sqrt(L) + np.sqrt(m)) ** 2
    momentum = ((np.sqrt(L) - np.sqrt(m)) / (np.sqrt(L) + np.sqrt(m))) ** 2
    losses, _ = plain_heavy_ball(objective, theta0, lr, momentum, 1200)
    monotone = StoppingMonitor(None, 5, 0.0, None, None)
    monotone.observe(0, losses)
    assert monotone.diverged_at is not None
    tolerant = StoppingMonitor(None, 5, 0.0, None, None, max_growth=1e6 * 1e4)
    assert tolerant.observe(0, losses) == 1200
    assert tolerant.diverged_at is None
    # The stall rule, with patience for sqrt(condition) epochs, lets it be too.
    impatient = StoppingMonitor(1e-8, 5, 0.0, None, None, stalls=True, max_growth=1e10)
    impatient.observe(0, losses, gap=np.ones(1200))
    assert impatient.stop_reason == "stalled"
    patient = StoppingMonitor(
        1e-8, 5, 0.0, None, None, stalls=True, max_growth=1e10, stall_wait=100
    )
    patient.observe(0, losses, gap=np.ones(1200))
    assert not patient.finished


@pytest.mark.parametrize("solver", ["momentum", "nesterov"])
def test_momentum_beyond_its_stable_step_diverges(solver):
    objective, _ = make_objective(condition=10.0)
    lam_max = 10.0
    momentum = 0.5
    limit = (1 + momentum) / lam_max
    if solver == "nesterov":
        limit /= 1 + 2 * momentum
    result = run(
        objective,
        np.ones((3, 1)),
        solver=solver,
        learning_rate=1.05 * limit,
        momentum=momentum,
        max_iter=100_000,
    )
    assert result.stop_reason == "diverged"
    assert result.diverged_at is not None
    # Diverged: far above where it started, not merely rising.
    assert result.loss_curve[-1] > 1e6 * result.loss_curve[0]
    stable = run(
        objective,
        np.ones((3, 1)),
        solver=solver,
        learning_rate=0.95 * limit,
        momentum=momentum,
        max_iter=20_000,
        tol=1e-6,
    )
    assert stable.stop_reason == "tol"


def test_growth_beyond_the_limit_or_non_finite_is_divergence():
    monitor = StoppingMonitor(None, 5, 0.0, None, None, max_growth=100.0)
    assert monitor.observe(0, np.array([1.0, 50.0, 99.0, 3.0])) == 4
    assert monitor.diverged_at is None
    assert monitor.observe(4, np.array([2.0, 101.0, 1.0])) == 2
    assert monitor.diverged_at == 5
    other = StoppingMonitor(None, 5, 0.0, None, None, max_growth=100.0)
    other.observe(0, np.array([1.0, np.nan]))
    assert other.diverged_at == 1
