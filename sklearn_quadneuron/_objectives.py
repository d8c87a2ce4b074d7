# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The training objective in the descent basis, behind one interface.

Two objectives give the same numbers by different arithmetic:

- :class:`GramObjective` holds the Hessian and the linear term, formed once from
  the sufficient statistics; every evaluation costs O(p^2), whatever the number
  of samples (``precomputed = True``).
- :class:`DataObjective` reads the data at every evaluation, for thousands of
  features where the statistics would be large or slow to form
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

import numpy as np

from ._features import DescentBasis
from ._loss import L2Penalty
from ._spectrum import (
    EIGEN_CUTOFF,
    TRIDIAGONAL_FROM,
    Tridiagonal,
    check_curvature,
    check_resolved,
    eigen,
    rounding_curvature,
    scaled_spectrum,
    spectral_gap,
)
from ._triangular import append_rows, triangular_factor

# Raised when one pass over the data overflows float64 whatever the step size.
NOT_REPRESENTABLE = (
    "The loss or its gradient overflow float64 on this data (the features or "
    "targets span too many orders of magnitude, or standardize=False squares "
    "features too large). Use standardize=True (the default), or rescale X or y, "
    "for example with StandardScaler or by a power of ten, and fit again."
)
# The largest eigenvalue of a DataObjective's Hessian is estimated on a block
# Krylov subspace of this many blocks of this many vectors: a pass per block.
_KRYLOV_BLOCK = 16
_KRYLOV_STEPS = 6
# A chunk of expanded features is about this large: big enough for BLAS to run at
# full speed on thousands of columns, small enough to stay out of the way.
DATA_CHUNK_BYTES = 1 << 24


class _NearMinimum:
    """Losses and gradients of a quadratic objective, taken from near its minimum.

    ``J(theta) = J(theta_r) + g_r . e + e^T H e`` and ``g = g_r + 2 H e`` with
    ``e = theta - theta_r``, exact for a quadratic, so that near the minimum
    neither the loss nor the gradient cancels its digits against the variance
    of y. A subclass gives ``_anchor() -> (theta_r, per-target losses, g_r)``,
    ``_product(e) -> H e`` (for a stack of e too), ``target_weights`` and
    ``validation``.
    """

    precomputed = True

    def evaluate(self, theta):
        """Training loss, its gradient, and the validation loss (or None)."""
        losses, grads, val = self.evaluate_many(theta[None])
        return float(losses[0]), grads[0], None if val is None else float(val[0])

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
            finite = np.all(np.isfinite(curvature)) and np.all(np.isfinite(self.z))
        if not finite:
            raise ValueError(
                "standardize=False cannot be used on these features: the moments "
                "of x**2 overflow float64. Use standardize=True (the default)."
            )
        check_curvature(np.diag(curvature))
        self._hessian = None
        if not descent.standardize:
            check_resolved(self.hessian, moments.gram()[0])
        self.from_gram = statistics.from_gram
        self.statistics = statistics
        self._keep = descent.basis.active[:-1]
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
            with np.errstate(over="ignore", invalid="ignore"):
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

    # Through evaluate_many, as the near-minimum form does.
    evaluate = _NearMinimum.evaluate

    def evaluate_many(self, thetas):
        """Losses, gradients and validation losses (or None) of a stack of thetas.

        As :meth:`_NearMinimum.evaluate_many`, from the factor.
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
        """The Hessian's :class:`~._spectrum.Tridiagonal` form, from its size on.

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
    from scipy.linalg import solve_triangular

    if R.shape[0] == 0:
        return np.zeros_like(b)
    if not np.all(np.diagonal(R) != 0):
        return np.full(b.shape, np.inf)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return solve_triangular(R, b, trans=1 if trans else 0, check_finite=False)


