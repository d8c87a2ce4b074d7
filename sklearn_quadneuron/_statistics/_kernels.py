# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The kernels of the passes: blocks of rows summed in lanes, on threads.

A lane sums the products of a block's variables over some blocks: one
symmetric product a block (:class:`GramKernel`), a few matrix-vector products
for narrow rows (:class:`DotKernel`), one compiled pass for one feature and
one target (:class:`NarrowKernel`, with numba), or the products of rows
whitened by a first factor (:class:`WhitenedLane`, CholeskyQR2's second
pass). Two lanes run on two threads (BLAS called without the GIL) and are
summed in a fixed order (:func:`run_lanes`): results do not depend on timing.
"""

import ctypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.linalg import cython_blas
from scipy.linalg.blas import dsyrk, dtrsm

from .._linalg import append_rows, one_blas_thread


def _blas(name, *argtypes):
    """SciPy's BLAS routine ``name`` called through ctypes, which lets go of the
    GIL meanwhile (SciPy's own wrappers hold it: lanes, or Dask's threads,
    would take turns); None unless its arguments are C ints and pointers."""
    api, capsule = ctypes.pythonapi, cython_blas.__pyx_capi__[name]
    api.PyCapsule_GetName.restype = ctypes.c_char_p
    api.PyCapsule_GetName.argtypes = [ctypes.py_object]
    api.PyCapsule_GetPointer.restype = ctypes.c_void_p
    api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    signature = api.PyCapsule_GetName(capsule)
    if signature.count(b"int *") != argtypes.count(_INT):
        return None
    address = api.PyCapsule_GetPointer(capsule, signature)
    return ctypes.CFUNCTYPE(None, *argtypes)(address)


_CHAR, _INT, _PTR = ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_void_p
_SYRK = _blas("dsyrk", *[_CHAR] * 2, _INT, _INT, *[_PTR] * 2, _INT, *[_PTR] * 2, _INT)
_TRSM = _blas("dtrsm", *[_CHAR] * 4, _INT, _INT, *[_PTR] * 2, _INT, _PTR, _INT)
_ONE = np.ones(1)


def _native(f, *arrays):
    """Whether BLAS's routine ``f`` takes these arrays in place, as they are."""
    return f is not None and all(
        a.flags.f_contiguous and a.dtype == np.float64 for a in arrays
    )


def _ints(*values):
    return [ctypes.byref(ctypes.c_int(v)) for v in values]


def syrk_into(C, A):
    """``C += A^T A`` (its upper triangle), by BLAS's ``syrk`` without the GIL."""
    (n, q), one = A.shape, _ONE.ctypes.data
    if n == 0:
        return
    if not _native(_SYRK, C, A):
        C[...] = dsyrk(1.0, A, beta=1.0, c=C, trans=1, overwrite_c=1)
        return
    q_, n_ = _ints(q, n)
    _SYRK(b"U", b"T", q_, n_, one, A.ctypes.data, n_, one, C.ctypes.data, q_)


def trsm_right(R, B):
    """``B R^-1`` in place (``R`` upper triangular), by ``trsm`` without the GIL."""
    (n, q), one = B.shape, _ONE.ctypes.data
    if n == 0 or not _native(_TRSM, R, B):
        return dtrsm(1.0, R, B, side=1, lower=0, overwrite_b=1)
    n_, q_ = _ints(n, q)
    _TRSM(b"R", b"U", b"N", b"N", n_, q_, one, R.ctypes.data, q_, B.ctypes.data, n_)
    return B


# Block buffers up to this size are kept by each thread from one pass to the
# next: allocated afresh where freed memory goes back to the system at once (as
# in Dask's workers), faulting their pages in took a third of a block's time.
_KEEP_BYTES = 1 << 22
# A lane's extent of its rows (minima, maxima, sums) before any, or none taken.
_EXTENT_START, _NO_EXTENT = np.array([[np.inf], [-np.inf], [-0.0]]), np.empty((0, 0))
_kept = threading.local()
# The compiled kernels: None until first asked for, False without numba.
_FUSED = None


