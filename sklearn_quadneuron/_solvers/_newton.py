# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Newton's method on the quadratic objective: one step, and it is the minimum.

The objective ``J(theta) = theta^T H theta - 2 theta^T h + const`` (``H`` half
its Hessian, the penalty included) has its minimum where ``H theta = h``. From
any point one Newton step lands there; the step is that solve.

The solve runs on ``S H S`` with ``S = diag(H)**-1/2`` (a unit diagonal), the
scaling the certificate of convergence uses too (``_spectrum``):

- a Cholesky factorization when its reciprocal condition number (LAPACK's
  estimate, ``pocon``) is well above the rank cut-off;
- otherwise an eigendecomposition, keeping the modes whose eigenvalue exceeds
  ``EIGEN_CUTOFF`` (``1e-13``) times the largest: a relative cut-off, as
  :func:`numpy.linalg.lstsq`'s ``rcond`` and :func:`scipy.linalg.pinvh`'s
  ``rtol``. The solution has no component along the flat modes: it is the
  minimum-norm least-squares solution in the scaled basis, and the parameters
  those modes mix are reported as collinear.
"""

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve
from scipy.linalg.lapack import get_lapack_funcs

from .._spectrum import EIGEN_CUTOFF, scaled_spectrum
from ._monitor import DescentResult

# Cholesky is trusted when LAPACK's estimate of the reciprocal condition number
# of the scaled Hessian is this far above the rank cut-off (the estimate is
# within a small factor of the truth).
_CHOLESKY_MARGIN = 1e3
# A parameter takes part in a flat mode when its share of that mode's
# (unit) eigenvector is at least this.
_SHARE = 1e-3


def newton_solve(hessian, linear):
    """The minimum-norm solution of ``hessian @ theta = linear``.

    Parameters
    ----------
    hessian : ndarray of shape (n_params, n_params)
        Symmetric positive semi-definite.
    linear : ndarray of shape (n_params, n_targets)

    Returns
    -------
    theta : ndarray of shape (n_params, n_targets)
    collinear : ndarray of bool of shape (n_params,) or None
        The parameters that flat modes of the scaled Hessian mix (None when
        it has full rank).
    """
    diagonal = np.diag(hessian)
    scale = 1.0 / np.sqrt(np.where(diagonal > 0, diagonal, 1.0))
    scaled = hessian * scale[:, None] * scale[None, :]
    rhs = linear * scale[:, None]
    if np.all(diagonal > 0):
        try:
            factor = cho_factor(scaled, lower=True, check_finite=False)
        except LinAlgError:
            factor = None
        if factor is not None and _reciprocal_condition(factor[0], scaled) > (
            _CHOLESKY_MARGIN * EIGEN_CUTOFF
        ):
            return scale[:, None] * cho_solve(factor, rhs, check_finite=False), None
    lam, V, keep, _, _ = scaled_spectrum(scaled)
    Vk = V[:, keep]
    theta = scale[:, None] * (Vk @ ((Vk.T @ rhs) / lam[keep][:, None]))
    if keep.all():
        return theta, None
    share = (V[:, ~keep] ** 2).sum(axis=1)
    return theta, share >= _SHARE


def _reciprocal_condition(lower, matrix):
    """LAPACK's estimate of the reciprocal 1-norm condition number."""
    pocon = get_lapack_funcs("pocon", (lower,))
    rcond, info = pocon(lower, np.abs(matrix).sum(axis=0).max(), uplo="L")
    return float(rcond) if info == 0 else 0.0


class Newton:
    """The solver ``"newton-cholesky"``: one Newton step, then the certificate.

    Parameters
    ----------
    tol : float or None
        The step is certified converged ("tol") when the objective's
        certificate bounds its excess over the minimum by ``max(tol * J*,
        resolution)``; otherwise rounding kept it further ("stalled").
        ``None`` certifies against ``resolution`` alone.
    record_path : bool, default=False
    """

    def __init__(self, tol, record_path=False):
        self.tol = tol
        self.record_path = record_path

    def solve(self, objective, theta0, theta, *, resolution):
        """Measure the step from ``theta0`` to ``theta``, the solve's result.

        Parameters
        ----------
        objective : objective
            With ``evaluate`` and ``gap``.
        theta0, theta : ndarray of shape (n_params, n_targets)
            The start and the solution of :func:`newton_solve`.
        resolution : float
            The excess over the minimum that counts as none.

        Returns
        -------
        result : DescentResult
        """
        loss0 = objective.evaluate(theta0)[0]
        loss, gradient, _ = objective.evaluate(theta)
        gap = min(objective.gap(gradient), loss)
        optimum = max(loss - gap, 0.0)
        certified = gap <= max((self.tol or 0.0) * optimum, resolution)
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
