# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The descent solvers: an update rule each, and the constants "auto" resolves to.

The update rules are those of scikit-learn's MLP (``MLPRegressor``'s ``"sgd"``
without and with ``nesterovs_momentum``, and its ``"adam"``), with ``v = 0``
before the first update, ``eta`` the learning rate, ``mu`` the momentum and
``g`` the gradient at the current parameters:

.. math::

    \\theta &\\leftarrow \\theta - \\eta g
        \\quad \\text{(gradient descent)} \\\\
    v &\\leftarrow \\mu v - \\eta g, \\quad \\theta \\leftarrow \\theta + v
        \\quad \\text{(heavy ball)} \\\\
    \\theta &\\leftarrow \\theta + \\mu v - \\eta g
        \\quad \\text{(Nesterov, with the same } v \\text{)} \\\\
    m &\\leftarrow \\beta_1 m + (1 - \\beta_1) g, \\quad
    s \\leftarrow \\beta_2 s + (1 - \\beta_2) g^2 \\\\
    \\theta &\\leftarrow \\theta - \\eta \\frac{\\sqrt{1 - \\beta_2^t}}{1 -
        \\beta_1^t} \\frac{m}{\\sqrt{s} + \\epsilon}
        \\quad \\text{(Adam, Kingma and Ba, 2014)}

Full batch, on the quadratic objective, "auto" is the best known choice for the
curvature ``[m, L]`` of the loss (``m``, ``L`` twice the extreme curved
eigenvalues of half the Hessian). Plain descent takes ``1 / L``, the step that
converges fastest on the stiffest direction and provably converges on every
one. The momentum methods take the pairs known to make the slowest direction
fastest (Polyak 1964; Nesterov 1983): the heavy ball ``eta = 4 / (sqrt(L) +
sqrt(m))**2``, ``mu = ((sqrt(L) - sqrt(m)) / (sqrt(L) + sqrt(m)))**2``, every
direction contracting by ``sqrt(mu)`` per epoch; Nesterov ``eta = 1 / L``, ``mu
= (sqrt(L) - sqrt(m)) / (sqrt(L) + sqrt(m))``. Either needs about ``sqrt(L /
m)`` epochs where plain descent needs ``L / m``. Adam's step is in the units of
the parameters, each moving by about ``eta`` per update whatever its gradient:
it is taken in the units of y, and "auto" is ``MLPRegressor``'s
``learning_rate_init``, 0.001, times the targets' standard deviation.

