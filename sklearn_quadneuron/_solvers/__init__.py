# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Optimizers over an objective, and the bookkeeping they share.

An optimizer knows nothing of estimators: it takes an objective (``evaluate``,
``value``, ``largest_eigenvalue``; with ``precomputed`` true also its
``hessian``, ``linear``, ``eigen()`` and ``validation``), initial parameters and
:class:`DescentOptions`, and returns a :class:`DescentResult`.
"""

from ._gd import (
    DescentOptions,
    GradientDescent,
    OutOfRangeError,
    safe_step,
)
from ._monitor import DescentResult, StoppingMonitor

__all__ = [
    "DescentOptions",
    "DescentResult",
    "GradientDescent",
    "OutOfRangeError",
    "StoppingMonitor",
    "safe_step",
]
