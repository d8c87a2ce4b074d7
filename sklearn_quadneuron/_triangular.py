# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Triangular factors: the form in which the statistics keep their digits.

The sufficient statistic of least squares on ``A`` is the upper-triangular
``R`` of ``A = Q R``, not the Gram ``A^T A = R^T R``, whose condition number is
the square of ``A``'s. Everything here is small dense linear algebra on such
factors (arrays in, arrays out):

- :func:`triangular_factor`, Householder QR keeping ``R`` only (LAPACK
  ``geqrf``), rows scaled so that the diagonal is not negative: the factor of
  a matrix is then unique where it has full rank, and two orders of the same
  rows give the same numbers to rounding;
- :func:`stacked_factor`, the factor of rows stacked from several blocks: the
  exact merge of two sets of rows (``R`` of ``[R_a; R_b]``), as R's biglm and
  ``dask.array.linalg.tsqr`` merge theirs;
- :func:`append_rows`, the same for rows stacked under a factor, reading its
  triangle as one (LAPACK ``tpqrt``): ``O(m q**2)`` for ``m`` rows where a QR of
  the stack costs ``O(q**3)``;
- :func:`gram_factor`, the factor of a positive semi-definite Gram (Cholesky,
  or from its eigendecomposition where Cholesky breaks down): no more accurate
  than the Gram, but in the form the rest reads;
- :func:`condition_estimate`, LAPACK's estimate of a factor's condition number
  (``trcon``, O(q^2)), on columns scaled to unit norm.
