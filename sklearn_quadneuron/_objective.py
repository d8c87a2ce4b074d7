# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The training objective in the descent basis, read from the statistics.

With expanded features ``phi = [x**2, x, 1]`` and parameters ``theta``, the
model is ``y_hat = phi . theta`` and the residual is ``r = y_hat - y``. The loss
is the (weighted) mean squared error, summed over targets, plus an optional L2
penalty on the coefficients (never on the intercept):

.. math::

    L(\\theta) = \\frac{\\sum_i w_i r_i^2}{\\sum_i w_i} + \\alpha \\|\\theta_{coef}\\|^2

    \\nabla L = \\frac{2}{\\sum_i w_i} \\sum_i w_i \\phi_i r_i
              + 2 \\alpha \\theta_{coef}

The intercept's component is ``2 * mean(r)``: the exact derivative (the
article's code uses ``mean(r)``, half of it).

Two objectives give the same numbers by different arithmetic:

- :class:`GramObjective` reads the triangular factor of the sufficient
  statistics; every evaluation costs O(p^2), whatever the number of samples
  (``precomputed = True``).
- :class:`~._data_objective.DataObjective` reads the data at every evaluation,
  for thousands of features where the statistics would be large or slow to form
  (``precomputed = False``).

Both offer ``evaluate(theta) -> (loss, gradient, validation_loss)``,
``value(theta)``, ``largest_eigenvalue()``, ``smallest_eigenvalue()``,
``gap(gradient)``, ``initial_losses(theta0)`` and ``loss_scale`` (the weighted
variance of the targets, the natural scale of the loss).

The certificate. The objective is a convex quadratic with Hessian ``2 H``, so at
any ``theta`` its excess over the minimum is exactly ``g^T H^+ g / 4`` for the
gradient ``g`` (``H^+`` the pseudo-inverse). On the statistics, ``H = R^T R``
and the excess is ``||R^-T g / 2||^2``: one triangular solve, exact, and no
Gram is formed (terms aliased in the data are not in ``R``). On the data alone
(:class:`DataObjective`), from an eigendecomposition of its Hessian scaled to a
unit diagonal, or beyond 96 parameters the bound ``||g||^2 / (4 lambda_min)``;
directions whose curvature is below rounding are charged as if their curvature
were the rounding floor ``q * eps * lambda_max``, so that nearly collinear data
is never certified by mistake.

