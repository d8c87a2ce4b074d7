# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The spectrum of the loss's Hessian: what is curved, what is flat, and the gap.

The objectives (``_objectives``) share these: the eigendecomposition with the
modes too flat to resolve masked out, the same on the Hessian scaled to a unit
diagonal (which resolves columns of very different scales), the checks that
the raw basis resolves what the standardized one does, and the certificate
``g^T H^+ g / 4``: the exact excess of a quadratic over its minimum, from its
gradient.

Large Hessians are reduced to tridiagonal form instead (:class:`Tridiagonal`):
``H = Q T Q^T`` with ``Q`` orthogonal, the first stage of an
eigendecomposition and a third of its cost at 2001 columns. ``T`` carries all
the descent needs, in O(p) per product or solve: the extreme eigenvalues, the
certificate, the minimum, and gradient descent itself, whose steps commute with
the rotation.
"""

import numpy as np
from scipy.linalg import LinAlgError, eigh_tridiagonal, eigvalsh_tridiagonal, lapack

from ._blas import blas_own_threads, one_blas_thread

# Eigenvalues below this fraction of the largest are numerically zero: those
# directions of parameter space do not affect the loss, and an iterate keeps its
# initial component there (as plain gradient descent would, to rounding).
EIGEN_CUTOFF = 1e-13
# Hessians of this order or more are decomposed on one BLAS thread (eigen).
_ONE_THREAD_FROM = 64
#: Hessians of this order or more are reduced to tridiagonal form
#: (:class:`Tridiagonal`) rather than eigendecomposed.
TRIDIAGONAL_FROM = 500
# Householder's reflectors are applied by LAPACK in panels of up to this many.
_PANEL = 64


def rounding_curvature(n_params, lam_max):
    """The curvature below which float64 cannot tell a direction from flat."""
    return max(n_params * np.finfo(float).eps * lam_max, np.finfo(float).tiny)


def check_curvature(H):
    """Every column the descent runs on must curve the loss measurably.

    On raw features of extreme scale (x ~ 1e-135) the curvature along x**2,
    ~x**4, underflows float64: gradient descent would not see it, and nothing
    could certify the result.
    """
    if np.any(np.diag(H) < np.finfo(float).tiny / np.finfo(float).eps):
        raise ValueError(
            "standardize=False cannot be used on these features: the curvature "
            "of the loss along x**2 or x underflows float64 (features of extreme "
            "scale). Use standardize=True (the default), or rescale X."
        )


def check_resolved(H, H_standard):
    """The raw basis must resolve every direction the standardized one does.

    On features with an offset far beyond their spread (x = 1 +- 1e-12), the
    raw [x**2, x, 1] are collinear to within rounding: directions that matter
    look flat, and neither gradient descent nor its certificate could see them.
    """
    raw_flat = np.count_nonzero(~scaled_spectrum(H)[2])
    if raw_flat > np.count_nonzero(~scaled_spectrum(H_standard)[2]):
        raise ValueError(
            "standardize=False cannot be used on these features: their raw "
            "[x**2, x, 1] are collinear to within float64's rounding (an offset "
            "far beyond the spread, or extreme scales). Use standardize=True (the "
            "default), which centers and scales each feature before squaring it."
        )


def eigen(H):
    """``lam, V, keep, lam_max`` of a symmetric H; ``keep`` masks curved modes.

    LAPACK's divide and conquer (``syevd``, numpy's ``eigh``). From
    ``_ONE_THREAD_FROM`` columns on one BLAS thread: on two cores shared with
    other work, that was measured 1.5 to 4 times faster than BLAS's own
    threads, whose waits for each other cost more than they share.
    """
    if H.shape[0] < _ONE_THREAD_FROM:
        lam, V = np.linalg.eigh(H)
    else:
        with one_blas_thread():
            lam, V = np.linalg.eigh(H)
    return (lam, V, *_curved(lam))


def _curved(lam):
    """``keep, lam_max`` of ascending eigenvalues: the curved modes, the largest."""
    lam_max = max(float(lam[-1]), 0.0)
    keep = lam > EIGEN_CUTOFF * lam_max if lam_max > 0 else np.zeros_like(lam, bool)
    return keep, lam_max


def scaled_spectrum(H):
    """The eigendecomposition of ``S H S`` (unit diagonal), and ``S``."""
    diagonal = np.diag(H)
    with np.errstate(divide="ignore"):
        scale = np.where(diagonal > 0, 1.0 / np.sqrt(diagonal), 1.0)
    return (*eigen(H * scale[:, None] * scale[None, :]), scale)


def spectral_gap(lam, V, keep, lam_max, scale, gradient, weights):
    """``g^T H^+ g / 4`` summed over targets (weighted), flat modes charged.

    ``lam, V, keep, lam_max`` are the scaled Hessian's (``scaled_spectrum``);
    ``gradient`` has shape (n_params, n_targets), or (n, n_params, n_targets)
    for a stack of them, whose gaps come back as an array of shape (n,). A
    gradient too large to square (a diverging step) gives inf: the caller
    reports the divergence.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        g = np.matmul(V.T, gradient * scale[:, None])
        total = ((g[..., keep, :] ** 2 / lam[keep][:, None]) @ weights).sum(axis=-1)
        if not keep.all():
            floor = rounding_curvature(lam.shape[0], lam_max)
            total = total + (g[..., ~keep, :] ** 2 @ weights).sum(axis=-1) / floor
    return _quarter(total)


