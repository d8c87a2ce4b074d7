# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Newton's method on the quadratic objective: one step, and it is the minimum.

The objective ``J(theta) = ||R theta - z||^2 + floor`` (``R`` the triangular
factor of the statistics, the penalty included) has its minimum where ``R theta
= z``. From any point one Newton step lands there; the step is that triangular
solve (``GramObjective.minimizer``). Terms aliased in the data are not in
``R`` (``StandardBasis.with_aliased``): it is not singular.
"""

import numpy as np

from ._base import DescentResult, Solver


class Newton(Solver):
    """One Newton step, then the certificate (named as in scikit-learn's GLMs).

    Parameters
    ----------
    tol : float or None
        The step is the minimum to rounding: whether it is within ``tol`` of
        it is judged on the factor after the solve, as for every solver.
        ``None`` certifies the step against ``resolution`` alone ("tol"), or
        says rounding kept it further ("stalled").
    record_path : bool, default=False
    """

    name = "newton-cholesky"
    title = "Newton's method"
    epochs = False

    def __init__(self, tol, record_path=False):
        self.tol = tol
        self.record_path = record_path

    def solve(self, objective, theta0, theta, *, resolution, exact_fit=0.0):
        """Measure the step from ``theta0`` to ``theta``, the solve's result.

        Parameters
        ----------
        objective : objective
            With ``evaluate`` and ``gap``.
        theta0, theta : ndarray of shape (n_params, n_targets)
            The start and the solution of :func:`newton_solve`.
        resolution : float
            The excess over the minimum that counts as none.
        exact_fit : float, default=0.0
            A loss at most this is an exact fit's: at the minimum as far as
            float64 can tell.

        Returns
        -------
        result : DescentResult
        """
        loss0 = objective.evaluate(theta0)[0]
        loss, gradient, _ = objective.evaluate(theta)
        # The triangular solve is backward stable: its gap is rounding. With a
        # tol, whether the step is within it of the minimum is judged on R
        # after the solve (``certify_resolved``), for every solver alike;
        # without one, the step must be within the statistics' resolution.
        gap = min(objective.gap(gradient), loss)
        optimum = max(loss - gap, 0.0)
        certified = self.tol is not None or gap <= resolution or loss <= exact_fit
        path = np.stack([theta0, theta])
        return DescentResult(
            theta=theta,
            loss_curve=np.array([loss0, loss]),
            n_iter=1,
            stop_reason="tol" if certified else "stalled",
            learning_rate=1.0,
            momentum=None,
            best_iter=1,
            path=path if self.record_path else None,
            gap=gap,
            optimum=optimum,
            parameters_at=lambda k: path[min(k, 1)],
        )
