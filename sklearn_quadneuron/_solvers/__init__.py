# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The solvers, by the value of the estimator's ``solver``.

A solver is one class (:class:`~._base.Solver`) declaring what it reads and how
it runs; :data:`SOLVERS` maps its name to it, and nothing else in the package
names it: a new solver is one module and one line here. Nothing here knows
estimators: a solver takes an objective, initial parameters and
:class:`DescentOptions`, and returns a :class:`DescentResult`.

One epoch loop (:class:`GradientDescent`, in ``_gd``) drives every update rule
of ``_descent`` (plain gradient descent, the heavy ball, Nesterov's momentum,
Adam), on the full batch or on mini-batches; ``_base`` decides when
a run ends. Newton's method (``_newton``) has no epochs: one step is the
minimum of the quadratic.
"""

from ._base import (
    DescentResult,
    Shortfall,
    Solver,
    StoppingMonitor,
    certificate_rounding,
    certify_resolved,
    targets_within,
)
from ._descent import Adam, HeavyBall, MiniBatches, Nesterov, PlainDescent, safe_step
from ._gd import DescentOptions, GradientDescent, OutOfRangeError
from ._newton import Newton

#: Every solver, by the value of the estimator's ``solver``.
SOLVERS = {
    solver.name: solver for solver in (PlainDescent, HeavyBall, Nesterov, Adam, Newton)
}

__all__ = [
    "SOLVERS",
    "DescentOptions",
    "DescentResult",
    "Shortfall",
    "GradientDescent",
    "MiniBatches",
    "Newton",
    "OutOfRangeError",
    "Solver",
    "StoppingMonitor",
    "certificate_rounding",
    "certify_resolved",
    "safe_step",
    "targets_within",
]