Mini-batches (:class:`MiniBatches`). An epoch draws an order of the training
samples (a permutation from the random generator when shuffling, their order
otherwise), cuts it into consecutive batches of ``batch_size`` (the last one
smaller, as in scikit-learn's ``gen_batches``), and applies the rule to each
batch's gradient in turn: the weighted mean of its samples' analytic gradients,
``g_B = 2 sum_B w_i phi_i r_i / sum_B w_i + 2 alpha D theta``, as
``MLPRegressor``'s stochastic solvers do. The curvature a batch sees can be
larger than the whole data's: a single sample's loss curves by ``2
||phi_i||**2`` along ``phi_i``. For a quadratic loss, batches of ``b`` samples
descend fastest, without diverging, with the step ``b / (2 (beta + (b - 1)
lam))`` (Ma, Bassily and Belkin, 2018), ``beta = max ||phi_i||**2`` and ``lam``
the largest eigenvalue of half the Hessian: ``1 / (2 beta)`` for single
samples, tending to full-batch descent's ``1 / (2 lam)``. The momentum methods
keep ``MLPRegressor``'s momentum, 0.9, and take ``(1 - momentum)`` times that
step, so that their effective step, the learning rate over ``1 - momentum``, is
that of plain mini-batch descent.

How a run may misbehave without diverging. Plain full-batch descent with a
stable step never raises the loss. The others may: momentum overshoots and
comes back (the loss of the stiffest direction can grow transiently by up to
about ``L / m`` before it falls), Adam's steps do not shrink with the gradient,
and a mini-batch's step is not the data's. Their runs are judged diverged only
when the loss leaves any such transient far behind (:data:`_GROWTH` times the
curvature ratio above where it started); and the stall rule waits ``sqrt(L /
m)`` times longer with momentum, the epochs its oscillations take to die out,
and ``1 / (1 - beta_1)`` times longer with Adam, the epochs its mean gradient
spans.
"""

import math
from dataclasses import dataclass

import numpy as np

from ._base import Solver

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
# A momentum this close to 1 is already a loss of all damping: a tuned value is
# held below it.
_MAX_MOMENTUM = 0.999


@dataclass
class Plan:
    """A solver's rule with its constants resolved, and how to watch it.

    Attributes
    ----------
    rule : object
        With ``update(theta, grad) -> theta``.
    learning_rate : float
    momentum : float or None
        The momentum of the momentum methods, 0 for plain descent, None for
        Adam (whose ``beta_1`` plays that part).
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


# -- the update rules --------------------------------------------------------------


class GradientStep:
    """Plain gradient descent: ``theta <- theta - learning_rate * grad``."""

    def __init__(self, learning_rate):
        self.learning_rate = float(learning_rate)

    def update(self, theta, grad):
        """The parameters after one update from ``theta`` with gradient ``grad``."""
        return theta - self.learning_rate * grad


class Momentum:
    """The heavy ball (``nesterov=False``) or Nesterov's momentum.

    Parameters
    ----------
    learning_rate : float
    momentum : float in [0, 1)
    nesterov : bool, default=False
    """

    def __init__(self, learning_rate, momentum, nesterov=False):
        self.learning_rate = float(learning_rate)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.velocity = 0.0

    def update(self, theta, grad):
        """The parameters after one update from ``theta`` with gradient ``grad``."""
        step = self.learning_rate * grad
        # The velocity is this rule's own: updated in place, it costs no copy.
        if isinstance(self.velocity, np.ndarray):
            self.velocity *= self.momentum
            self.velocity -= step
        else:
            self.velocity = -step
        if self.nesterov:
            return theta + (self.momentum * self.velocity - step)
        return theta + self.velocity


class AdamStep:
    """Adam's update, on parameters measured in units of ``unit``.

    Parameters
    ----------
    learning_rate : float
        ``eta``, in the units of y.
    beta_1, beta_2 : float in [0, 1)
    epsilon : float > 0
        In the units of the gradient of the loss in the units of y.
    unit : float or ndarray of shape (n_targets,), default=1.0
        One unit of column t of ``theta`` is ``unit[t]`` units of y.
    """

    def __init__(self, learning_rate, beta_1, beta_2, epsilon, unit=1.0):
        self.learning_rate = float(learning_rate)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.unit = unit
        self.t = 0
        self.m = self.v = 0.0

    def update(self, theta, grad):
        """The parameters after one update from ``theta`` with gradient ``grad``."""
        # The gradient of the loss in y's units with respect to parameters in
        # y's units: the loss scales as unit**2, the parameters as unit.
        g = grad * self.unit
        self.t += 1
        self.m = self.beta_1 * self.m + (1.0 - self.beta_1) * g
        self.v = self.beta_2 * self.v + (1.0 - self.beta_2) * (g * g)
        rate = (
            self.learning_rate
            * math.sqrt(1.0 - self.beta_2**self.t)
            / (1.0 - self.beta_1**self.t)
        )
        return theta - (rate / self.unit) * self.m / (np.sqrt(self.v) + self.epsilon)


# -- mini-batches ------------------------------------------------------------------


class MiniBatches:
    """Epochs of mini-batch updates over ``n_samples`` training samples.

    Parameters
    ----------
    gradient : callable
        ``gradient(theta, rows) -> grad``: the batch's gradient, ``rows`` the
        positions of its samples among the training samples.
    n_samples : int
        Number of training samples.
    batch_size : int
        Clipped to ``n_samples``.
    shuffle : bool
        Draw a new order of the samples every epoch.
    random_state : numpy.random.RandomState
        The generator of the orders: each epoch's is
        ``random_state.permutation(n_samples)``.
    sample_curvature : callable
        ``sample_curvature() -> beta``, the largest ``||phi_i||**2`` (plus the
        penalty's curvature) over the training samples, for the step of the
        module docstring; called only when that step is asked for.
    """

    def __init__(
        self, gradient, n_samples, batch_size, shuffle, random_state, sample_curvature
    ):
        self.gradient = gradient
        self.sample_curvature = sample_curvature
        self.n_samples = int(n_samples)
        self.batch_size = int(min(batch_size, n_samples))
        self.shuffle = shuffle
        self.random_state = random_state

    def epoch(self, theta, rule):
        """The parameters after one pass over the batches from ``theta``."""
        n, size = self.n_samples, self.batch_size
        if self.shuffle:
            order = self.random_state.permutation(n)
        else:
            order = np.arange(n)
        for start in range(0, n, size):
            theta = rule.update(
                theta, self.gradient(theta, order[start : start + size])
            )
        return theta


def batch_step(batch_size, beta, lam_max):
    """The step ``b / (2 (beta + (b - 1) lam))`` of the module docstring."""
    b = float(batch_size)
    return b / (2.0 * (beta + (b - 1.0) * lam_max))


# -- the solvers -------------------------------------------------------------------


class PlainDescent(Solver):
    """Gradient descent, the article's optimizer."""

    name = "gd"
    title = "Gradient descent"
    accepts = frozenset({"learning_rate"})
    monotone = True

    @classmethod
    def plan(cls, options, objective, unit=1.0, batches=None):
        """The rule with "auto" resolved on ``objective``.

        Parameters
        ----------
        options : DescentOptions
        objective : objective
            Its eigenvalues are asked only when a constant or the monitor
            needs them.
        unit : float or ndarray of shape (n_targets,), default=1.0
            One unit of each column of the parameters, in the units of y.
        batches : MiniBatches or None
            Mini-batch epochs, or None for full-batch ones.

        Returns
        -------
        plan : Plan
        """
        lr = options.learning_rate
        if batches is not None:
            lr = _batch_rate(lr, 0.0, objective, batches)
            return Plan(GradientStep(lr), float(lr), 0.0, _GROWTH)
        if lr == "auto":
            lr = safe_step(objective.largest_eigenvalue())
        return Plan(GradientStep(lr), float(lr), 0.0, None)

    @classmethod
    def max_stable(cls, momentum, lam_max):
        """The learning rate at and beyond which the top direction cannot converge.

        ``2 / L`` for plain descent; the heavy ball is stable for ``eta L < 2
        (1 + mu)``, Nesterov's momentum for ``eta L < 2 (1 + mu) / (1 + 2
        mu)``. None where no such limit is known.
        """
        if lam_max <= 0:
            return math.inf
        return (1.0 + (momentum or 0.0)) / lam_max


class HeavyBall(PlainDescent):
    """Gradient descent with momentum (Polyak's heavy ball)."""

    name = "momentum"
    title = "Gradient descent with momentum"
    accepts = frozenset({"learning_rate", "momentum"})
    monotone = False
    nesterov = False

    @classmethod
    def plan(cls, options, objective, unit=1.0, batches=None):
        """See :meth:`PlainDescent.plan`."""
        lr, momentum = options.learning_rate, options.momentum
        if batches is not None:
            momentum = MINI_BATCH_MOMENTUM if momentum == "auto" else momentum
            lr = _batch_rate(lr, momentum, objective, batches)
            rule = Momentum(lr, momentum, cls.nesterov)
            return Plan(rule, float(lr), float(momentum), _GROWTH)
        lam_max = objective.largest_eigenvalue()
        lam_min = objective.smallest_eigenvalue()
        lr, momentum = cls.tuned(lam_min, lam_max, lr, momentum)
        condition = lam_max / lam_min if lam_min > 0 else _MAX_CONDITION
        condition = min(max(condition, 1.0), _MAX_CONDITION)
        return Plan(
            Momentum(lr, momentum, cls.nesterov),
            lr,
            momentum,
            _GROWTH * condition,
            stall_wait=math.ceil(math.sqrt(condition)),
        )

    @staticmethod
    def tuned(lam_min, lam_max, learning_rate="auto", momentum="auto"):
        """``(learning_rate, momentum)`` of the heavy ball, "auto" resolved.

        ``lam_min`` and ``lam_max`` are the extreme curved eigenvalues of half
        the Hessian (``m = 2 lam_min``, ``L = 2 lam_max``). Both "auto":
        Polyak's optimal pair. Only the learning rate "auto": ``(1 + mu) / L``,
        the middle of the stable range ``(0, 2 (1 + mu) / L)``, as ``1 / L`` is
        for plain gradient descent. Only the momentum "auto": the smallest that
        puts every direction in the oscillating regime, where all contract by
        ``sqrt(mu)``, ``mu = max(1 - sqrt(eta m), sqrt(eta L) - 1)**2``.
        """
        L, m = 2.0 * lam_max, 2.0 * lam_min
        if L <= 0:
            return (0.5 if learning_rate == "auto" else learning_rate), 0.0
        if learning_rate == "auto" and momentum == "auto":
            root_L, root_m = math.sqrt(L), math.sqrt(m)
            learning_rate = 4.0 / (root_L + root_m) ** 2
            momentum = ((root_L - root_m) / (root_L + root_m)) ** 2
        elif learning_rate == "auto":
            learning_rate = (1.0 + momentum) / L
        elif momentum == "auto":
            root = max(
                1.0 - math.sqrt(learning_rate * m), math.sqrt(learning_rate * L) - 1
            )
            momentum = min(max(root, 0.0) ** 2, _MAX_MOMENTUM)
        return float(learning_rate), float(momentum)


class Nesterov(HeavyBall):
    """Nesterov's accelerated gradient."""

    name = "nesterov"
    title = "Nesterov's accelerated gradient"
    nesterov = True

    @staticmethod
    def tuned(lam_min, lam_max, learning_rate="auto", momentum="auto"):
        """``(learning_rate, momentum)`` of Nesterov's momentum, "auto" resolved.

        The learning rate "auto" is ``1 / L``; the momentum "auto" is ``(1 - q)
        / (1 + q)`` with ``q = sqrt(eta m)``, which for ``eta = 1 / L`` is
        Nesterov's ``(sqrt(L) - sqrt(m)) / (sqrt(L) + sqrt(m))``.
        """
        L, m = 2.0 * lam_max, 2.0 * lam_min
        if L <= 0:
            return (0.5 if learning_rate == "auto" else learning_rate), 0.0
        if learning_rate == "auto":
            learning_rate = 1.0 / L
        if momentum == "auto":
            q = min(math.sqrt(learning_rate * m), 1.0)
            momentum = min((1.0 - q) / (1.0 + q), _MAX_MOMENTUM)
        return float(learning_rate), float(momentum)

    @classmethod
    def max_stable(cls, momentum, lam_max):
        """See :meth:`PlainDescent.max_stable`."""
        limit = super().max_stable(momentum, lam_max)
        return limit / (1.0 + 2.0 * (momentum or 0.0))


class Adam(Solver):
    """Adam, with the update rule of scikit-learn's MLP."""

    name = "adam"
    title = "Adam"
    accepts = frozenset({"learning_rate", "beta_1", "beta_2", "epsilon"})
    per_coordinate = True

    @classmethod
    def plan(cls, options, objective, unit=1.0, batches=None):
        """See :meth:`PlainDescent.plan`."""
        lr = options.learning_rate
        if lr == "auto":
            # Constant targets have no spread: their magnitude sets the scale.
            spread = math.sqrt(objective.loss_scale) or 1.0
            lr = ADAM_LEARNING_RATE * spread * _largest(unit)
        rule = AdamStep(lr, options.beta_1, options.beta_2, options.epsilon, unit)
        # Adam's steps follow a mean of the gradients over about 1 / (1 -
        # beta_1) epochs, and its loss rises and falls on that scale.
        wait = math.ceil(1.0 / (1.0 - options.beta_1))
        return Plan(rule, float(lr), None, _GROWTH, stall_wait=wait)

    @classmethod
    def max_stable(cls, momentum, lam_max):
        """None: Adam's steps do not scale with the gradient."""
        return None


def _batch_rate(lr, momentum, objective, batches):
    """The mini-batch learning rate: "auto" is ``1 - momentum`` times the batch step."""
    if lr != "auto":
        return lr
    beta = batches.sample_curvature()
    step = batch_step(batches.batch_size, beta, objective.largest_eigenvalue())
    return (1.0 - momentum) * step


def safe_step(lam_max):
    """``1 / L`` for ``L = 2 * lam_max``: a step that provably converges.

    ``lam_max`` is the largest eigenvalue of half the Hessian; any step
    converges on a flat loss.
    """
    return 0.5 / lam_max if lam_max > 0 else 0.5


def _largest(unit):
    return float(max(unit)) if hasattr(unit, "__len__") else float(unit)
