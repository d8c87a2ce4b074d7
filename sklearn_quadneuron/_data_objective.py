# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The training objective read from the data at every evaluation.

For mini-batches, and for thousands of features where the statistics would be
large or slow to form (``precompute=False``): the same interface and the same
numbers as :class:`~._objective.GramObjective`, by a pass over the data per
evaluation. Its certificate is a bound: from an eigendecomposition of its
Hessian scaled to a unit diagonal, or beyond 96 parameters ``||g||^2 / (4
lambda_min)``, with ``lambda_min`` bounded by a block Krylov subspace of a few
passes; directions whose curvature is below rounding are charged as if their
curvature were the rounding floor ``q * eps * lambda_max``, so that nearly
collinear data is never certified by mistake.
"""

import numpy as np

from ._basis import DescentBasis
from ._linalg import (
    EIGEN_CUTOFF,
    check_curvature,
    check_resolved,
    eigen,
    rounding_curvature,
    scaled_spectrum,
    spectral_gap,
)
from ._objective import NOT_REPRESENTABLE, L2Penalty

# The largest eigenvalue of a DataObjective's Hessian is estimated on a block
# Krylov subspace of this many blocks of this many vectors: a pass per block.
_KRYLOV_BLOCK = 16
_KRYLOV_STEPS = 6
# A chunk of expanded features is about this large: big enough for BLAS to run at
# full speed on thousands of columns, small enough to stay out of the way.
DATA_CHUNK_BYTES = 1 << 24


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

    def gap(self, gradient, weights=None):
        """The excess over the minimum: exact for up to 96 parameters.

        Beyond, the bound ``||g||^2 / (4 lambda_min)`` with the estimated
        smallest eigenvalue. ``weights``: of the gradient's columns (default:
        the targets').
        """
        weights = self.target_weights if weights is None else weights
        self.largest_eigenvalue()
        if self._spectrum is not None:
            return spectral_gap(*self._spectrum, gradient, weights)
        lam_min = max(
            self._lam_floor,
            rounding_curvature(self.n_params, self.largest_eigenvalue()),
        )
        with np.errstate(over="ignore"):
            squares = (gradient**2).sum(axis=0) @ weights
        return float(0.25 * squares / lam_min)

    def target_excess(self, theta):
        """Per target, a bound on the excess over its minimum, and a lower
        bound on that minimum (its loss less the excess), by one pass.

        The excess of target t is the gap of its own column of the gradient
        (:meth:`gap`, exact for up to 96 parameters, a bound beyond).
        """
        with np.errstate(over="ignore", invalid="ignore"):
            train_sq, _, grad = self._passes(theta, True)
            loss = train_sq / self.train_weight + self.penalty.per_column(theta)
            grad = 2.0 * grad / self.train_weight + self.penalty.gradient(theta)
            excess = np.array(
                [self.gap(grad[:, [t]], np.ones(1)) for t in range(grad.shape[1])]
            )
        return excess, np.maximum(loss - excess, 0.0)

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
            check_curvature(np.diag(H))
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
