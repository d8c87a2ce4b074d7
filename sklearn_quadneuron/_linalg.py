# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The small dense linear algebra every stage shares: factors, spectra, threads.

Triangular factors, the form in which the statistics keep their digits. The
sufficient statistic of least squares on ``A`` is the upper-triangular ``R`` of
``A = Q R``, not the Gram ``A^T A = R^T R``, whose condition number is the
square of ``A``'s:

- :func:`triangular_factor`, Householder QR keeping ``R`` only (``geqrf``),
  its diagonal not negative: unique where it has full rank;
- :func:`stacked_factor`, the exact merge of two sets of rows (``R`` of
  ``[R_a; R_b]``), as R's biglm and ``dask.array.linalg.tsqr`` merge theirs;
- :func:`append_rows`, rows folded under a factor (``tpqrt``): ``O(m q**2)``
  for ``m`` rows where a QR of the stack costs ``O(q**3)``;
- :func:`gram_factor`, the factor of a positive semi-definite Gram: no more
  accurate than the Gram, but in the form the rest reads;
- :func:`condition_estimate` (``trcon``, O(q^2)) on unit-norm columns, and
  :func:`fit_rounding`, what rounding in a factor may hide of a fit's excess.

The spectrum of the loss's Hessian: the eigendecomposition with the modes too
flat to resolve masked out (:func:`eigen`), the same on the Hessian scaled to a
unit diagonal (which resolves columns of very different scales), and for large
Hessians the tridiagonal form instead (:class:`Tridiagonal`): ``H = Q T Q^T``
with ``Q`` orthogonal, the first stage of an eigendecomposition and a third of
its cost at 2001 columns. ``T`` carries all the descent needs, in O(p) per
product or solve: the extreme eigenvalues, the certificate, the minimum, and
gradient descent itself, whose steps commute with the rotation.

