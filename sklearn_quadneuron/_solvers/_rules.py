# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The update rule of each solver, and the constants "auto" resolves to.

Full batch, on the quadratic objective, "auto" is the best known choice for the
curvature ``[m, L]`` of the loss (``m``, ``L`` twice the extreme curved
eigenvalues of half the Hessian):

- ``"gd"``: ``1 / L``, the step that converges fastest on the stiffest
  direction and provably converges on every one;
- ``"momentum"`` and ``"nesterov"``: the tuned pairs of
  :mod:`._momentum`, which need about ``sqrt(L / m)`` epochs where ``"gd"``
  needs ``L / m``;
- ``"adam"``: ``MLPRegressor``'s ``learning_rate_init``, 0.001, in units of the
  targets' standard deviation: Adam's step is in the parameters' units, and on
  standardized targets this is scikit-learn's default.

With mini-batches the curvature a batch sees sets the step (:mod:`._sgd`);
the momentum methods keep ``MLPRegressor``'s momentum, 0.9, and take ``(1 -
momentum)`` times the plain mini-batch step, so that their effective step, the
learning rate over ``1 - momentum``, is that of plain mini-batch descent.

How a run may misbehave without diverging. Plain full-batch gradient descent
with a stable step never raises the loss. The others may: momentum overshoots
and comes back (the loss of the stiffest direction can grow transiently by up to
about ``L / m`` before it falls), Adam's steps do not shrink with the gradient,
and a mini-batch's step is not the data's. Their runs are judged diverged only
when the loss leaves any such transient far behind (:data:`_GROWTH` times the
curvature ratio above where it started); and the stall rule, which stops a run
whose loss no longer falls, waits for ``sqrt(L / m)`` times longer with
momentum, the epochs its oscillations take to die out, and ``1 / (1 -
beta_1)`` times longer with Adam, the epochs its mean gradient spans.
"""

import math
from dataclasses import dataclass

from ._adam import Adam
from ._momentum import Momentum, heavy_ball_parameters, nesterov_parameters
from ._sgd import batch_step

#: The optimizers, by the name of the estimator's ``solver``.
SOLVERS = ("gd", "momentum", "nesterov", "adam")
#: Adam's learning rate "auto", in units of the targets' standard deviation.
ADAM_LEARNING_RATE = 1e-3
#: The momentum "auto" with mini-batches: MLPRegressor's default.
MINI_BATCH_MOMENTUM = 0.9
# A non-monotone run whose loss rises this many times (times the curvature
# ratio) above its start has diverged.
_GROWTH = 1e6
# Curvature ratios beyond this are treated as this (and as infinite by the
# stall rule's wait).
_MAX_CONDITION = 1e200


class GradientStep:
    """Plain gradient descent: ``theta <- theta - learning_rate * grad``."""

    def __init__(self, learning_rate):
        self.learning_rate = float(learning_rate)

    def update(self, theta, grad):
        """The parameters after one update from ``theta`` with gradient ``grad``."""
        return theta - self.learning_rate * grad


@dataclass
class Plan:
    """A solver's rule with its constants resolved, and how to watch it.

    Attributes
    ----------
    rule : object
        With ``update(theta, grad) -> theta``.
    learning_rate : float
    momentum : float or None
        The momentum of "momentum" and "nesterov", 0 for "gd", None for "adam"
        (whose ``beta_1`` plays that part).
    max_growth : float or None
        None: the loss never rises (plain full-batch gradient descent), and a
        rise beyond rounding is divergence. Otherwise the loss diverged when it
        exceeds ``max_growth`` times its start.
    stall_wait : float
        The stall rule waits ``stall_wait`` times ``n_iter_no_change`` epochs.
    """

    rule: object
    learning_rate: float
    momentum: float | None
    max_growth: float | None
    stall_wait: float = 1.0


def plan_descent(options, objective, unit=1.0, batches=None):
    """The rule of ``options.solver`` with "auto" resolved on ``objective``.

    Parameters
    ----------
    options : DescentOptions
    objective : objective
        Its eigenvalues (``largest_eigenvalue``, ``smallest_eigenvalue``) are
        asked only when a constant or the monitor needs them.
    unit : float or ndarray of shape (n_targets,), default=1.0
        One unit of each column of the parameters, in the units of y (Adam's
        steps are taken in those units).
    batches : MiniBatches or None
        Mini-batch epochs (with ``batch_size`` and ``sample_curvature()``), or
        None for full-batch ones.

    Returns
    -------
    plan : Plan
    """
    solver, lr, momentum = options.solver, options.learning_rate, options.momentum
    if solver == "adam":
        if lr == "auto":
            # Constant targets have no spread: their magnitude sets the scale.
            spread = math.sqrt(objective.loss_scale) or 1.0
            lr = ADAM_LEARNING_RATE * spread * _largest(unit)
        rule = Adam(lr, options.beta_1, options.beta_2, options.epsilon, unit)
        # Adam's steps follow a mean of the gradients over about 1 / (1 -
        # beta_1) epochs, and its loss rises and falls on that scale.
        wait = math.ceil(1.0 / (1.0 - options.beta_1))
        return Plan(rule, float(lr), None, _GROWTH, stall_wait=wait)
    if batches is not None:
        return _mini_batch_plan(solver, lr, momentum, objective, batches)
    if solver == "gd":
        if lr == "auto":
            lr = safe_step(objective.largest_eigenvalue())
        return Plan(GradientStep(lr), float(lr), 0.0, None)
    lam_max = objective.largest_eigenvalue()
    lam_min = objective.smallest_eigenvalue()
    nesterov = solver == "nesterov"
    tune = nesterov_parameters if nesterov else heavy_ball_parameters
    lr, momentum = tune(lam_min, lam_max, lr, momentum)
    condition = lam_max / lam_min if lam_min > 0 else _MAX_CONDITION
    condition = min(max(condition, 1.0), _MAX_CONDITION)
    return Plan(
        Momentum(lr, momentum, nesterov),
        lr,
        momentum,
        _GROWTH * condition,
        stall_wait=math.ceil(math.sqrt(condition)),
    )


def _mini_batch_plan(solver, lr, momentum, objective, batches):
    """Mini-batch "gd", "momentum" or "nesterov" (see the module docstring)."""
    if solver == "gd":
        momentum = 0.0
    elif momentum == "auto":
        momentum = MINI_BATCH_MOMENTUM
    if lr == "auto":
        beta = batches.sample_curvature()
        step = batch_step(batches.batch_size, beta, objective.largest_eigenvalue())
        lr = (1.0 - momentum) * step
    if solver == "gd":
        rule = GradientStep(lr)
    else:
        rule = Momentum(lr, momentum, solver == "nesterov")
    return Plan(rule, float(lr), float(momentum), _GROWTH)


def safe_step(lam_max):
    """``1 / L`` for ``L = 2 * lam_max``: a step that provably converges.

    ``lam_max`` is the largest eigenvalue of half the Hessian; any step
    converges on a flat loss.
    """
    return 0.5 / lam_max if lam_max > 0 else 0.5


def _largest(unit):
    return float(max(unit)) if hasattr(unit, "__len__") else float(unit)