"""

import numpy as np
from scipy.linalg import LinAlgError, cholesky, qr, solve_triangular
from scipy.linalg.lapack import dtpqrt, dtrcon

_EPS = np.finfo(float).eps


def triangular_factor(A):
    """The upper-triangular ``R`` (q x q) of ``A`` (n x q), diagonal >= 0.

    With fewer rows than columns the missing rows of ``R`` are zero.
    """
    A = np.asarray(A, dtype=float)
    n, q = A.shape
    if n == 0:
        return np.zeros((q, q))
    R = qr(A, mode="r", check_finite=False, overwrite_a=False)[0]
    if R.shape[0] < q:
        R = np.vstack([R, np.zeros((q - R.shape[0], q))])
    R = np.triu(R[:q])
    signs = np.where(np.diagonal(R) < 0, -1.0, 1.0)
    return R * signs[:, None]


def stacked_factor(*blocks):
    """The factor of the rows of every block, stacked (None blocks skipped)."""
    return triangular_factor(np.vstack([b for b in blocks if b is not None]))


# Block size of LAPACK's tpqrt (its Householder reflections applied so many
# at a time): measured fastest on 2000 columns, no slower on a few.
_TPQRT_BLOCK = 64


def append_rows(R, B, trapezoidal=0):
    """The factor of ``[R; B]`` for an upper-triangular ``R`` (q x q).

    ``B`` (m x q) is rows to fold in; its last ``trapezoidal`` rows may be
    upper trapezoidal (row ``i`` of them zero left of column ``i``: another
    factor, a diagonal), which LAPACK's ``tpqrt`` then does not touch where
    they are zero. Diagonal >= 0, as :func:`triangular_factor`.
    """
    R = np.asarray(R, dtype=float)
    B = np.atleast_2d(np.asarray(B, dtype=float))
    q = R.shape[0]
    if q == 0 or B.shape[0] == 0:
        return R.copy()
    out, _, _, info = dtpqrt(
        trapezoidal, min(_TPQRT_BLOCK, q), R, B, overwrite_a=False, overwrite_b=False
    )
    if info != 0:  # pragma: no cover - tpqrt fails only on invalid arguments
        return stacked_factor(R, B)
    out = np.triu(out)
    signs = np.where(np.diagonal(out) < 0, -1.0, 1.0)
    return out * signs[:, None]


def gram_factor(G):
    """An upper-triangular ``F`` with ``F^T F = G`` for a symmetric PSD ``G``.

    Returns
    -------
    F : ndarray of shape (q, q)
    cholesky_failed : bool
        Whether Cholesky broke down (``G`` singular or indefinite to rounding):
        the factor then comes from ``G``'s eigendecomposition, negative
        eigenvalues (rounding) taken as 0.
    """
    q = G.shape[0]
    if q == 0:
        return np.zeros((0, 0)), False
    live = np.diagonal(G) != 0
    if not live.all():
        # Columns that are exactly zero (a constant feature, once centered)
        # keep exactly zero columns in the factor: the rest is factored alone.
        F = np.zeros((q, q))
        index = np.flatnonzero(live)
        part, failed = gram_factor(G[np.ix_(index, index)])
        F[np.ix_(index, index)] = part
        return F, failed
    try:
        F = cholesky(G, lower=False, check_finite=False)
        if np.all(np.isfinite(F)):
            return F, False
    except LinAlgError:
        pass
    lam, V = np.linalg.eigh((G + G.T) / 2)
    root = np.sqrt(np.maximum(lam, 0.0))
    return triangular_factor(root[:, None] * V.T), True


def condition_estimate(R, scales=None):
    """Estimated 2-norm condition number of ``R`` with unit-norm columns.

    ``scales``, when given, are the norms to scale the columns by instead.

    LAPACK's ``trcon`` estimates the 1-norm condition within a small factor;
    on columns scaled to unit norm it bounds the 2-norm one within ``q``. A
    zero column (or a singular ``R``) gives inf.
    """
    q = R.shape[0]
    if q == 0:
        return 1.0
    norms = np.linalg.norm(R, axis=0) if scales is None else scales
    if not np.all(norms > 0) or not np.all(np.isfinite(R)):
        return np.inf
    scaled = np.asfortranarray(R / norms)
    rcond, info = dtrcon(scaled, norm="1", uplo="U", diag="N")
    if info != 0 or not rcond > 0:
        return np.inf
    return float(1.0 / rcond)


def fit_rounding(R, z, rho, from_gram, n_rows, scales=None, rows_too=False):
    """What rounding in the factor may leave of each target's fit, squared.

    For least squares ``min ||A theta - y||`` with factor ``R`` of ``A``
    (``z = Q^T y``, ``rho`` the residual norm), a first-order bound on the
    error of the fit ``||A (theta_hat - theta)||``, so on the excess of the
    loss over its minimum (its square), is (Higham, 2nd ed., ch. 20; Bjorck
    1996, ch. 2):

    - factor from Householder QR of the rows: ``c eps (||A|| ||theta|| +
      kappa rho)``;
    - factor from the Gram (Cholesky of ``A^T A``): ``c eps kappa (||A||
      ||theta|| + rho)``. The Gram and ``A^T y`` carry errors ``E``, ``e`` of
      order ``c eps ||A||**2`` and ``c eps ||A|| ||y||``, so ``theta`` moves by
      ``(A^T A)^-1 (e - E theta)``, and ``||A (A^T A)^-1|| = 1 / sigma_min``:
      one factor ``kappa``, not the two of the forward error ``||theta_hat -
      theta||`` (the fit, not the coefficients, is what the loss reads);
    - factor merged from both (``rows_too``: a stream whose far chunk was
      read again): their sum. The Gram's errors are then relative to the
      norms ``s`` of its own rows (``scales``), ``|E_ij| <= c eps s_i s_j``,
      so in the units of the columns' norms ``n`` they add ``c eps kappa
      (||r|| ||r theta|| + rho)``, ``r = s / n``: a far point read from the
      rows leaves the Gram's share of the columns small, and its rounding
      with it;

    with ``kappa`` the condition number of ``A`` with unit-norm columns
    (:func:`condition_estimate`), ``theta`` in those units, and ``c`` the
    number of columns times ``eps``: the leading term of Householder QR's
    backward error (Higham's ``gamma_cq``) with its constant 1, which held
    on every design measured against an 80-digit oracle (one point 1e4 to
    1e8 times the spread away, clusters far apart, offsets to 1e12) where
    the worst-case constants overstate the floor a hundredfold.

    Parameters
    ----------
    R : ndarray of shape (q, q)
        Upper-triangular factor of the design.
    z : ndarray of shape (q, k)
    rho : ndarray of shape (k,)
    from_gram : bool
    n_rows : int
    scales : ndarray of shape (q,), default=None
        The norms the Gram's rounding is relative to, if not the columns' own:
        a Gram of uncentered columns rounds relative to their uncentered
        norms, and what centering leaves of them is resolved no better.
    rows_too : bool, default=False
        With ``from_gram``: only part of the factor came from a Gram (of rows
        whose norms are ``scales``), the rest from the rows themselves.

    Returns
    -------
    floor : ndarray of shape (k,)
        The squared bound, in the units of ``rho**2`` (inf where ``R`` is
        singular).
    allowance : ndarray of shape (k,)
        ``(c eps ||A|| ||theta||)**2``: the floor of a model that fits
        exactly (``rho = 0``) from rows read by Householder QR, what float64
        can tell of a fit at all. An excess below it counts as none.
    """
    q, k = z.shape
    if q == 0:
        return np.zeros(k), np.zeros(k)
    mixed = from_gram and rows_too
    norms = np.linalg.norm(R, axis=0)
    if from_gram and not mixed and scales is not None:
        norms = scales
    if not np.all(norms > 0):
        return np.full(k, np.inf), np.zeros(k)
    if not np.all(np.diagonal(R) != 0):
        return np.full(k, np.inf), np.zeros(k)
    kappa = condition_estimate(R, norms)
    c = q * _EPS
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        theta = solve_triangular(R / norms, z, check_finite=False)
        size = np.linalg.norm(R / norms) * np.linalg.norm(theta, axis=0)
        if from_gram and not mixed:
            error = c * kappa * (size + rho)
        else:
            error = c * (size + kappa * rho)
        if mixed:
            r = scales / norms
            gram_size = np.linalg.norm(r) * np.linalg.norm(r[:, None] * theta, axis=0)
            error = error + c * kappa * (gram_size + rho)
        floor = np.where(np.isfinite(error), error**2, np.inf)
        if kappa * np.sqrt(_EPS) > 1.0:
            # Columns dependent to rounding (terms the fit leaves out as
            # aliased): theta along them is noise, so is its norm; the fit's
            # own norm stands in for it.
            size = np.linalg.norm(z, axis=0)
        allowance = np.where(np.isfinite(size), (c * size) ** 2, 0.0)
    return floor, allowance