Each target is its own problem: column t of ``theta`` holds its parameters, in
units of its own ``y_ref``, and column t of the gradient is the article's analytic
gradient of its own loss (weighted mean squared error plus the L2 penalty),
chained to the descent basis. The value sums the targets' losses in one unit, the
largest target scale squared: ``value = sum_t c_t J_t`` with ``c_t = (y_scale_t /
max(y_scale))**2`` (``target_weights``), so that times that unit it is the loss in
the units of y, whatever the targets' scales.
"""

from contextlib import nullcontext

import numpy as np

from ._basis import StandardBasis
from ._linalg import (
    TRIDIAGONAL_FROM,
    Tridiagonal,
    append_rows,
    blas_own_threads,
    check_curvature,
    check_resolved,
    eigen,
    solve_upper,
    triangular_factor,
)

# Raised when one pass over the data overflows float64 whatever the step size.
NOT_REPRESENTABLE = (
    "The loss or its gradient overflow float64 on this data (the features or "
    "targets span too many orders of magnitude, or standardize=False squares "
    "features too large). Use standardize=True (the default), or rescale X or y, "
    "for example with StandardScaler or by a power of ten, and fit again."
)


class GramObjective:
    """The objective on gathered statistics, read from a triangular factor.

    ``J(theta) = mse(T^T theta) + alpha ||D theta||^2`` is, target by target,
    a least-squares problem in the descent basis: the bias row, the centered
    rows (the statistics' factor, in that basis) and the penalty's rows. One
    QR of that small system gives its factor ``R`` (upper triangular), the
    right-hand sides ``z`` and the residual ``floor`` of each target:

    .. math::

        J_t(\\theta) = \\|R \\theta_t - z_t\\|^2 + floor_t, \\quad
        \\nabla J_t = 2 R^T (R \\theta_t - z_t)

    Nothing cancels: the loss and its excess over the minimum,
    ``||R theta_t - z_t||^2``, are sums of squares; the minimum is one
    triangular solve; the certificate reads the excess from the gradient by
    another (``||R^-T g / 2||^2``). ``hessian = R^T R`` and ``linear = R^T z``
    serve the epochs' spectral forms only (closed form, tridiagonal, step
    size).

    Parameters
    ----------
    statistics : QuadraticStatistics
    descent : DescentBasis
    alpha : float
    held_out : QuadraticStatistics, default=None
        Statistics of a validation split: ``validation`` is then the same
        objective on them.
    target_weights : ndarray of shape (n_targets,), default=None
        ``c_t`` of the module docstring; None: all 1.
    """

    precomputed = True

    def __init__(self, statistics, descent, alpha, held_out=None, target_weights=None):
        if target_weights is None:
            target_weights = np.ones(statistics.n_targets)
        self.target_weights = target_weights
        self.penalty = L2Penalty(alpha, descent.penalized)
        moments = descent.basis.moments(statistics).restricted(descent.active)
        self.moments = moments
        self.T = descent.T
        self.standardized = descent.standardize
        self.R, self.z, self.minimum = _least_squares(
            moments, descent.T, self.penalty, descent.standardize
        )
        with np.errstate(over="ignore", invalid="ignore"):
            curvature = (self.R**2).sum(axis=0)
            finite = np.isfinite(curvature).all() and np.isfinite(self.z).all()
        if not finite:
            raise ValueError(
                "standardize=False cannot be used on these features: the moments "
                "of x**2 overflow float64. Use standardize=True (the default)."
            )
        check_curvature(curvature)
        self._hessian = None
        if not descent.standardize:
            check_resolved(self.hessian, moments.gram()[0])
        self.from_gram = statistics.from_gram
        self.statistics = statistics
        self._keep = descent.active[:-1]
        self.loss_scale = float(target_weights @ statistics.target_variances())
        self.validation = None
        if held_out is not None:
            self.validation = GramObjective(
                held_out, descent, alpha, None, target_weights
            )
        self._eigen = self._anchored = self._tri = None

    @property
    def hessian(self):
        """``R^T R``: half the objective's Hessian, for the spectral forms."""
        if self._hessian is None:
            # An O(p^3) product, on BLAS's threads where it is large.
            large = self.R.shape[0] >= TRIDIAGONAL_FROM
            with np.errstate(over="ignore", invalid="ignore"):
                with blas_own_threads() if large else nullcontext():
                    self._hessian = self.R.T @ self.R
        return self._hessian

    @property
    def linear(self):
        """``R^T z``: the linear term of the Gram form."""
        return self.R.T @ self.z

    def _residuals(self, theta):
        """``R theta - z`` for theta (n_params, n_targets) or a stack of them."""
        return np.matmul(self.R, theta) - self.z

    def per_target(self, theta):
        """Each target's loss at ``theta`` (inf where too far to square)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return (self._residuals(theta) ** 2).sum(axis=-2) + self.minimum

    def value(self, theta):
        """The objective at ``theta`` (n_params, n_targets)."""
        return float(self.per_target(theta) @ self.target_weights)

    def gradient(self, theta):
        """``2 R^T (R theta - z)``: column t, that of target t's loss."""
        return 2.0 * np.matmul(self.R.T, self._residuals(theta))

    def gradient_near(self, theta):
        """The gradient, for epochs stepping on the statistics."""
        return self.gradient(theta)

    def excess(self, theta):
        """``||R theta_t - z_t||^2`` per target: the loss above the minimum."""
        with np.errstate(over="ignore", invalid="ignore"):
            return (self._residuals(theta) ** 2).sum(axis=-2)

    def target_excess(self, theta):
        """Per target, the excess over its minimum and that minimum: exact."""
        return self.excess(theta), self.minimum

    def evaluate(self, theta):
        """Training loss, its gradient, and the validation loss (or None)."""
        return _first(*self.evaluate_many(theta[None]))

    def evaluate_many(self, thetas):
        """Losses, gradients and validation losses (or None) of a stack of thetas.

        ``thetas`` has shape (n, n_params, n_targets). Parameters too far to
        square give inf or NaN, without a warning: the caller reports them as
        divergence.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            residuals = self._residuals(thetas)
            losses = ((residuals**2).sum(axis=-2) + self.minimum) @ self.target_weights
            grads = 2.0 * np.matmul(self.R.T, residuals)
        val = None
        if self.validation is not None:
            val = np.array([self.validation.value(theta) for theta in thetas])
        return losses, grads, val

    def minimizer(self):
        """``R^-1 z``: the minimum of every target (one triangular solve)."""
        return _solve_upper(self.R, self.z)

    def rounding_floor(self):
        """Per target, the excess over the minimum that rounding may hide.

        What the statistics resolve, and what float64 resolves of an exact
        fit (``QuadraticStatistics.rounding``), in the units of the objective:
        a certificate below the first means nothing; an excess below the
        second is none.
        """
        return self.statistics.rounding(self._keep)

    def _anchor(self):
        """``theta*``, each target's loss there, and the gradient there."""
        if self._anchored is None:
            theta_r = self.minimizer()
            self._anchored = theta_r, self.per_target(theta_r), self.gradient(theta_r)
        return self._anchored

    def initial_losses(self, theta0):
        """Training and validation losses where the descent starts."""
        val = None if self.validation is None else self.validation.value(theta0)
        return self.value(theta0), val

    def tridiagonal(self):
        """The Hessian's :class:`~._linalg.Tridiagonal` form, from its size on.

        None below ``TRIDIAGONAL_FROM`` parameters, where the
        eigendecomposition costs little. From there on the extreme eigenvalues
        and the epochs of gradient descent come from the tridiagonal form, and
        the eigendecomposition, where something still asks for it, completes
        it.
        """
        if self._tri is None:
            self._tri = False
            if self.hessian.shape[0] >= TRIDIAGONAL_FROM:
                self._tri = Tridiagonal(self.hessian)
        return self._tri or None

    def _definite(self):
        """The tridiagonal form where it solves (no flat mode), else None."""
        tri = self.tridiagonal()
        return tri if tri is not None and tri.definite else None

    def rotated(self):
        """This objective in its Hessian's tridiagonal basis, or None.

        Only where that basis serves every step (:class:`RotatedGramObjective`):
        a large Hessian, curved along every mode, in the standardized basis,
        without a validation split.
        """
        if self._definite() is None:
            return None
        if not self.standardized or self.validation is not None:
            return None
        return RotatedGramObjective(self)

    def eigen(self):
        """``lam, V, keep, lam_max`` of ``hessian``; ``keep`` masks the curved modes."""
        if self._eigen is None:
            tri = self.tridiagonal()
            self._eigen = eigen(self.hessian) if tri is None else tri.eigen()
        return self._eigen

    def largest_eigenvalue(self):
        """Largest eigenvalue of ``hessian`` (half the objective's Hessian)."""
        tri = self.tridiagonal()
        return self.eigen()[3] if tri is None else tri.lam_max

    def smallest_eigenvalue(self):
        """Smallest eigenvalue of ``hessian`` above the rounding cut-off (or 0)."""
        tri = self._definite()
        if tri is not None:
            return tri.lam_min
        lam, _, keep, _ = self.eigen()
        return float(lam[keep].min()) if keep.any() else 0.0

    def gap(self, gradient):
        """The excess of the objective over its minimum, from the gradient there.

        ``||R^-T g_t / 2||^2`` summed over targets (weighted): exact, since
        ``g_t / 2 = R^T (R theta_t - z_t)``. ``gradient`` may be a stack of
        them, shape (n, n_params, n_targets); the gaps then come back as an
        array of shape (n,).
        """
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            g = np.asarray(gradient) * 0.5
            stacked = g.ndim == 3
            columns = np.moveaxis(g, 0, -2).reshape(g.shape[-2], -1) if stacked else g
            r = _solve_upper(self.R, columns, trans=True)
            per_target = r**2
            if stacked:
                per_target = per_target.reshape(g.shape[-2], g.shape[0], g.shape[-1])
                totals = per_target.sum(axis=0) @ self.target_weights
                return np.where(np.isnan(totals), np.inf, totals)
            total = float(per_target.sum(axis=0) @ self.target_weights)
            return np.inf if np.isnan(total) else total