BLAS's threads (:func:`one_blas_thread`): the statistics pass runs lanes on
threads of its own, and the eigendecomposition of a large Hessian runs faster
on one thread on a busy machine (OpenBLAS's threads wait for each other by
spinning); one long call that BLAS's threads share well may take them back
meanwhile (:func:`blas_own_threads`).
"""

import functools
import threading
from contextlib import contextmanager, nullcontext

import numpy as np
from scipy.linalg import (
    LinAlgError,
    eigh_tridiagonal,
    eigvalsh_tridiagonal,
    lapack,
    qr,
    solve_triangular,
)
from scipy.linalg.lapack import dgeqrf, dpotrf, dtpqrt, dtrcon, dtrtrs

_EPS = np.finfo(float).eps


# scipy.linalg's wrappers cost several times the LAPACK call on small matrices
# (solve_triangular 15 us, trtrs 2 us on 19 x 19): scipy's very calls instead.


def _plain(a):
    return type(a) is np.ndarray and a.dtype == np.float64 and a.ndim == 2 and a.size


def solve_upper(R, b, trans=False):
    """``solve_triangular(R, b, trans=trans, check_finite=False)``, R upper."""
    if not (_plain(R) and _plain(b.reshape(b.shape[0], -1))) or b.ndim > 2:
        return solve_triangular(R, b, trans=int(trans), check_finite=False)
    # As scipy: a C-ordered R is solved as the transposed system of R.T.
    if R.flags.f_contiguous:
        x, info = dtrtrs(R, b, lower=0, trans=int(trans))
    else:
        x, info = dtrtrs(R.T, b, lower=1, trans=int(not trans))
    if info:
        raise LinAlgError(f"singular matrix: trtrs returned {info}")
    return x


def _qr_r(A):
    """``scipy.linalg.qr(A, mode="r", check_finite=False)[0]``."""
    if not _plain(A):
        return qr(A, mode="r", check_finite=False, overwrite_a=False)[0]
    # scipy asks for the optimal workspace first: it sets the blocking.
    lwork = dgeqrf(A, lwork=-1)[-2][0].real.astype(np.int_)
    with blas_own_threads() if min(A.shape) >= _OWN_THREADS_FROM else nullcontext():
        factor, _, _, info = dgeqrf(A, lwork=lwork, overwrite_a=0)
    if info:  # pragma: no cover - invalid arguments only
        raise ValueError(f"geqrf returned {info}")
    n, q = factor.shape
    # Rows past the q-th hold reflectors: a copy lets them go.
    return factor[:q].copy() if n > q else factor


@functools.lru_cache(maxsize=16)
def _below_diagonal(shape):
    """The mask of the entries below the diagonal, made once a shape (np.tri)."""
    return np.tri(*shape, k=-1, dtype=bool)


def _upper(A, signs=False):
    """``A`` zeroed below its diagonal in place (np.triu copies: 30 MB at 2000
    columns), rows negated where the diagonal is negative if ``signs``."""
    if A.shape[1] < 256:
        np.copyto(A, 0.0, where=_below_diagonal(A.shape))
    else:
        for j in range(min(A.shape)):
            A[j + 1 :, j] = 0.0
    negative = A.diagonal() < 0
    if signs and negative.any():
        A *= np.where(negative, -1.0, 1.0)[:, None]
    return A


def triangular_factor(A):
    """The upper-triangular ``R`` (q x q) of ``A`` (n x q), diagonal >= 0.

    With fewer rows than columns the missing rows of ``R`` are zero.
    """
    A = np.asarray(A, dtype=float)
    n, q = A.shape
    if n == 0:
        return np.zeros((q, q))
    R = _qr_r(A)
    if R.shape[0] < q:
        R = np.vstack([R, np.zeros((q - R.shape[0], q))])
    return _upper(R[:q], signs=True)


def stacked_factor(*blocks):
    """The factor of the rows of every block, stacked (None blocks skipped)."""
    return triangular_factor(np.vstack([b for b in blocks if b is not None]))


# tpqrt's block of reflections: fastest on 2000 columns, no slower on a few.
_TPQRT_BLOCK = 64
# QR of this many columns or more runs on BLAS's own threads (an O(q^3) call).
_OWN_THREADS_FROM = 500


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
    return _upper(out, signs=True)


def gram_factor(G, eigen=True):
    """An upper-triangular ``F`` with ``F^T F = G`` for a symmetric PSD ``G``
    (its upper triangle only is read: what BLAS's ``syrk`` forms).

    Returns
    -------
    F : ndarray of shape (q, q), or None where Cholesky failed and not ``eigen``
    cholesky_failed : bool
        Whether Cholesky broke down (``G`` singular or indefinite to rounding):
        the factor then comes from ``G``'s eigendecomposition, eigenvalues
        within rounding of 0 taken as 0.
    """
    q = G.shape[0]
    if q == 0:
        return np.zeros((0, 0)), False
    live = G.diagonal() != 0
    if not live.all():
        # Columns that are exactly zero (a constant feature, once centered)
        # keep exactly zero columns in the factor: the rest is factored alone.
        F = np.zeros((q, q))
        index = np.flatnonzero(live)
        part, failed = gram_factor(G[np.ix_(index, index)], eigen)
        if part is not None:
            F[np.ix_(index, index)] = part
        return (F if part is not None else None), failed
    # scipy.linalg.cholesky's own call, without its wrapper's checks (7 us on 19
    # columns, potrf 2 us); info > 0 where G is not positive definite.
    F, info = dpotrf(G, lower=0, clean=1)
    if info == 0 and np.isfinite(F).all():
        return F, False
    if not eigen:
        return None, True
    lam, V = np.linalg.eigh(G, UPLO="U")
    # Eigenvalues within the Gram's rounding of 0 are 0 (their sign is noise).
    root = np.sqrt(np.where(lam > q * _EPS * lam[-1], lam, 0.0))
    return triangular_factor(root[:, None] * V.T), True


def condition_estimate(R, scales=None, scaled=False):
    """Estimated 2-norm condition number of ``R`` with unit-norm columns.

    ``scales``, when given, are the norms to scale the columns by instead;
    ``scaled``: ``R``'s columns are scaled already (and finite).

    LAPACK's ``trcon`` estimates the 1-norm condition within a small factor;
    on columns scaled to unit norm it bounds the 2-norm one within ``q``. A
    zero column (or a singular ``R``) gives inf.
    """
    if R.shape[0] == 0:
        return 1.0
    if not scaled:
        norms = np.linalg.norm(R, axis=0) if scales is None else scales
        if not (norms > 0).all() or not np.isfinite(R).all():
            return np.inf
        R = np.divide(R, norms, order="F")
    rcond, info = dtrcon(R, norm="1", uplo="U", diag="N")
    return float(1.0 / rcond) if info == 0 and rcond > 0 else np.inf


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
    own = not from_gram or mixed or scales is None
    norms = np.linalg.norm(R, axis=0) if own else scales
    if not ((norms > 0).all() and (R.diagonal() != 0).all()):
        return np.full(k, np.inf), np.zeros(k)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        scaled = np.divide(R, norms, order="F")
        finite = np.isfinite(scaled).all()
        kappa = condition_estimate(scaled, scaled=True) if finite else np.inf
        c = q * _EPS
        theta = solve_upper(scaled, z)
        size = np.linalg.norm(scaled) * np.linalg.norm(theta, axis=0)
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


# -- BLAS's threads ------------------------------------------------------------

_blas_lock = threading.Lock()
_blas_state = {"users": 0, "saved": None, "libraries": None}


def _blas_libraries():
    """The BLAS libraries (numpy's and scipy's), found once, on import: the
    search takes 3 to 12 ms, more than a first fit of small data."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas").lib_controllers


