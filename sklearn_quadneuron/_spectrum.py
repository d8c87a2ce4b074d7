# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The spectrum of the loss's Hessian: what is curved, what is flat, and the gap.

The objectives (``_objectives``) share these: the eigendecomposition with the
modes too flat to resolve masked out, the same on the Hessian scaled to a unit
diagonal (which resolves columns of very different scales), the checks that
the raw basis resolves what the standardized one does, and the certificate
``g^T H^+ g / 4``: the exact excess of a quadratic over its minimum, from its
gradient.
"""

import numpy as np

from ._blas import one_blas_thread

# Eigenvalues below this fraction of the largest are numerically zero: those
# directions of parameter space do not affect the loss, and an iterate keeps its
# initial component there (as plain gradient descent would, to rounding).
EIGEN_CUTOFF = 1e-13
# Hessians of this order or more are decomposed on one BLAS thread (eigen).
_ONE_THREAD_FROM = 64


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
    lam_max = max(float(lam[-1]), 0.0)
    keep = lam > EIGEN_CUTOFF * lam_max if lam_max > 0 else np.zeros_like(lam, bool)
    return lam, V, keep, lam_max


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
    return 0.25 * total if np.ndim(total) else 0.25 * float(total)