def fused_kernels():
    """The ``_compiled`` module, or None where numba is not installed or unusable
    (ImportError: missing or not matching numpy; RuntimeError: no directory can
    hold its cache): the pass then runs on numpy's kernels."""
    global _FUSED
    if _FUSED is None:
        try:
            from . import _compiled
        except (ImportError, RuntimeError):
            _FUSED = False
        else:
            _FUSED = _compiled
    return _FUSED or None


# A pass over fewer values than this runs on numpy's kernels: importing numba
# (0.4 s at a process's first compiled pass) costs more than they save there.
# By size alone: the same data always takes the same kernels.
COMPILED_FROM = 1 << 16


def compiled_for(n_values):
    """The compiled kernels for a pass over ``n_values`` values, or None."""
    return fused_kernels() if n_values >= COMPILED_FROM else None


def column_extent(A, narrow):
    """Minimum, maximum and sum of A's columns in one compiled pass, or None.

    None where numpy's reductions serve as well or the kernels are missing:
    one column (contiguous, and its mean is summed pairwise, not in order),
    a Fortran-ordered array of more than ``narrow`` columns (likewise), other
    dtypes than float64. A NaN propagates to the minimum and maximum, as in
    numpy's: the sum of its column is NaN while the comparisons skip it. (A
    sum of finite values cannot be NaN: once it overflows to an infinity, no
    finite value brings it back.)
    """
    if not (
        A.dtype == np.float64
        and A.ndim == 2
        and A.shape[0] > 0
        and A.shape[1] > 1
        and (A.shape[1] <= narrow or A.flags.c_contiguous)
        and compiled_for(A.size) is not None
    ):
        return None
    p = A.shape[1]
    lo, hi, total = np.empty(p), np.empty(p), np.empty(p)
    fused_kernels().column_extent(A, lo, hi, total)
    nan = np.isnan(total) & np.isfinite(lo) & np.isfinite(hi)
    lo[nan] = hi[nan] = np.nan
    return lo, hi, total


def run_lanes(run, lanes):
    """Run two lanes of blocks, the second on a thread; add their sums in order."""
    stop_event = threading.Event()
    # numpy's error state is per thread: the worker takes the caller's.
    errstate = np.geterr()

    def second():
        with np.errstate(**errstate):
            return run(lanes[1], stop_event)

    with one_blas_thread():
        if _available_cores() < 2:
            first = run(lanes[0], stop_event)
            later = second()
        else:
            with ThreadPoolExecutor(max_workers=1) as executor:
                future = executor.submit(second)
                try:
                    first = run(lanes[0], stop_event)
                except BaseException:
                    stop_event.set()
                    # Let the other lane stop before raising.
                    future.exception()
                    raise
                later = future.result()
    for C, other in zip(first.products, later.products):
        C += other
    if getattr(first, "far_rows", None) is not None:
        first.far_rows += later.far_rows
    first.counts = [a + b for a, b in zip(first.counts, later.counts)]
    if getattr(first, "extent", _NO_EXTENT).size:
        lo, hi, total = first.extent
        np.minimum(lo, later.extent[0], out=lo)
        np.maximum(hi, later.extent[1], out=hi)
        total += later.extent[2]
    return first


def _available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _scratch(name, size):
    """A float64 buffer of ``size`` elements: the thread's own, if small (a
    pass uses a name for one buffer at a time, a lane runs on one thread)."""
    if 8 * size > _KEEP_BYTES:
        return np.empty(size)
    kept = getattr(_kept, name, None)
    if kept is None or kept.shape[0] < size:
        kept = np.empty(size)
        setattr(_kept, name, kept)
    return kept[:size]


