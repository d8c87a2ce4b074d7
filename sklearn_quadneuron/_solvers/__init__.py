# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Optimizers over an objective, and the bookkeeping they share.

An optimizer knows nothing of estimators: it takes an objective (``evaluate``,
``value``, ``largest_eigenvalue``, ``smallest_eigenvalue``; with ``precomputed``
true also its ``hessian``, ``linear``, ``eigen()`` and ``validation``), initial
parameters and :class:`DescentOptions`, and returns a :class:`DescentResult`.

One epoch loop (:class:`GradientDescent`, in ``_gd``) drives every update rule:
plain gradient descent (``_rules``), momentum and Nesterov's momentum
(``_momentum``), Adam (``_adam``), on the full batch or on mini-batches
(``_sgd``); ``_monitor`` decides when a run ends.
"""

from ._gd import DescentOptions, GradientDescent, OutOfRangeError
from ._momentum import largest_stable_step
from ._monitor import DescentResult, StoppingMonitor
from ._rules import ADAM_LEARNING_RATE, SOLVERS, plan_descent, safe_step
from ._sgd import MiniBatches

__all__ = [
    "ADAM_LEARNING_RATE",
    "SOLVERS",
    "DescentOptions",
    "DescentResult",
    "GradientDescent",
    "MiniBatches",
    "OutOfRangeError",
    "StoppingMonitor",
    "largest_stable_step",
    "plan_descent",
    "safe_step",
]