def _quarter(total):
    """A quarter of ``g^T H^+ g``: an array for a stack, else a float."""
    return 0.25 * total if np.ndim(total) else 0.25 * float(total)


class Tridiagonal:
    """``H = Q T Q^T``: a symmetric H in a basis where it is tridiagonal.

    LAPACK's Householder reduction (``sytrd``, on BLAS's own threads: see
    :func:`~._blas.blas_own_threads`). ``Q`` is kept as its
    reflectors and applied to a few columns in O(p^2) (``ormqr``); ``T`` is
    its diagonal and off-diagonal, so a product with it or a solve costs O(p).
    Its eigenvalues are H's.

    Attributes
    ----------
    lam_min, lam_max : float
        The smallest and the largest eigenvalue (the largest at least 0).
    definite : bool
        Whether every mode is curved, as :func:`eigen` tells them (above
        ``EIGEN_CUTOFF`` times the largest), and ``T`` factors (``pttrf``):
        then :meth:`solve` is defined.
    """

    def __init__(self, H):
        p = H.shape[0]
        with blas_own_threads():
            lwork = int(lapack.dsytrd_lwork(p, lower=1)[0])
            reduced, d, e, tau, _ = lapack.dsytrd(H, lower=1, lwork=lwork)
        self.diagonal, self.off = d, e
        # Q = H(1) ... H(p-1), whose reflector i acts on rows i+1 onwards: the
        # reflectors of a QR factorization of the trailing (p-1) rows.
        self._reflectors = np.asfortranarray(reduced[1:, :-1])
        self._tau = tau
        # The extreme eigenvalues alone, by bisection (``stebz``), O(p) each:
        # the step and the test for flat modes need no others.
        lam_min, lam_max = (
            float(eigvalsh_tridiagonal(d, e, select="i", select_range=(i, i))[0])
            for i in (0, p - 1)
        )
        self.lam_min, self.lam_max = lam_min, max(lam_max, 0.0)
        self.definite = self.lam_max > 0 and lam_min > EIGEN_CUTOFF * self.lam_max
        if self.definite and p > 1:
            factor_d, factor_e, info = lapack.dpttrf(d, e)
            self.definite = info == 0
            self._factors = factor_d, factor_e

    def _columns(self, x, apply):
        """``apply`` to the (p, m) columns of x, shape (..., p, k)."""
        x = np.asarray(x, dtype=float)
        moved = np.moveaxis(x, -2, 0)
        out = apply(np.array(moved.reshape(x.shape[-2], -1), order="F"))
        return np.moveaxis(out.reshape(moved.shape), 0, -2)

    def _rotate(self, trans, x):
        def apply(C):
            if C.shape[0] > 1 and C.shape[1]:
                lwork = _PANEL * C.shape[1]
                C[1:] = lapack.dormqr(
                    "L", trans, self._reflectors, self._tau, C[1:], lwork
                )[0]
            return C

        with one_blas_thread():
            return self._columns(x, apply)

    def to_basis(self, x):
        """``Q^T x``: x, shape (..., p, k), in the tridiagonal basis."""
        return self._rotate("T", x)

    def from_basis(self, x):
        """``Q x``: back from the tridiagonal basis."""
        return self._rotate("N", x)

    def matmul(self, x):
        """``T x`` for x of shape (..., p, k)."""
        e = self.off[:, None]
        y = self.diagonal[:, None] * x
        y[..., :-1, :] += e * x[..., 1:, :]
        y[..., 1:, :] += e * x[..., :-1, :]
        return y

    def solve(self, x):
        """``T^-1 x`` for x of shape (..., p, k) (only if ``definite``)."""
        if self.diagonal.shape[0] == 1:
            return x / self.diagonal[0]
        factor_d, factor_e = self._factors
        return self._columns(x, lambda B: lapack.dpttrs(factor_d, factor_e, B)[0])

    def gap(self, gradient, weights):
        """``g^T H^-1 g / 4`` of gradients in this basis (only if ``definite``).

        As :func:`spectral_gap` on a Hessian without flat modes: summed over
        targets (weighted), for a gradient or a stack of them.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            total = (gradient * self.solve(gradient)).sum(axis=-2) @ weights
        return _quarter(total)

    def modes(self):
        """``lam, S, keep, lam_max``: the eigendecomposition of T (``stemr``)."""
        try:
            lam, S = eigh_tridiagonal(self.diagonal, self.off)
        except LinAlgError:  # pragma: no cover - LAPACK's MRRR did not converge
            lam, S = np.linalg.eigh(self.matmul(np.eye(self.diagonal.shape[0])))
        return (lam, S, *_curved(lam))

    def eigen(self):
        """``lam, V, keep, lam_max`` of H, as :func:`eigen` gives them.

        The eigenvectors of T taken back to H's basis: the rest of an
        eigendecomposition.
        """
        lam, S, keep, lam_max = self.modes()
        return lam, self.from_basis(S), keep, lam_max