class BlockUnits:
    """How a block's variables are formed, and how their sums return to u units.

    A block holds ``t = (x - x_loc) * x_factor``, ``t**2 - square_shift`` and
    ``(y - y_loc) * y_factor``, and a last variable of ones. When every scale is
    a moderate number, the factors are 1 and the scaling is applied to the summed
    products instead (``unit``: products times ``outer(unit, unit)`` are those of
    ``[u**2 - shift, u, y_ref, 1]``): two passes less per block, the same sums
    to rounding, and with values within reach no power can overflow or
    underflow in either form. Otherwise the block is scaled as it is formed.
    """

    # Scales within these bounds leave t**4 of any value within reach (1e60
    # scales) far from overflow (and of the rest far from underflow).
    SCALE_RANGE = (2.0**-60, 2.0**32)

    def __init__(self, reference, shift):
        lo, hi = self.SCALE_RANGE
        scales = np.concatenate([reference.x_scale, reference.y_scale])
        self.deferred = bool(np.all((scales >= lo) & (scales <= hi)))
        x_inv = 1.0 / reference.x_scale
        y_inv = 1.0 / reference.y_scale
        self.x_loc, self.y_loc = reference.x_loc, reference.y_loc
        if self.deferred:
            self.x_factor = np.ones_like(x_inv)
            self.y_factor = np.ones_like(y_inv)
            self.square_shift = shift * reference.x_scale**2
            self.unit = np.concatenate([x_inv**2, x_inv, y_inv, [1.0]])
        else:
            self.x_factor, self.y_factor = x_inv, y_inv
            self.square_shift = shift
            self.unit = np.ones(2 * x_inv.shape[0] + y_inv.shape[0] + 1)
        p = x_inv.shape[0]
        # The shift in u units, as it was applied: what the means get back.
        self.shift = self.square_shift * self.unit[:p]

    def forming(self):
        """What the compiled kernels form a block's variables with, in order."""
        return self.x_loc, self.x_factor, self.y_loc, self.y_factor, self.square_shift


class FarRows:
    """Which rows of a block lie far out: more than ``bound`` from ``center``
    in some feature or target (data units), and carry weight. A pass given one
    leaves them out of its sums and keeps them in ``rows`` (:class:`GramKernel`):
    the second pass reads them by Householder QR."""

    def __init__(self, x_center, x_bound, y_center, y_bound, fused=None):
        self.test = x_center, x_bound, y_center, y_bound
        self.fused = fused

    @classmethod
    def of(cls, first, spreads):
        """Rows more than ``spreads`` standard deviations from the mean (the
        statistics ``first``'s, in data units)."""
        p, ref = first.n_features, first.reference
        spread = spreads * np.linalg.norm(first.factor, axis=0)
        spread = np.where(spread > 0, spread / np.sqrt(first.weight), np.inf)
        scale = np.concatenate([ref.x_scale, ref.y_scale])
        center = np.concatenate([ref.x_loc, ref.y_loc]) + scale * first.mean[p:]
        bound = scale * spread[p:]
        fused = compiled_for(first.n_samples * (p + first.n_targets))
        return cls(center[:p], bound[:p], center[p:], bound[p:], fused)

    @staticmethod
    def kurtosis(first):
        """Each feature's kurtosis, from statistics ``first`` (NaN if constant)."""
        p, F = first.n_features, first.factor
        mu = first.mean[p : 2 * p]
        # (u - mu)**2 - sigma**2 is (u**2 - its mean) - 2 mu (u - mu).
        fourth = np.linalg.norm(F[:, :p] - 2.0 * mu * F[:, p : 2 * p], axis=0) ** 2
        second = np.linalg.norm(F[:, p : 2 * p], axis=0) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(second > 0, 1.0 + first.weight * fourth / second**2, np.nan)

    def find(self, X, Y, w):
        """Indices of the far rows of a block."""
        if self.fused is not None:
            found = np.empty(X.shape[0], dtype=np.intp)
            weights = self.fused.empty_weights() if w is None else w
            count = self.fused.far_rows(X, Y, weights, *self.test, found)
            return found[:count]
        x_center, x_bound, y_center, y_bound = self.test
        far = (np.abs(X - x_center) > x_bound).any(axis=1)
        far |= (np.abs(Y - y_center) > y_bound).any(axis=1)
        if w is not None:
            far &= w != 0
        return np.flatnonzero(far)

    def near_weights(self, X, Y, w):
        """The weights of a block's rows (ones for None), 0 where they are far."""
        w = np.ones(X.shape[0]) if w is None else w.copy()
        w[self.find(X, Y, w)] = 0.0
        return w