def _least_squares(moments, T, penalty, standardized=False):
    """``R``, ``z`` and ``floor`` of the objective in the descent basis.

    Rows of the system, for descent parameters ``theta`` (standardized ones
    ``T^T theta``): the bias ``mean_phi . T^T theta - mean_y``; the centered
    ``F_ff (T^T theta)[:-1] - F_fy`` over ``sqrt(W)``; ``sqrt(alpha) D
    theta``. With the right-hand sides appended as columns, one QR gives
    ``R``, ``z`` and, in its trailing block, what no theta can fit. In the
    standardized basis (``T`` the identity) the centered rows are a triangle
    already: the bias and penalty rows are folded into it
    (:func:`~._triangular.append_rows`), ``O(q**2)`` without a penalty.
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
            centered[:d, :d] = moments.design * scale
            centered[:d, q:] = moments.projected * scale
        else:
            Tt = T.T
            centered = np.hstack(
                [(moments.design @ Tt[:-1]) * scale, moments.projected * scale]
            )
        if not (
            np.all(np.isfinite(centered))
            and np.all(np.isfinite(bias))
            and np.all(np.isfinite(penalty_rows))
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


class RotatedGramObjective(_NearMinimum):
    """A :class:`GramObjective` in the basis where its Hessian is tridiagonal.

    With ``hessian = Q T Q^T``, the parameters are ``theta~ = Q^T theta``. A
    gradient step, with or without momentum, commutes with the rotation (its
    rule is linear and the same along every direction), so descending on
    ``theta~`` takes the same steps, each a product with T: O(p), where one
    with the Hessian costs O(p^2). The loss, the certificate and the minimum
    are the objective's own, and ``from_basis`` takes parameters back.

    Parameters
    ----------
    objective : GramObjective
        With a definite :meth:`GramObjective.tridiagonal` form.
    """

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


class DataObjective:
    """Loss and analytic gradient by one pass over the data, in the descent basis.

    The expanded features are never formed: in the descent basis the prediction
    is ``S @ A + T @ B + C`` with ``T = X - center`` and ``S = T**2`` (the
    centered form of the quadratic), and the gradient with respect to the
    basis's parameters follows from ``S^T (w r)``, ``T^T (w r)`` and ``sum(w r)``
    by the chain rule. A chunk costs two elementwise passes and four
    matrix-vector products.

    Parameters
    ----------
    X, Y, sample_weight : the training data (Y two-dimensional)
    mask : ndarray of bool or None
        Held-out rows (early stopping): they give the validation loss and take
        no part in the gradient.
    descent : DescentBasis
    alpha : float
    loss_scale : float
        Weighted variance of the targets, from the per-feature moments (with
        the target weights).
    target_weights : ndarray of shape (n_targets,), default=None
        ``c_t`` of the module docstring; None: all 1.
    """

    precomputed = False

    def __init__(
        self,
        X,
        Y,
        sample_weight,
        mask,
        descent,
        alpha,
        loss_scale,
        target_weights=None,
        progress=None,
    ):
        self.progress = progress
        if target_weights is None:
            target_weights = np.ones(Y.shape[1])
        self.target_weights = target_weights
        if sample_weight is not None and not sample_weight.all():
            # Rows of weight 0 change nothing, however far they lie: leave them
            # out rather than let inf * 0 = NaN into the sums.
            carry = sample_weight > 0
            X, Y, sample_weight = X[carry], Y[carry], sample_weight[carry]
            mask = None if mask is None else mask[carry]
        self.X, self.Y, self.w, self.mask = X, Y, sample_weight, mask
        basis = descent.basis
        self.basis = basis
        self.penalty = L2Penalty(alpha, descent.penalized)
        self.loss_scale = loss_scale
        self.quad = basis.sq_std > 0
        self.lin = basis.x_std > 0
        self._all_active = bool(self.quad.all() and self.lin.all())
        n, p = X.shape
        self.n_quad = int(self.quad.sum())
        self.n_params = int(self.n_quad + self.lin.sum() + 1)
        sd = np.where(self.lin, basis.x_std, 1.0)
        tau = np.where(self.quad, basis.sq_std, 1.0)
        # Where each feature with a square sits among those with a linear term.
        self.quad_pos = np.flatnonzero(self.quad[self.lin])
        if descent.standardize:
            # u = t / sd and u2 = (u**2 - 1 - skew u) / tau, with t = x - mean.
            self.center = basis.x_mean
            # Spreads below ~1e-154 make 1 / sd**2 overflow: the factor is then
            # inf, the first loss non-finite, and initial_losses raises a clear
            # error (the coefficients are not representable in X's units).
            with np.errstate(over="ignore", divide="ignore"):
                self.quad_factor = (1.0 / (tau * sd * sd))[self.quad]
                self.quad_shift = (-1.0 / tau)[self.quad]
                self.quad_lin = (-basis.skew / (tau * sd))[self.quad]
                self.lin_factor = (1.0 / sd)[self.lin]
        else:
            self.center = np.zeros(p)
            self.quad_factor = np.ones(self.n_quad)
            self.quad_shift = np.zeros(self.n_quad)
            self.quad_lin = np.zeros(self.n_quad)
            self.lin_factor = np.ones(int(self.lin.sum()))
        self.rows = max(256, DATA_CHUNK_BYTES // (16 * max(p, 1)))
        w = np.ones(n) if sample_weight is None else sample_weight
        keep = np.ones(n, bool) if mask is None else ~mask
        self.train_weight = float(w[keep].sum())
        self.train_rows = np.flatnonzero(keep)
        self.val_weight = None if mask is None else float(w[mask].sum())
        self.validation = None
        self._lam_max = self._lam_min = self._lam_floor = self._spectrum = None
        # The same objective on the standardized basis, to tell the directions
        # the raw basis cannot resolve (see check_resolved).
        self._standard = None
        if not descent.standardize:
            standard = DescentBasis(basis, True)
            self._standard = DataObjective(
                X, Y, sample_weight, mask, standard, 0.0, loss_scale, target_weights
            )

    def _centered(self, theta):
        """``A, B, C`` of the centered form, on the active columns only."""
        q = self.n_quad
        A = theta[:q] * self.quad_factor[:, None]
        B = theta[q:-1] * self.lin_factor[:, None]
        B[self.quad_pos] += theta[:q] * self.quad_lin[:, None]
        C = theta[-1] + self.quad_shift @ theta[:q]
        return A, B, C

    def _chain(self, gS, gT, gC):
        """Gradient in the descent basis from the centered form's gradients."""
        return np.concatenate(
            [
                gS * self.quad_factor[:, None]
                + self.quad_shift[:, None] * gC
                + gT[self.quad_pos] * self.quad_lin[:, None],
                gT * self.lin_factor[:, None],
                gC[None, :],
            ]
        )

    def _centered_columns(self, X):
        """``S = T**2`` and ``T = X - center`` on the active columns of rows X."""
        # Only the active columns: a constant column has no coefficient, and
        # with standardize=False (center 0) its square may overflow float64
        # even though it would only ever be multiplied by zero.
        if self._all_active:
            # The common case: no column to leave out, no copy to select.
            T = np.subtract(X, self.center)
            S = T * T
        else:
            T = np.subtract(X[:, self.lin], self.center[self.lin])
            S = np.subtract(X[:, self.quad], self.center[self.quad])
            S *= S
        return S, T

    def _residuals(self, S, T, A, B, C, Y):
        """``y_hat - y`` in y_ref units (``y_hat`` alone when Y is None)."""
        r = S @ A
        r += T @ B
        r += C
        if Y is not None:
            r -= (Y - self.basis.y_loc) / self.basis.y_scale
        return r

    def _passes(self, theta, targets):
        """One pass: squared residuals (train, held out) and the gradient sums."""
        A, B, C = self._centered(theta)
        n = self.X.shape[0]
        k = theta.shape[1]
        gS = np.zeros((self.n_quad, k))
        gT = np.zeros((self.n_params - self.n_quad - 1, k))
        gC = np.zeros(k)
        train_sq, held_sq = np.zeros(k), np.zeros(k)
        for start in range(0, n, self.rows):
            stop = min(start + self.rows, n)
            S, T = self._centered_columns(self.X[start:stop])
            r = self._residuals(S, T, A, B, C, self.Y[start:stop] if targets else None)
            wr = r if self.w is None else r * self.w[start:stop, None]
            if self.mask is not None:
                held = self.mask[start:stop]
                if targets:
                    held_sq += (wr[held] * r[held]).sum(axis=0)
                wr = wr * ~held[:, None]
            if targets:
                train_sq += (wr * r).sum(axis=0)
            gS += S.T @ wr
            gT += T.T @ wr
            gC += wr.sum(axis=0)
        return train_sq, held_sq, self._chain(gS, gT, gC)

    def evaluate(self, theta):
        """Training loss, its gradient, and the validation loss (or None).

        Values that overflow float64 come back as inf or NaN, without a warning:
        the caller decides whether that is divergence or data out of range.
        """
        c = self.target_weights
        with np.errstate(over="ignore", invalid="ignore"):
            train_sq, held_sq, grad = self._passes(theta, True)
            penalty = self.penalty.per_column(theta)
            loss = float(c @ (train_sq / self.train_weight + penalty))
            grad = 2.0 * grad / self.train_weight
            grad = grad + self.penalty.gradient(theta)
            if self.mask is None:
                return loss, grad, None
            return loss, grad, float(c @ (held_sq / self.val_weight + penalty))

    def value(self, theta):
        return self.evaluate(theta)[0]

    @property
    def n_train(self):
        """Number of training samples: rows of positive weight, not held out."""
        return self.train_rows.shape[0]

    def batch_gradient(self, theta, rows):
        """The gradient of the loss on a batch of training samples.

        ``rows`` are positions among the training samples (``train_rows``):
        the gradient is the weighted mean of theirs, plus the penalty's.
        """
        A, B, C = self._centered(theta)
        index = self.train_rows[rows]
        S, T = self._centered_columns(self.X[index])
        r = self._residuals(S, T, A, B, C, self.Y[index])
        if self.w is None:
            wr, weight = r, r.shape[0]
        else:
            w = self.w[index]
            wr, weight = r * w[:, None], w.sum()
        grad = self._chain(S.T @ wr, T.T @ wr, wr.sum(axis=0))
        return 2.0 * grad / weight + self.penalty.gradient(theta)

    def sample_curvature(self):
        """``max_i ||phi_i||**2`` over the training samples, plus the penalty's.

        ``phi_i`` are the sample's expanded features in the descent basis: the
        curvature of its own loss, half of it, along ``phi_i``.
        """
        largest = 0.0
        train = self.train_rows
        for start in range(0, train.shape[0], self.rows):
            S, T = self._centered_columns(self.X[train[start : start + self.rows]])
            with np.errstate(over="ignore", invalid="ignore"):
                quad = S * self.quad_factor + self.quad_shift
                quad += T[:, self.quad_pos] * self.quad_lin
                lin = T * self.lin_factor
                norms = (quad**2).sum(axis=1) + (lin**2).sum(axis=1) + 1.0
            largest = max(largest, float(norms.max()))
        return largest + self.penalty.alpha

    def initial_losses(self, theta0):
        """Training and validation losses where the descent starts.

        Before any step no learning rate is to blame: a loss or gradient that
        overflows there is the data's doing, and says so.
        """
        loss, grad, val = self.evaluate(theta0)
        if not (np.isfinite(loss) and np.all(np.isfinite(grad))):
            raise ValueError(NOT_REPRESENTABLE)
        return loss, val

    def hessian_matmat(self, V):
        """``(G + alpha D) V`` for a block of vectors, by one pass over the data."""
        with np.errstate(over="ignore", invalid="ignore"):
            grad = self._passes(V, False)[2]
            HV = grad / self.train_weight + (
                self.penalty.hessian_diagonal()[:, None] * V
            )
        if not np.all(np.isfinite(HV)):
            raise ValueError(NOT_REPRESENTABLE)
        return HV

    def largest_eigenvalue(self):
        """An upper bound, within a few percent, of the largest eigenvalue of H.

        ``H = G + alpha D``. Each pass over the data multiplies a whole block
        of vectors by H, so a block Krylov subspace of ``_KRYLOV_BLOCK *
        _KRYLOV_STEPS`` dimensions costs that many passes only; one vector at a
        time, Lanczos needs about a hundred passes on the clustered spectra of
        standardized features. The largest Rayleigh-Ritz value ``r`` is a lower
        bound; some eigenvalue lies within ``||H y - r y||`` of it (``y`` its
        Ritz vector; the residual comes from the stored products, without
        another pass), and that is the largest one unless the subspace missed
        it entirely, so ``r + ||H y - r y||`` is used as the bound. A step of
        ``1 / (2 * bound)`` then converges; the divergence check stays as the
        backstop.
        """
        if self._lam_max is None:
            self._lam_max, self._lam_floor = self._krylov_bounds()
        return self._lam_max

    def smallest_eigenvalue(self):
        """The smallest eigenvalue of H above the rounding cut-off (or 0).

        Exact for up to 96 parameters, as on the statistics: directions flat to
        rounding do not count (the loss does not change along them). Beyond,
        the smallest Ritz value of the block Krylov subspace above the cut-off,
        an estimate from above.
        """
        self.largest_eigenvalue()
        return self._lam_min

    def gap(self, gradient):
        """The excess over the minimum: exact for up to 96 parameters.

        Beyond, the bound ``||g||^2 / (4 lambda_min)`` with the estimated
        smallest eigenvalue.
        """
        self.largest_eigenvalue()
        if self._spectrum is not None:
            return spectral_gap(*self._spectrum, gradient, self.target_weights)
        lam_min = max(
            self._lam_floor,
            rounding_curvature(self.n_params, self.largest_eigenvalue()),
        )
        with np.errstate(over="ignore"):
            squares = (gradient**2).sum(axis=0) @ self.target_weights
        return float(0.25 * squares / lam_min)

    def _note_pass(self, number):
        if self.progress is not None:
            self.progress.note(
                f"Bounding the curvature: pass {number} of {_KRYLOV_STEPS} "
                "over the data"
            )

    def _krylov_bounds(self):
        """The largest eigenvalue (bounded from above) and the smallest of all.

        Also sets ``_lam_min``, the smallest curved eigenvalue: exactly up to 96
        parameters, else the smallest Ritz value above the cut-off.
        """
        q = self.n_params
        if q <= _KRYLOV_BLOCK * _KRYLOV_STEPS:
            H = (lambda H: (H + H.T) / 2)(self.hessian_matmat(np.eye(q)))
            check_curvature(H)
            if self._standard is not None:
                twin = self._standard.hessian_matmat(np.eye(q))
                check_resolved(H, (twin + twin.T) / 2)
            self._spectrum = scaled_spectrum(H)
            lam, _, keep, lam_max = eigen(H)
            self._lam_min = float(lam[keep].min()) if keep.any() else 0.0
            return lam_max, max(float(lam[0]), 0.0)
        # A fixed start block keeps the fit deterministic.
        start = np.random.default_rng(0).standard_normal((q, _KRYLOV_BLOCK))
        bases = [np.linalg.qr(start)[0]]
        self._note_pass(1)
        products = [self.hessian_matmat(bases[0])]
        for step in range(_KRYLOV_STEPS - 1):
            self._note_pass(step + 2)
            Q = np.hstack(bases)
            Z = products[-1]
            for _ in range(2):  # twice is enough (Kahan's rule)
                Z = Z - Q @ (Q.T @ Z)
            V = np.linalg.qr(Z)[0]
            bases.append(V)
            products.append(self.hessian_matmat(V))
        Q, HQ = np.hstack(bases), np.hstack(products)
        projected = Q.T @ HQ
        values, vectors = np.linalg.eigh((projected + projected.T) / 2)
        ritz, y = float(values[-1]), vectors[:, -1]
        residual = float(np.linalg.norm(HQ @ y - ritz * (Q @ y)))
        # Ritz values below the cut-off: a flat direction, as on the statistics.
        curved = values[values > EIGEN_CUTOFF * ritz]
        self._lam_min = float(curved[0]) if curved.size else 0.0
        return ritz + residual, max(float(values[0]), 0.0)