_blas_state["libraries"] = _blas_libraries()


@contextmanager
def one_blas_thread():
    """BLAS on one thread meanwhile: two per lane of a pass (a thread already)
    would oversubscribe the cores, where OpenBLAS's threads wait by spinning.
    Concurrent users share one limit: the first sets it, the last lifts it."""
    with _blas_lock:
        state = _blas_state
        if state["users"] == 0:
            # Two calls into each library (threadpoolctl's limit() reads every
            # library's description too, three times as long).
            state["saved"] = [(lib, lib.num_threads) for lib in state["libraries"]]
            for lib, _ in state["saved"]:
                lib.set_num_threads(1)
        state["users"] += 1
    try:
        yield
    finally:
        with _blas_lock:
            state["users"] -= 1
            if state["users"] == 0:
                for lib, threads in state["saved"]:
                    lib.set_num_threads(threads)
                state["saved"] = None


@contextmanager
def blas_own_threads():
    """BLAS's own setting meanwhile, even inside :func:`one_blas_thread`.

    For one call of O(p^3) work that BLAS's threads share well (the reduction
    to tridiagonal form: 1.6 to 2 times faster on two threads at 2001 and 4001
    columns). Outside a limit, or where another thread works within it (a
    lane, a Dask worker's thread), nothing changes.
    """
    with _blas_lock:
        alone = _blas_state["users"] <= 1
        for lib, threads in (_blas_state["saved"] if alone else None) or ():
            lib.set_num_threads(threads)
    try:
        yield
    finally:
        with _blas_lock:
            # The limit may have ended meanwhile: then BLAS keeps its own.
            for lib, _ in _blas_state["saved"] or ():
                lib.set_num_threads(1)


# -- the spectrum of the Hessian ------------------------------------------------

# Eigenvalues below this fraction of the largest are numerically zero: along
# them an iterate keeps its start (as plain gradient descent would, to rounding).
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


def check_curvature(curvature):
    """Every column the descent runs on must curve the loss measurably (the
    Hessian's diagonal, ``curvature``): on raw features of extreme scale (x ~
    1e-135) the curvature along x**2, ~x**4, underflows float64, and nothing
    could certify the result."""
    if (curvature < np.finfo(float).tiny / np.finfo(float).eps).any():
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

    LAPACK's ``syevd`` (numpy's ``eigh``), from ``_ONE_THREAD_FROM`` columns
    on one BLAS thread: 1.5 to 4 times faster on two busy cores.
    """
    with one_blas_thread() if H.shape[0] >= _ONE_THREAD_FROM else nullcontext():
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
    :func:`blas_own_threads`). ``Q`` is kept as its
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


#: A term is aliased when what is left of its standardized column, after the
#: terms before it, is below this fraction of its norm: R's ``lm`` (``lm.fit``'s
#: ``tol``, LINPACK ``dqrdc2``'s limited pivoting) uses the same 1e-7.
ALIAS_TOLERANCE = 1e-7


# What is left of a unit-norm column after the ones before it is at least
# 1 / kappa_1 (which trcon estimates within a small factor): where kappa times
# ALIAS_TOLERANCE is below this screen, no term is within a factor 100 of the
# tolerance and the rank-revealing step is not needed.
_ALIAS_SCREEN = 1e-2


def may_alias(condition):
    """Whether columns of this condition number may hold an aliased term."""
    return condition * ALIAS_TOLERANCE >= _ALIAS_SCREEN