class _Lane:
    """Summed products of a block's variables and ones, over some blocks.

    ``products[i]`` (one per part of a split) holds the sums in its upper
    triangle, ``counts[i]`` the number of rows. Subclasses fill one block's
    variables in the buffer and add its products. With ``far`` (:class:`FarRows`),
    far rows are left out and kept in order in ``far_rows`` (``(X, Y, w)``s).
    """

    def __init__(self, units, rows, n_parts, zero_weights, *, far=None, **options):
        p, k = units.x_loc.shape[0], units.y_loc.shape[0]
        self.zero_weights = zero_weights
        self.p, self.m = p, 2 * p + k
        self.scaled = not units.deferred
        self.x_loc = units.x_loc[:, None]
        self.x_factor = units.x_factor[:, None]
        self.y_loc = units.y_loc[:, None]
        self.y_factor = units.y_factor[:, None]
        self.shift = units.square_shift[:, None]
        self.products = [
            np.zeros((2 * p + k + 1,) * 2, order="F") for _ in range(n_parts)
        ]
        self.counts = [0] * n_parts
        # A block's variables and a last row of ones (or of root weights).
        self.buffer = _scratch("block", (self.m + 1) * rows)
        self.fused = fused = options.get("fused")
        self.forming = units.forming()
        # The rows' extent so far, where asked for and compiled (fill_block).
        track = options.get("extent") and fused is not None
        self.extent = _EXTENT_START.repeat(p + k, 1) if track else _NO_EXTENT
        self.far = far
        self.far_rows = None if far is None else []

    def _block(self, n):
        """The buffer as a contiguous (m + 1, n) array: BLAS reads it in place."""
        return self.buffer[: (self.m + 1) * n].reshape(self.m + 1, n)

    def _fill_compiled(self, V, X, Y, w):
        """:meth:`_fill` and the last row (ones or root weights), compiled."""
        weights = self.fused.empty_weights() if w is None else w
        args = *self.forming, self.scaled, V, self.extent
        self.fused.fill_block(X, Y, weights, *args)

    def _fill(self, V, X, Y, w):
        """The block's ``[t**2 - shift, t, y_t]`` into the first m rows of V."""
        p, m = self.p, self.m
        U = V[p : 2 * p]
        np.subtract(X.T, self.x_loc, out=U)
        Yr = V[2 * p : m]
        np.subtract(Y.T, self.y_loc, out=Yr)
        if self.zero_weights:
            # Rows of weight 0 change nothing: however far they lie, their
            # scaled values and powers must not reach the sums (as inf * 0 =
            # NaN would), nor overflow on the way.
            V[p:m, w == 0] = 0.0
        if self.scaled:
            U *= self.x_factor
            Yr *= self.y_factor
        np.multiply(U, U, out=V[:p])
        V[:p] -= self.shift


class GramKernel(_Lane):
    """One symmetric product per block: BLAS's ``syrk`` adds it to the sums'
    upper triangle in place (:func:`syrk_into`, without the GIL)."""

    def add(self, part, X, Y, w):
        n = X.shape[0]
        if n == 0:
            return
        m = self.m
        V = self._block(n)
        if self.fused is not None:
            self._fill_compiled(V, X, Y, w)
        else:
            self._fill(V, X, Y, w)
            if w is None:
                V[m] = 1.0
            else:
                # sqrt(w) on both sides of the product: sum w v v^T.
                root = np.sqrt(w, out=V[m])
                V[:m] *= root
        if self.far is not None:
            held = self.far.find(X, Y, w)
            if held.shape[0]:
                V[:, held] = 0.0
                self.far_rows.append((X[held], Y[held], None if w is None else w[held]))
        # V.T is a Fortran-ordered (n, m + 1) matrix: C += V @ V.T.
        syrk_into(self.products[part], V.T)
        self.counts[part] += n


