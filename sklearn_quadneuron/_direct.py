# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The direct solver: one pass over the data per epoch, for very many features.

The statistics of the quadratic model hold ``(2p + k)**2`` numbers and take
``n (2p + k)**2`` operations to gather: with thousands of features that is more
than running the epochs on the data itself. This solver keeps only per-feature
moments (to build the same standardized basis) and computes each epoch's loss and
analytic gradient by a pass over the data, chunk by chunk. It follows the same
trajectory as the statistics solver: the same basis, the same starting point and
the same update.
"""

from dataclasses import dataclass

import numpy as np

from ._features import _CONSTANT_VARIANCE, StandardBasis

# A chunk of expanded features is about this large: big enough for BLAS to run at
# full speed on thousands of columns, small enough to stay out of the way.
DIRECT_CHUNK_BYTES = 1 << 24
# The largest eigenvalue is estimated on a block Krylov subspace of this many
# blocks of this many vectors: one pass over the data per block.
_KRYLOV_BLOCK = 16
_KRYLOV_STEPS = 6


# Raised when one pass over the data overflows float64 whatever the step size.
NOT_REPRESENTABLE = (
    "The loss or its gradient overflow float64 on this data (the features or "
    "targets span too many orders of magnitude, or standardize=False squares "
    "features too large). Use standardize=True (the default), or rescale X or y, "
    "for example with StandardScaler or by a power of ten, and fit again."
)


@dataclass
class FeatureMoments:
    """Per-feature moments of ``u = (x - x_loc) / x_scale``, ``u**2`` and ``y_ref``.

    Sums of squared deviations are kept centered and merged with Chan's update.
    """

    reference: object
    weight: float
    n_samples: int
    mean: np.ndarray  # [u**2 (p), u (p), y_ref (k)]
    squares: np.ndarray  # sum w (v - mean)**2, same layout
    cross: np.ndarray  # sum w (u**2 - mean)(u - mean), per feature

    @property
    def n_features(self):
        return self.cross.shape[0]

    @property
    def n_targets(self):
        return self.mean.shape[0] - 2 * self.n_features

    def merge(self, other):
        if other.weight == 0:
            return self
        if self.weight == 0:
            return other
        p = self.n_features
        weight = self.weight + other.weight
        delta = other.mean - self.mean
        factor = self.weight * other.weight / weight
        return FeatureMoments(
            self.reference,
            weight,
            self.n_samples + other.n_samples,
            self.mean + delta * (other.weight / weight),
            self.squares + other.squares + delta**2 * factor,
            self.cross + other.cross + delta[:p] * delta[p : 2 * p] * factor,
        )


def feature_moments(X, Y, sample_weight, reference, mask=None):
    """Per-feature moments of the rows where ``mask`` is False (all rows if None)."""
    n, p = X.shape
    k = Y.shape[1]
    rows = max(256, DIRECT_CHUNK_BYTES // (8 * (2 * p + k)))
    total = FeatureMoments(
        reference, 0.0, 0, np.zeros(2 * p + k), np.zeros(2 * p + k), np.zeros(p)
    )
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        keep = slice(None) if mask is None else ~mask[start:stop]
        U = (X[start:stop][keep] - reference.x_loc) / reference.x_scale
        Yr = (Y[start:stop][keep] - reference.y_loc) / reference.y_scale
        V = np.hstack([U * U, U, Yr])
        if sample_weight is None:
            w = None
            weight = float(V.shape[0])
        else:
            w = sample_weight[start:stop][keep]
            weight = float(w.sum())
        if weight == 0:
            continue
        mean = (V.sum(axis=0) if w is None else w @ V) / weight
        V -= mean
        Vw = V if w is None else V * w[:, None]
        chunk = FeatureMoments(
            reference,
            weight,
            V.shape[0],
            mean,
            (Vw * V).sum(axis=0),
            (Vw[:, :p] * V[:, p : 2 * p]).sum(axis=0),
        )
        total = total.merge(chunk)
    return total


def standard_basis(moments):
    """The standardized basis (as ``StandardBasis.from_statistics`` would build)."""
    ref = moments.reference
    p = moments.n_features
    W = moments.weight
    m1 = moments.mean[p : 2 * p]
    v1 = moments.squares[p : 2 * p] / W
    lin_active = v1 > _CONSTANT_VARIANCE
    v1 = np.where(lin_active, v1, 1.0)
    # Variance of (u_ref**2 - 2 m1 u_ref) / v1, i.e. of the square of the exactly
    # standardized feature.
    sq_var = (
        moments.squares[:p]
        - 4 * m1 * moments.cross
        + 4 * m1**2 * moments.squares[p : 2 * p]
    ) / (W * v1**2)
    quad_active = lin_active & (sq_var > _CONSTANT_VARIANCE)
    sq_std = np.where(quad_active, np.sqrt(np.where(quad_active, sq_var, 1.0)), 0.0)
    x_mean = ref.x_loc + ref.x_scale * m1
    x_std = np.where(lin_active, ref.x_scale * np.sqrt(v1), 0.0)
    return StandardBasis(x_mean, x_std, sq_std, ref.y_loc, ref.y_scale, None, None)


class DirectObjective:
    """Loss and analytic gradient by one pass over the data, in the descent basis.

    The expanded features are never formed: in the descent basis the prediction
    is ``S @ A + T @ B + C`` with ``T = X - center`` and ``S = T**2`` (the centered
    form of the quadratic), and the gradient with respect to the basis's
    parameters follows from ``S^T (w r)``, ``T^T (w r)`` and ``sum(w r)`` by the
    chain rule. A chunk costs two elementwise passes and four matrix-vector
    products.

    Parameters
    ----------
    X, Y, sample_weight : the training data (Y two-dimensional)
    mask : ndarray of bool or None
        Held-out rows (early stopping): they give the validation loss and take no
        part in the gradient.
    basis : StandardBasis
    standardize : bool
        Descend on the standardized basis, or on the raw ``[x**2, x, 1]``.
    alpha : float
    """

    def __init__(self, X, Y, sample_weight, mask, basis, standardize, alpha):
        self.X, self.Y, self.w, self.mask = X, Y, sample_weight, mask
        self.basis = basis
        self.alpha = float(alpha)
        self.quad = basis.sq_std > 0
        self.lin = basis.x_std > 0
        self._all_active = bool(self.quad.all() and self.lin.all())
        n, p = X.shape
        self.n_quad = int(self.quad.sum())
        self.n_params = int(self.n_quad + self.lin.sum() + 1)
        self.penalty = np.ones(self.n_params)
        self.penalty[-1] = 0.0
        sd = np.where(self.lin, basis.x_std, 1.0)
        tau = np.where(self.quad, basis.sq_std, 1.0)
        if standardize:
            # u = t / sd and u2 = (u**2 - 1) / tau, with t = x - mean.
            self.center = basis.x_mean
            # Spreads below ~1e-154 make 1 / sd**2 overflow: the factor is then
            # inf, the first loss non-finite, and descend_direct raises a clear
            # error (the coefficients are not representable in X's units).
            with np.errstate(over="ignore", divide="ignore"):
                self.quad_factor = (1.0 / (tau * sd * sd))[self.quad]
                self.quad_shift = (-1.0 / tau)[self.quad]
                self.lin_factor = (1.0 / sd)[self.lin]
        else:
            self.center = np.zeros(p)
            self.quad_factor = np.ones(self.n_quad)
            self.quad_shift = np.zeros(self.n_quad)
            self.lin_factor = np.ones(int(self.lin.sum()))
        self.rows = max(256, DIRECT_CHUNK_BYTES // (16 * max(p, 1)))
        w = np.ones(n) if sample_weight is None else sample_weight
        keep = np.ones(n, bool) if mask is None else ~mask
        self.train_weight = float(w[keep].sum())
        self.val_weight = None if mask is None else float(w[mask].sum())

    def _centered(self, theta):
        """``A, B, C`` of the centered form, on the active columns only."""
        q = self.n_quad
        A = theta[:q] * self.quad_factor[:, None]
        B = theta[q:-1] * self.lin_factor[:, None]
        C = theta[-1] + self.quad_shift @ theta[:q]
        return A, B, C

    def _chain(self, gS, gT, gC):
        """Gradient in the descent basis from the centered form's gradients."""
        return np.concatenate(
            [
                gS * self.quad_factor[:, None] + self.quad_shift[:, None] * gC,
                gT * self.lin_factor[:, None],
                gC[None, :],
            ]
        )

    def _passes(self, theta, targets, train_only):
        """One pass: squared residuals (train, held out) and the gradient sums."""
        A, B, C = self._centered(theta)
        n = self.X.shape[0]
        k = theta.shape[1]
        gS = np.zeros((self.n_quad, k))
        gT = np.zeros((self.n_params - self.n_quad - 1, k))
        gC = np.zeros(k)
        train_sq, held_sq = 0.0, 0.0
        for start in range(0, n, self.rows):
            stop = min(start + self.rows, n)
            # Only the active columns: a constant column has no coefficient, and
            # with standardize=False (center 0) its square may overflow float64
            # even though it would only ever be multiplied by zero.
            X = self.X[start:stop]
            if self._all_active:
                # The common case: no column to leave out, no copy to select.
                T = np.subtract(X, self.center)
                S = T * T
            else:
                T = np.subtract(X[:, self.lin], self.center[self.lin])
                S = np.subtract(X[:, self.quad], self.center[self.quad])
                S *= S
            r = S @ A
            r += T @ B
            r += C
            if targets:
                r -= (self.Y[start:stop] - self.basis.y_loc) / self.basis.y_scale
            wr = r if self.w is None else r * self.w[start:stop, None]
            if self.mask is not None:
                held = self.mask[start:stop]
                if targets:
                    held_sq += float((wr[held] * r[held]).sum())
                wr = wr * ~held[:, None]
            if targets:
                train_sq += float((wr * r).sum())
            gS += S.T @ wr
            gT += T.T @ wr
            gC += wr.sum(axis=0)
        return train_sq, held_sq, self._chain(gS, gT, gC)

    def evaluate(self, theta):
        """Training loss, its gradient, and the validation loss (or None).

        Values that overflow float64 come back as inf or NaN, without a warning:
        the caller decides whether that is divergence or data out of range.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            train_sq, held_sq, grad = self._passes(theta, True, True)
            loss = train_sq / self.train_weight
            grad = 2.0 * grad / self.train_weight
            penalty = 0.0
            if self.alpha:
                # Only with a penalty: squaring coefficients that are merely
                # large (raw features of tiny scale) must not overflow for nothing.
                coef = theta * self.penalty[:, None]
                penalty = self.alpha * float((coef**2).sum())
                loss += penalty
                grad = grad + 2.0 * self.alpha * coef
        if self.mask is None:
            return loss, grad, None
        return loss, grad, held_sq / self.val_weight + penalty

    def hessian_matmat(self, V):
        """``(G + alpha D) V`` for a block of vectors, by one pass over the data."""
        with np.errstate(over="ignore", invalid="ignore"):
            grad = self._passes(V, False, True)[2]
            HV = grad / self.train_weight + self.alpha * self.penalty[:, None] * V
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
        q = self.n_params
        if q <= _KRYLOV_BLOCK * _KRYLOV_STEPS:
            H = self.hessian_matmat(np.eye(q))
            return float(np.linalg.eigvalsh((H + H.T) / 2)[-1])
        # A fixed start block keeps the fit deterministic.
        start = np.random.default_rng(0).standard_normal((q, _KRYLOV_BLOCK))
        bases = [np.linalg.qr(start)[0]]
        products = [self.hessian_matmat(bases[0])]
        for _ in range(_KRYLOV_STEPS - 1):
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
        return ritz + residual