def _solve_upper(R, b, trans=False):
    """``R^-1 b`` (or ``R^-T b``), R upper triangular; inf where R is singular."""
    if R.shape[0] == 0:
        return np.zeros_like(b)
    if not (R.diagonal() != 0).all():
        return np.full(b.shape, np.inf)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return solve_upper(R, b, trans=trans)


def _least_squares(moments, T, penalty, standardized=False):
    """``R``, ``z`` and ``floor`` of the objective in the descent basis.

    Rows of the system, for descent parameters ``theta`` (standardized ones
    ``T^T theta``): the bias ``mean_phi . T^T theta - mean_y``; the centered
    ``F_ff (T^T theta)[:-1] - F_fy`` over ``sqrt(W)``; ``sqrt(alpha) D
    theta``. With the right-hand sides appended as columns, one QR gives
    ``R``, ``z`` and, in its trailing block, what no theta can fit. In the
    standardized basis (``T`` the identity) the centered rows are a triangle
    already: the bias and penalty rows are folded into it
    (:func:`~._linalg.append_rows`), ``O(q**2)`` without a penalty.
    """
    q = moments.mean_phi.shape[0]
    k = moments.mean_y.shape[0]
    scale = 1.0 / np.sqrt(moments.weight)
    with np.errstate(over="ignore", invalid="ignore"):
        bias = np.append(T @ moments.mean_phi, moments.mean_y)[None, :]
        penalty_rows = np.zeros((0, q + k))
        if penalty.alpha:
            penalized = np.flatnonzero(penalty.mask)
            penalty_rows = np.zeros((penalized.shape[0], q + k))
            penalty_rows[np.arange(penalized.shape[0]), penalized] = np.sqrt(
                penalty.alpha
            )
        if standardized:
            # Columns [design (q - 1), constant, targets (k)]: the centered
            # rows are upper triangular, zero at the constant's row and below
            # (the targets' own block is the floor, added below).
            d = q - 1
            centered = np.zeros((q + k, q + k))
            np.multiply(moments.design, scale, out=centered[:d, :d])
            centered[:d, q:] = moments.projected * scale
        else:
            Tt = T.T
            centered = np.hstack(
                [(moments.design @ Tt[:-1]) * scale, moments.projected * scale]
            )
        if not (
            np.isfinite(centered).all()
            and np.isfinite(bias).all()
            and np.isfinite(penalty_rows).all()
        ):
            R = np.full((q, q), np.inf)
            return R, np.full((q, k), np.inf), np.full(k, np.inf)
        if standardized:
            factor = append_rows(
                centered,
                np.vstack([bias, penalty_rows]),
                trapezoidal=penalty_rows.shape[0],
            )
        else:
            factor = triangular_factor(np.vstack([bias, centered, penalty_rows]))
    tail = factor[q:, q:]
    floor = (tail**2).sum(axis=0) + moments.residual_squares * scale**2
    return factor[:q, :q], factor[:q, q:], floor