class DotKernel(_Lane):
    """Matrix-vector products, for a few variables on long blocks."""

    def __init__(self, units, rows, n_parts, zero_weights, *, far=None, **options):
        super().__init__(units, rows, n_parts, zero_weights, **options)
        assert far is None, "far rows are left out by GramKernel alone"
        # The row of ones: its products with a row of weighted values are its
        # sum, so one matrix-vector product a row gives both.
        self.ones_for = None  # the block length the row of ones was written for
        self.weighted = None
        # One-dimensional operations on Python floats: on a few long rows,
        # numpy's set-up of a broadcast 2-D operation costs more than the loop.
        p = self.p
        self.columns = [
            (j, p + j, float(self.x_loc[j, 0]), float(self.x_factor[j, 0]))
            for j in range(p)
        ]
        self.targets = [
            (t, 2 * p + t, float(self.y_loc[t, 0]), float(self.y_factor[t, 0]))
            for t in range(self.m - 2 * p)
        ]
        self.shifts = [float(s) for s in self.shift[:, 0]]

    def _fill(self, V, X, Y, w):
        for j, row, loc, factor in self.columns:
            np.subtract(X[:, j], loc, out=V[row])
        for t, row, loc, factor in self.targets:
            np.subtract(Y[:, t], loc, out=V[row])
        p = self.p
        if self.zero_weights:
            V[p : self.m, w == 0] = 0.0
        if self.scaled:
            for _, row, _, factor in self.columns + self.targets:
                V[row] *= factor
        for j, shift in enumerate(self.shifts):
            np.multiply(V[p + j], V[p + j], out=V[j])
            V[j] -= shift

    def add(self, part, X, Y, w):
        n = X.shape[0]
        if n == 0:
            return
        m = self.m
        V = self._block(n)
        if w is None and self.fused is not None:
            # Unit weights: the compiled kernel forms the block in one trip
            # through its rows, by the very operations of _fill (the same
            # values to the last bit), and writes the row of ones too.
            self._fill_compiled(V, X, Y, w)
            self.ones_for = n
        else:
            if self.ones_for != n:
                V[m] = 1.0
                self.ones_for = n
            self._fill(V, X, Y, w)
        C = self.products[part]
        if w is None:
            W = V
            C[m, m] += n
        else:
            if self.weighted is None:
                self.weighted = _scratch(
                    "weighted", m * (self.buffer.shape[0] // (m + 1))
                )
            W = np.multiply(V[:m], w, out=self.weighted[: m * n].reshape(m, n))
            C[m, m] += w.sum()
        # Row i of the upper triangle, the sum of row i last: one pass over
        # rows i.. of V and its ones.
        for i in range(m):
            C[i, i:] += V[i:] @ W[i]
        self.counts[part] += n


class NarrowKernel:
    """One feature and one target: every product summed in one compiled pass
    over x and y, with no block buffer (``_compiled.narrow_products``).

    A lane as :class:`_Lane`'s are (``products``, ``counts``, ``add``); rows of
    weight 0 are left out by the kernel itself.
    """

    def __init__(self, units, rows, n_parts, zero_weights, *, far=None, **options):
        assert far is None, "far rows are left out by GramKernel alone"
        self.extent = _NO_EXTENT
        self.zero_weights = zero_weights
        self.products = [np.zeros((4, 4), order="F") for _ in range(n_parts)]
        self.counts = [0] * n_parts
        self.fused = fused_kernels()
        # One feature, one target: each is one number.
        self.forming = tuple(float(a[0]) for a in units.forming())

    def add(self, part, X, Y, w):
        n = X.shape[0]
        if n == 0:
            return
        self.fused.narrow_products(
            X[:, 0],
            Y[:, 0],
            self.fused.empty_weights() if w is None else w,
            self.zero_weights,
            *self.forming,
            self.products[part],
        )
        self.counts[part] += n


class WhitenedLane:
    """Sums of ``w w^T`` over rows ``w = R_1^-T b`` (CholeskyQR2's second pass).

    ``b`` the rows of :func:`centered_block` (formed by the first pass's
    compiled kernel where there is one), whitened and summed a block at a time
    by BLAS (``trsm`` then ``syrk``, in place); one compiled pass for one
    feature and one target (:func:`~._compiled.narrow_whitened`).
    """

    def __init__(self, X, Y, sample_weight, first, R1):
        self.data = X, Y, sample_weight, first
        self.R1 = R1
        self.products = [np.zeros(R1.shape, order="F")]
        self.counts = [0]
        self.fused = compiled_for(X.shape[0] * R1.shape[0])
        ref, p = first.reference, X.shape[1]
        self.forming = (ref.x_loc, 1 / ref.x_scale, ref.y_loc, 1 / ref.y_scale)
        self.forming += (first.mean[:p],)

    def add(self, rows):
        X, Y, w, first = self.data
        fused = self.fused
        if fused is not None and self.R1.shape[0] == 4:
            ref = first.reference
            fused.narrow_whitened(
                X[rows, 0],
                Y[rows, 0],
                fused.empty_weights() if w is None else w[rows],
                *(float(a[0]) for a in (ref.x_loc, ref.x_scale, ref.y_loc)),
                float(ref.y_scale[0]),
                first.mean,
                self.R1,
                self.products[0],
            )
        else:
            B = self._block(rows)
            # B is Fortran-ordered: whitened in place, B R1^-1, then its
            # symmetric product added to the upper triangle.
            syrk_into(self.products[0], trsm_right(self.R1, B))
        self.counts[0] += rows.stop - rows.start

    def _block(self, rows):
        """:func:`centered_block` of the rows, Fortran-ordered."""
        X, Y, w, first = self.data
        if self.fused is None:
            return np.asfortranarray(centered_block(X, Y, w, first, rows))
        p, m = X.shape[1], self.R1.shape[0] - 1
        x, y = X[rows], Y[rows]
        # Rows [1, u**2 - mean, u, y] scaled by sqrt(w) (the first pass's,
        # written one row later), then the means of u and y taken out.
        V = np.empty((m + 2, x.shape[0]))
        weights = self.fused.empty_weights() if w is None else w[rows]
        self.fused.fill_block(x, y, weights, *self.forming, True, V[1:], _NO_EXTENT)
        V[0] = V[m + 1]
        V[p + 1 : m + 1] -= first.mean[p:, None] * V[0]
        return V[: m + 1].T


def centered_block(X, Y, sample_weight, first, block):
    """The rows ``sqrt(w) [1, v - mean]`` of a block (rows of weight 0 left out)."""
    ref = first.reference
    p, m = X.shape[1], first.mean.shape[0]
    x, y = X[block], Y[block]
    root = None if sample_weight is None else np.sqrt(sample_weight[block])
    if root is not None:
        carry = root > 0
        x, y, root = x[carry], y[carry], root[carry]
    B = np.empty((x.shape[0], m + 1))
    U = (x - ref.x_loc) / ref.x_scale
    B[:, 0] = 1.0
    B[:, 1 : p + 1] = U * U
    B[:, p + 1 : 2 * p + 1] = U
    B[:, 2 * p + 1 :] = (y - ref.y_loc) / ref.y_scale
    B[:, 1:] -= first.mean
    if root is not None:
        B *= root[:, None]
    return B


def fold_far_rows(stats, rows, weighted, first):
    """Statistics of near rows (``stats``, partly a Gram's) and of the far
    ``rows`` (``(X, Y, w)`` of each block's), folded in by Householder QR; the
    weight and count of all the rows are ``first``'s."""
    m = first.mean.shape[0]
    R = np.zeros((m + 1, m + 1))
    R[0, 0], R[1:, 1:] = np.sqrt(stats.weight), stats.factor
    if rows:
        Xf, Yf, wf = zip(*rows)
        wf = np.concatenate(wf) if weighted else None
        B = centered_block(
            np.concatenate(Xf), np.concatenate(Yf), wf, stats, slice(None)
        )
        R = append_rows(R, B)
    mean = stats.mean + R[0, 1:] / R[0, 0]
    factor, squares = R[1:, 1:], stats.gram_squares
    return stats._with(
        weight=float(first.weight),
        n_samples=first.n_samples,
        mean=mean,
        factor=factor,
        gram_squares=squares,
        rows_too=True,
    )
