# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Optimizers over an objective, and the bookkeeping they share.

An optimizer knows nothing of estimators: it takes an objective (``evaluate``,
``value``, ``largest_eigenvalue``, ``smallest_eigenvalue``; with ``precomputed``
true also its ``hessian``, ``linear``, ``eigen()``, ``validation`` and
``rotated()``, the same objective in a basis where its Hessian is tridiagonal,
or None), initial parameters and :class:`DescentOptions`, and returns a
:class:`DescentResult`.

One epoch loop (:class:`GradientDescent`, in ``_gd``) drives every update rule:
plain gradient descent (``_rules``), momentum and Nesterov's momentum
(``_momentum``), Adam (``_adam``), on the full batch or on mini-batches
(``_sgd``); ``_monitor`` decides when a run ends. ``"newton-cholesky"``
(``_newton``) has no epochs: one Newton step is the minimum of the quadratic.
"""

from .._validation import ONE_STEP_SOLVER as NEWTON
from ._gd import DescentOptions, GradientDescent, OutOfRangeError
from ._momentum import largest_stable_step
from ._monitor import DescentResult, StoppingMonitor
from ._newton import Newton
from ._rules import ADAM_LEARNING_RATE, plan_descent, safe_step
from ._rules import SOLVERS as DESCENT_SOLVERS
from ._sgd import MiniBatches

#: Every solver, by the name of the estimator's ``solver``.
SOLVERS = (*DESCENT_SOLVERS, NEWTON)

__all__ = [
    "ADAM_LEARNING_RATE",
    "DESCENT_SOLVERS",
    "NEWTON",
    "SOLVERS",
    "DescentOptions",
    "DescentResult",
    "GradientDescent",
    "MiniBatches",
    "Newton",
    "OutOfRangeError",
    "StoppingMonitor",
    "largest_stable_step",
    "plan_descent",
    "safe_step",
]