def _first(losses, grads, val):
    """The first of a stack's losses, gradients and validation losses."""
    return float(losses[0]), grads[0], None if val is None else float(val[0])


class RotatedGramObjective:
    """A :class:`GramObjective` in the basis where its Hessian is tridiagonal.

    With ``hessian = Q T Q^T``, the parameters are ``theta~ = Q^T theta``. A
    gradient step, with or without momentum, commutes with the rotation (its
    rule is linear and the same along every direction), so descending on
    ``theta~`` takes the same steps, each a product with T: O(p), where one
    with the Hessian costs O(p^2). The loss, the certificate and the minimum
    are the objective's own, and ``from_basis`` takes parameters back.

    Losses and gradients are taken from the minimum ``theta*``: ``J(theta) =
    J(theta*) + e^T T e`` and ``g = 2 T e`` with ``e = theta - theta*``, exact
    for a quadratic, so that near the minimum neither cancels its digits
    against the variance of y.

    Parameters
    ----------
    objective : GramObjective
        With a definite :meth:`GramObjective.tridiagonal` form.
    """

    precomputed = True
    validation = None

    def __init__(self, objective):
        self.objective = objective
        self.tri = tri = objective.tridiagonal()
        self.target_weights = objective.target_weights
        self.loss_scale = objective.loss_scale
        self.linear = tri.to_basis(objective.linear)
        theta_r, per_target, grad_r = objective._anchor()
        self._anchored = tri.to_basis(theta_r), per_target, tri.to_basis(grad_r)
        self._modes = None

    def evaluate(self, theta):
        """Training loss, its gradient, and the validation loss (or None)."""
        return _first(*self.evaluate_many(theta[None]))

    def evaluate_many(self, thetas):
        """Losses, gradients and validation losses (or None) of a stack of thetas.

        ``thetas`` has shape (n, n_params, n_targets). Parameters too far to
        square give inf or NaN, without a warning: the caller reports them as
        divergence.
        """
        theta_r, per_target_r, grad_r = self._anchor()
        with np.errstate(over="ignore", invalid="ignore"):
            e = thetas - theta_r
            He = self._product(e)
            per_target = per_target_r + ((grad_r + He) * e).sum(axis=-2)
            # A mean of squares: rounding near a minimum of 0 must not make it
            # negative.
            losses = np.maximum(per_target, 0.0) @ self.target_weights
            grads = grad_r + 2.0 * He
        val = None
        if self.validation is not None:
            val = np.array([self.validation.value(theta) for theta in thetas])
        return losses, grads, val

    def excess(self, theta):
        """``e^T H e`` per target: the loss above the minimum (inf if too far)."""
        with np.errstate(over="ignore", invalid="ignore"):
            e = theta - self._anchor()[0]
            return (e * self._product(e)).sum(axis=-2)

    def gradient_near(self, theta):
        """The gradient of :meth:`evaluate`, taken from near the minimum.

        The one product an epoch that steps on the statistics needs (without
        guarding against overflow: the caller does, once for many epochs).
        """
        theta_r, _, grad_r = self._anchor()
        return grad_r + 2.0 * self._product(theta - theta_r)

    def to_basis(self, theta):
        return self.tri.to_basis(theta)

    def minimizer(self):
        return self._anchored[0]

    def from_basis(self, theta):
        return self.tri.from_basis(theta)

    def _anchor(self):
        return self._anchored

    def _product(self, e):
        return self.tri.matmul(e)

    def value(self, theta):
        return self.objective.value(self.from_basis(theta))

    def gradient(self, theta):
        return 2.0 * (self.tri.matmul(theta) - self.linear)

    def gap(self, gradient):
        return self.tri.gap(gradient, self.target_weights)

    def eigen(self):
        """The eigendecomposition of T: its eigenvectors are in this basis."""
        if self._modes is None:
            self._modes = self.tri.modes()
        return self._modes

    def largest_eigenvalue(self):
        return self.objective.largest_eigenvalue()

    def smallest_eigenvalue(self):
        return self.objective.smallest_eigenvalue()


