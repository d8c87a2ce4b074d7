# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Gradient descent with momentum: the heavy ball, and Nesterov's variant.

The update rules are those of scikit-learn's ``MLPRegressor(solver="sgd")``,
with ``nesterovs_momentum`` carried by the solver's name:

.. math::

    v &\\leftarrow \\mu v - \\eta g \\\\
    \\theta &\\leftarrow \\theta + v
        \\quad \\text{(heavy ball, "momentum")} \\\\
    \\theta &\\leftarrow \\theta + \\mu v - \\eta g
        \\quad \\text{(Nesterov)}

with ``v = 0`` before the first update, ``eta`` the learning rate, ``mu`` the
momentum and ``g`` the gradient at the current parameters.

Tuned for a quadratic. On ``J(theta) = J* + (theta - theta*)^T H (theta -
theta*)``, whose Hessian ``2 H`` has its curved eigenvalues in ``[m, L]``, each
eigen-direction follows a two-term linear recurrence, and the constants that
make the slowest one fastest are known (Polyak 1964; Nesterov 1983):

- heavy ball: ``eta = 4 / (sqrt(L) + sqrt(m))**2`` and ``mu = ((sqrt(L) -
  sqrt(m)) / (sqrt(L) + sqrt(m)))**2``: every direction contracts by ``sqrt(mu)
  = (sqrt(k) - 1) / (sqrt(k) + 1)`` per epoch, ``k = L / m``;
- Nesterov: ``eta = 1 / L`` and ``mu = (sqrt(L) - sqrt(m)) / (sqrt(L) +
  sqrt(m))``: the slowest direction contracts by ``1 - 1 / sqrt(k)``.

Either way the epochs needed grow as ``sqrt(k)``, where plain gradient descent
needs about ``k``.
"""

import math

import numpy as np

# A momentum this close to 1 is already a loss of all damping: a tuned value is
# held below it.
_MAX_MOMENTUM = 0.999


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


def heavy_ball_parameters(lam_min, lam_max, learning_rate="auto", momentum="auto"):
    """``(learning_rate, momentum)`` of the heavy ball, "auto" resolved.

    ``lam_min`` and ``lam_max`` are the extreme curved eigenvalues of half the
    Hessian (``m = 2 lam_min``, ``L = 2 lam_max``). Both "auto": Polyak's optimal
    pair. Only the learning rate "auto": ``(1 + mu) / L``, the middle of the
    stable range ``(0, 2 (1 + mu) / L)``, as ``1 / L`` is for plain gradient
    descent. Only the momentum "auto": the smallest that puts every direction
    in the oscillating regime, where all contract by ``sqrt(mu)``,
    ``mu = max(1 - sqrt(eta m), sqrt(eta L) - 1)**2``.
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
        root = max(1.0 - math.sqrt(learning_rate * m), math.sqrt(learning_rate * L) - 1)
        momentum = min(max(root, 0.0) ** 2, _MAX_MOMENTUM)
    return float(learning_rate), float(momentum)


def nesterov_parameters(lam_min, lam_max, learning_rate="auto", momentum="auto"):
    """``(learning_rate, momentum)`` of Nesterov's momentum, "auto" resolved.

    The learning rate "auto" is ``1 / L``; the momentum "auto" is ``(1 - q) /
    (1 + q)`` with ``q = sqrt(eta m)``, which for ``eta = 1 / L`` is Nesterov's
    ``(sqrt(L) - sqrt(m)) / (sqrt(L) + sqrt(m))``.
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


def largest_stable_step(momentum, lam_max, nesterov):
    """The learning rate at and beyond which the top direction cannot converge.

    The heavy ball is stable for ``eta L < 2 (1 + mu)``, Nesterov's momentum for
    ``eta L < 2 (1 + mu) / (1 + 2 mu)`` (``mu = 0``: gradient descent's ``2 /
    L``).
    """
    if lam_max <= 0:
        return math.inf
    limit = (1.0 + momentum) / lam_max
    return limit / (1.0 + 2.0 * momentum) if nesterov else limit