class L2Penalty:
    """``alpha * ||theta * mask||^2``: the coefficients, never the intercept.

    Parameters
    ----------
    alpha : float
        Strength of the penalty (0: none).
    mask : ndarray of shape (n_params,)
        1 for a penalised parameter, 0 for the intercept.
    """

    def __init__(self, alpha, mask):
        self.alpha = float(alpha)
        self.mask = mask

    def value(self, theta):
        """The penalty at ``theta`` (n_params, n_targets)."""
        if not self.alpha:
            # Unpenalised parameters may be far too large to square (raw
            # features of tiny scale): square nothing when there is no penalty.
            return 0.0
        return self.alpha * float(((theta * self.mask[:, None]) ** 2).sum())

    def per_column(self, theta):
        """The penalty of each column of ``theta`` (each target's parameters)."""
        if not self.alpha:
            return np.zeros(theta.shape[1])
        return self.alpha * ((theta * self.mask[:, None]) ** 2).sum(axis=0)

    def gradient(self, theta):
        """``2 alpha D theta``, or 0 without a penalty."""
        if not self.alpha:
            return 0.0
        return 2.0 * self.alpha * (theta * self.mask[:, None])

    def hessian_diagonal(self):
        """``alpha D``: half the penalty's (diagonal) Hessian."""
        return self.alpha * self.mask


def training_rsquared(statistics, form):
    """R^2 of a fitted model on the rows its statistics hold, one per target.

    ``form`` is the model ``predict`` evaluates (:class:`~._basis.CenteredForm`),
    mapped exactly into the standardized basis of ``statistics``: the residual
    sum of squares is then read from the triangular factor, a sum of squares
    with nothing subtracted, as the loss is (a Gram of the rows would cancel
    the digits of a good fit's residuals). As :func:`sklearn.metrics.r2_score`:
    1.0 for a perfect fit of a constant target, 0.0 for an imperfect one.
    """
    basis = StandardBasis.from_statistics(statistics)
    theta = basis.from_centered(form.center, form.A, form.B, form.C0)
    mse = basis.moments(statistics).mse_per_column(theta)
    variance = statistics.target_variances()
    with np.errstate(divide="ignore", invalid="ignore"):
        perfect = np.where(mse == 0, 1.0, 0.0)
        return np.where(variance > 0, 1.0 - mse / variance, perfect)
