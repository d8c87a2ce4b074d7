# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The one pass over in-memory data that gathers the statistics.

Rows are read in blocks: each block's expanded features ``[u**2, u, y_ref, 1]``
are formed in a buffer and added to running sums by one symmetric product (or a
few matrix-vector products for narrow data). Long passes over up to a few
hundred variables run in two lanes on two threads, summed in a fixed order, so
results do not depend on thread timing; wider rows run in one lane whose
products use BLAS's own threads. The reference is taken from the first block,
with a restart should a later block stray out of reach.

With numba installed (the ``fast`` extra), the blocks are formed by compiled
kernels (``_fused``): in one trip through each row instead of one per
elementwise step, and for one feature and one target without any buffer.
"""

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.linalg.blas import dsyrk, dtrsm

from ._blas import one_blas_thread
from ._moments import (
    NonFiniteError,
    OutOfReachError,
    QuadraticStatistics,
    reference_from,
)
from ._triangular import (
    append_rows,
    condition_estimate,
    gram_factor,
    triangular_factor,
)

# A block of rows is the unit of work of the pass: its expanded features
# [u**2, u, y_ref, 1] are formed in a buffer of about this size (at least
# _MIN_BLOCK_ROWS rows, so that a symmetric product over the block runs at BLAS
# speed however wide the rows), and one symmetric product adds them to the sums.
CHUNK_BYTES = 1 << 20
_MIN_BLOCK_ROWS = 256
# From this many variables and ones (2p + k + 1), one lane: each block's product
# updates the sums in place (BLAS ``dsyrk``, on BLAS's own threads), in blocks
# of at least _WIDE_BLOCK_ROWS rows. Narrower rows run in two lanes, whose
# products are numpy's (which, unlike SciPy's BLAS wrappers, release the GIL).
# Measured on 2 cores, 1000 features and 20,000 rows: one lane of in-place
# products in blocks of 512 rows 1.43 s, two lanes in blocks of 256 rows 3.4 s
# (the 2002 x 2002 sums, read and written once a block, dominate); 100
# features: two lanes 125 ms, one lane of threaded products 150 ms.
_WIDE_VARIABLES = 512
_WIDE_BLOCK_ROWS = 512
# Up to this many variables (2p + k), products are matrix-vector products
# instead: BLAS's matrix products are slow on a few long rows.
_DOT_VARIABLES = 5
# Passes of at least this much work (rows times (2p + k + 2)**2, about a
# millisecond's worth) run their blocks in two lanes on two threads; smaller ones
# would not pay for the thread.
_PARALLEL_WORK = 1 << 22
# OpenBLAS threads matrix-vector products of this many elements or more.
_BLAS_THREADS_FROM = 1 << 13
# Block buffers up to this size are kept by each thread from one pass to the
# next. Allocated afresh, a buffer's pages are faulted in afresh whenever freed
# memory goes straight back to the system, as in Dask's workers (their nanny
# sets MALLOC_TRIM_THRESHOLD_): there, on blocks of 1e6 rows of one feature,
# that took a third of the block's time.
_KEEP_BYTES = 1 << 22
_kept = threading.local()
# The compiled kernels: None until first asked for, False without numba.
_FUSED = None
# With a reference taken from the first chunk, scaled values must stay within
# this reach: fourth powers summed over 1e12 samples then stay below 1e252.
_REACH = 1e60


class _OutOfReach(Exception):
    """A chunk lies too far from the reference for its powers to be summed."""


def _fused_kernels():
    """The ``_fused`` module, or None where numba is not installed or unusable.

    numba raises ImportError where it is missing or does not match numpy, and
    RuntimeError where no directory can hold its cache (a read-only install
    and home): either way the pass runs on numpy's kernels.
    """
    global _FUSED
    if _FUSED is None:
        try:
            from . import _fused
        except (ImportError, RuntimeError):
            _FUSED = False
        else:
            _FUSED = _fused
    return _FUSED or None


def chunk_rows(n_columns):
    """Rows of a first chunk of ``n_columns`` float64 columns, for a reference."""
    return max(_MIN_BLOCK_ROWS, CHUNK_BYTES // (8 * max(n_columns, 1)))


def gather(X, Y, sample_weight=None, *, mask=None):
    """The statistics of in-memory data, reading it once.

    The reference is taken from the first chunk, so that no separate pass over
    the data is needed to choose it (for memory-bound data that pass costs as
    much as the accumulation itself). Any location inside the data's range keeps
    the accumulation exact to a few ulps; should a later chunk stray so far from
    the first that its powers could overflow, the pass restarts with the
    reference of the whole data.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None
    mask : ndarray of bool of shape (n_samples,) or None
        As in :func:`accumulate`.

    Returns
    -------
    stats : QuadraticStatistics, or a pair of them when ``mask`` is given
    """
    m = 2 * X.shape[1] + Y.shape[1]
    if X.shape[0] * m < _BLAS_THREADS_FROM or (_wide(m) and X.shape[0] > block_rows(m)):
        # Wide rows over several blocks: the pass's products run on BLAS's
        # threads (the same sums, to the last bit, on any number of them).
        return _gather(X, Y, sample_weight, mask)
    # The reference's weighted means are matrix-vector products too.
    with one_blas_thread():
        return _gather(X, Y, sample_weight, mask)


def _gather(X, Y, sample_weight, mask):
    rows = chunk_rows(2 * X.shape[1] + Y.shape[1] + 1)
    if not (np.isfinite(X[:rows]).all() and np.isfinite(Y[:rows]).all()):
        raise NonFiniteError("The data contains NaN or infinity.")
    head = None if sample_weight is None else sample_weight[:rows]
    if head is not None and not head.any():
        head = None  # all-zero weights in the first chunk: any location will do
    reference = reference_from(X[:rows], Y[:rows], head)
    try:
        return accumulate_near(X, Y, sample_weight, reference, mask=mask)
    except OutOfReachError:
        # Non-finite input is caught here too, as it is never within reach:
        # finiteness costs nothing extra to check on data that is fine.
        if not (np.isfinite(X).all() and np.isfinite(Y).all()):
            raise NonFiniteError("The data contains NaN or infinity.") from None
        reference = reference_from(X, Y, sample_weight)
        return accumulate(X, Y, sample_weight, reference, mask=mask)


def accumulate_near(X, Y, sample_weight, reference, *, mask=None):
    """:func:`accumulate` on a reference taken from other (earlier) rows.

    Values far from those rows may overflow once scaled and powered; the reach
    check of :func:`accumulate` sees the resulting infinity (or NaN), and this
    raises :class:`OutOfReachError` instead of letting a RuntimeWarning out.
    """
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            return accumulate(X, Y, sample_weight, reference, mask=mask, reach=_REACH)
    except _OutOfReach:
        raise OutOfReachError(
            f"These values lie more than 1e{math.log10(_REACH):.0f} times the spread "
            "of the first "
            "chunk away from it: their powers cannot be accumulated on its "
            "reference. Start with a representative first chunk (shuffle the "
            "stream), or rescale the data."
        ) from None


def accumulate(X, Y, sample_weight, reference, *, mask=None, reach=None, parallel=True):
    """One pass over the data, block by block.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None
        None means unit weights; no array of ones is ever allocated.
    reference : Reference
    mask : ndarray of bool of shape (n_samples,) or None
        When given, returns a pair of statistics: rows where mask is False, then
        rows where it is True (a training / validation split in the same pass).
    reach : float or None
        When given, raise ``_OutOfReach`` as soon as a scaled value exceeds it in
        magnitude (the reference was not taken from the whole data).
    parallel : bool, default=True
        Whether a long pass may run on two threads (False where the caller
        runs passes side by side already, as Dask's workers do).

    Returns
    -------
    stats : QuadraticStatistics, or a pair of them when ``mask`` is given

    Notes
    -----
    The rows are cut into blocks of :func:`block_rows` rows, always the same for
    the same shape of data. A long pass splits the blocks into two lanes, the
    first half and the second half, each summed in order on its own thread
    (numpy and BLAS release the GIL; BLAS runs one thread per lane meanwhile),
    and the two lanes' sums are added: the result does not depend on which
    thread runs first or faster, nor on the number of cores.
    """
    n_samples, p = X.shape
    k = Y.shape[1]
    m = 2 * p + k
    rows = block_rows(m)
    if n_samples <= rows:
        return _one_block(X, Y, sample_weight, reference, mask, reach)
    # u is centered by the reference; u**2 is not. Shifting it by its mean over
    # the first rows keeps the products from cancelling (a two-valued feature
    # has a constant u**2: shifted, it is exactly 0).
    units = _BlockUnits(
        reference,
        _square_shift(
            X[:rows],
            None if sample_weight is None else sample_weight[:rows],
            reference,
        ),
    )
    reach_units = units.unit**2
    starts = list(range(0, n_samples, rows))
    # Rows of weight 0 are looked for in each block only if there are any.
    zero_weights = sample_weight is not None and not sample_weight.all()
    n_parts = 1 if mask is None else 2
    kernel = _DotKernel if m <= _DOT_VARIABLES else _GramKernel
    fused = _fused_kernels()
    if fused is not None and kernel is _DotKernel and (p, k) == (1, 1):
        kernel = _NarrowKernel
    # Only symmetric products run in two lanes: they are bound by arithmetic,
    # which a second core adds. The matrix-vector products of a few variables
    # are bound by the memory both cores share: on two lanes, 1e6 rows of one
    # feature took 15% longer than on one (interleaved runs, busy machine).
    long = len(starts) > 1 and n_samples * (m + 2) ** 2 >= _PARALLEL_WORK
    wide = _wide(m)
    n_lanes = 2 if parallel and long and kernel is _GramKernel and not wide else 1
    half = (len(starts) + 1) // 2
    lanes = [starts] if n_lanes == 1 else [starts[:half], starts[half:]]

    def run(lane_starts, stop_event=None):
        lane = kernel(units, rows, n_parts, zero_weights, in_place=n_lanes == 1)
        for start in lane_starts:
            if stop_event is not None and stop_event.is_set():
                break
            block = slice(start, min(start + rows, n_samples))
            _add_block(lane, X, Y, sample_weight, mask, block)
            if reach is not None and not all(
                _within_reach(C.diagonal() * reach_units, p, m, reach)
                for C in lane.products
            ):
                if stop_event is not None:
                    stop_event.set()
                raise _OutOfReach
        return lane

    if n_lanes == 2:
        totals = _run_lanes(run, lanes)
    elif wide and parallel:
        # Products of hundreds of columns keep BLAS's threads busy.
        totals = run(starts)
    elif len(starts) > 1 or (
        kernel is _DotKernel and n_samples * m >= _BLAS_THREADS_FROM
    ):
        # OpenBLAS would thread the products of long blocks: on a busy machine
        # its threads wait for each other far longer than the product takes.
        with one_blas_thread():
            totals = run(starts)
    else:
        totals = run(starts)
    unit = np.outer(units.unit, units.unit)
    parts = [
        _centered(_symmetric(C) * unit, n, units.shift, reference)
        for C, n in zip(totals.products, totals.counts)
    ]
    return parts[0] if mask is None else tuple(parts)


def _add_block(lane, X, Y, sample_weight, mask, block):
    """Add one block of rows to a lane: to the training part, or split."""
    w = None if sample_weight is None else sample_weight[block]
    if mask is None:
        lane.add(0, X[block], Y[block], w)
        return
    held = mask[block]
    for part, rows in ((0, ~held), (1, held)):
        lane.add(part, X[block][rows], Y[block][rows], None if w is None else w[rows])


def _one_block(X, Y, sample_weight, reference, mask, reach):
    """:func:`accumulate` on data that fits in one block: no lanes, no deferred units.

    The block is scaled as it is formed and shifted by its own mean of
    ``u**2``; its products are pairwise dot products for a few variables, else
    one matrix product. These are the very operations that the fits recorded
    in ``tests/data`` were made with: small data gives the same numbers to the
    last bit.
    """
    p = X.shape[1]
    m = 2 * p + Y.shape[1]
    V = np.empty((m + 1, X.shape[0]))
    V[m] = 1.0
    U, Yr = V[p : 2 * p], V[2 * p : m]
    np.subtract(X.T, reference.x_loc[:, None], out=U)
    U *= (1.0 / reference.x_scale)[:, None]
    np.subtract(Y.T, reference.y_loc[:, None], out=Yr)
    Yr *= (1.0 / reference.y_scale)[:, None]
    w = sample_weight
    if w is not None and not w.all():
        V[p:m, w == 0] = 0.0
    np.square(U, out=V[:p])
    shift = V[:p].mean(axis=1) if X.shape[0] else np.zeros(p)
    V[:p] -= shift[:, None]
    if mask is None:
        parts = [(V, w)]
    else:
        parts = [
            (V[:, rows_i], None if w is None else w[rows_i]) for rows_i in (~mask, mask)
        ]
    stats = []
    for Vi, wi in parts:
        M = _products(Vi, wi)
        if reach is not None and not _within_reach(np.diagonal(M), p, m, reach):
            raise _OutOfReach
        stats.append(_centered(M, Vi.shape[1], shift, reference))
    return stats[0] if mask is None else tuple(stats)


def _products(V, w):
    """``(V * w) @ V.T``, the weighted products of every pair of rows of V."""
    Vw = V if w is None else V * w
    rows = V.shape[0]
    if rows > 8:
        return Vw @ V.T
    # BLAS's matrix product is slow on a few long rows; pairwise dot products
    # are several times faster there.
    M = np.empty((rows, rows))
    for i in range(rows):
        for j in range(i, rows):
            M[i, j] = M[j, i] = np.dot(Vw[i], V[j])
    return M


def _wide(n_variables):
    """Whether rows of ``n_variables`` (2p + k) run in one lane of in-place
    products on BLAS's threads, in blocks of at least ``_WIDE_BLOCK_ROWS``."""
    return n_variables + 1 >= _WIDE_VARIABLES


def block_rows(n_variables):
    """Rows per block for ``n_variables`` variables (2p + k).

    A few variables take twice the bytes: their products cost a few numpy
    calls a variable, and on longer blocks fewer calls (measured on 1e6 rows
    of one feature: blocks of 65536 rows 7% faster than of 32768). Wide rows
    take at least ``_WIDE_BLOCK_ROWS``: each block's product reads and writes
    the whole of the sums, which must be small beside the block's arithmetic.
    """
    chunk = CHUNK_BYTES * (2 if n_variables <= _DOT_VARIABLES else 1)
    least = _WIDE_BLOCK_ROWS if _wide(n_variables) else 0
    return max(_MIN_BLOCK_ROWS, least, chunk // (8 * (n_variables + 1)))


def _square_shift(X, sample_weight, reference):
    """Mean of ``u**2`` over the rows that carry weight (0 if none does)."""
    if sample_weight is not None:
        X = X[sample_weight > 0]
    if X.shape[0] == 0:
        return np.zeros(X.shape[1])
    U = (X - reference.x_loc) / reference.x_scale
    return (U * U).mean(axis=0)


def _run_lanes(run, lanes):
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
    first.counts = [a + b for a, b in zip(first.counts, later.counts)]
    return first


def _available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _scratch(name, size):
    """A float64 buffer of ``size`` elements: the thread's own, if small.

    A pass uses each name for one buffer at a time, and a lane runs on one
    thread: no two users of a kept buffer ever overlap.
    """
    if 8 * size > _KEEP_BYTES:
        return np.empty(size)
    kept = getattr(_kept, name, None)
    if kept is None or kept.shape[0] < size:
        kept = np.empty(size)
        setattr(_kept, name, kept)
    return kept[:size]


class _BlockUnits:
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


class _Lane:
    """Summed products of a block's variables and ones, over some blocks.

    ``products[i]`` (one per part of a split) holds the sums in its upper
    triangle, ``counts[i]`` the number of rows; ``in_place`` tells a lane that
    runs alone, which may hold the GIL through its products. Subclasses fill
    one block's variables in the buffer and add its products.
    """

    def __init__(self, units, rows, n_parts, zero_weights, *, in_place):
        p, k = units.x_loc.shape[0], units.y_loc.shape[0]
        self.zero_weights = zero_weights
        self.in_place = in_place
        self.p, self.m = p, 2 * p + k
        self.scaled = not units.deferred
        self.x_loc = units.x_loc[:, None]
        self.x_factor = units.x_factor[:, None]
        self.y_loc = units.y_loc[:, None]
        self.y_factor = units.y_factor[:, None]
        self.shift = units.square_shift[:, None]
        self.products = [
            np.zeros((self.m + 1, self.m + 1), order="F") for _ in range(n_parts)
        ]
        self.counts = [0] * n_parts
        # A block's variables and a last row of ones (or of root weights).
        self.buffer = _scratch("block", (self.m + 1) * rows)
        self.fused = _fused_kernels()
        self.forming = units.forming()

    def _block(self, n):
        """The buffer as a contiguous (m + 1, n) array: BLAS reads it in place."""
        return self.buffer[: (self.m + 1) * n].reshape(self.m + 1, n)

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


class _GramKernel(_Lane):
    """One symmetric product per block.

    ``in_place``: BLAS's ``dsyrk`` adds the block's product to the sums'
    upper triangle (SciPy's wrapper holds the GIL meanwhile: for a lone lane).
    Otherwise numpy's ``V @ V.T`` (a symmetric product too, that lets the
    other lane run) is added to the sums.
    """

    def add(self, part, X, Y, w):
        n = X.shape[0]
        if n == 0:
            return
        m = self.m
        V = self._block(n)
        if self.fused is not None:
            self.fused.fill_block(
                X,
                Y,
                self.fused.empty_weights() if w is None else w,
                *self.forming,
                self.scaled,
                V,
            )
        else:
            self._fill(V, X, Y, w)
            if w is None:
                V[m] = 1.0
            else:
                # sqrt(w) on both sides of the product: sum w v v^T.
                root = np.sqrt(w, out=V[m])
                V[:m] *= root
        C = self.products[part]
        if self.in_place:
            # V.T is a Fortran-ordered (n, m + 1) matrix: C += V @ V.T, upper
            # triangle.
            dsyrk(1.0, V.T, beta=1.0, c=C, trans=1, overwrite_c=1)
        else:
            C += np.matmul(V, V.T)
        self.counts[part] += n


class _DotKernel(_Lane):
    """Matrix-vector products, for a few variables on long blocks."""

    def __init__(self, units, rows, n_parts, zero_weights, *, in_place):
        super().__init__(units, rows, n_parts, zero_weights, in_place=in_place)
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


class _NarrowKernel:
    """One feature and one target: every product summed in one compiled pass
    over x and y, with no block buffer (``_fused.narrow_products``).

    A lane as :class:`_Lane`'s are (``products``, ``counts``, ``add``); rows of
    weight 0 are left out by the kernel itself.
    """

    def __init__(self, units, rows, n_parts, zero_weights, *, in_place):
        self.zero_weights = zero_weights
        self.products = [np.zeros((4, 4), order="F") for _ in range(n_parts)]
        self.counts = [0] * n_parts
        self.fused = _fused_kernels()
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


def _symmetric(C):
    """The full matrix from its upper triangle."""
    upper = np.triu(C)
    return upper + np.triu(upper, 1).T


def _within_reach(diagonal, p, m, reach):
    """Whether every scaled value summed so far is within reach, from the diagonal.

    ``diagonal`` holds the sums of squares of ``[u**2 - shift, u, y_ref, ...]``:
    each at least the largest square summed, so at most ``reach**2`` for u and
    y_ref means no value exceeds ``reach``. NaN or infinity anywhere in a row's
    values makes its sum of squares non-finite (the terms are not negative and
    cannot cancel), so a finite diagonal also means finite products.
    """
    head = diagonal[:m]
    return bool(np.isfinite(head).all() and head[p:m].max() <= reach * reach)


def _centered(M, n, shift, reference):
    """Statistics from summed products ``M`` of ``[variables, 1]`` over n rows.

    The co-moment is that of the Gram, so is its factor: resolving no more
    than the Gram did (``gram_squares``); :func:`second_pass` reads the rows
    again where that is not enough.
    """
    m = M.shape[0] - 1
    weight = float(M[-1, -1])
    if weight == 0:
        return QuadraticStatistics(reference, 0.0, n, np.zeros(m), np.zeros((m, m)))
    sums = M[:m, -1]
    mean = sums / weight
    factor, _ = gram_factor(M[:m, :m] - np.outer(sums, mean))
    if shift is not None:
        mean[: shift.shape[0]] += shift
    # What the Gram's rounding is relative to: the sums of squares of v.
    squares = (factor**2).sum(axis=0) + weight * mean**2
    return QuadraticStatistics(reference, weight, n, mean, factor, squares)


# Rows of a block of the second pass: folding b rows into the factor (LAPACK's
# tpqrt) costs 2 b q**2 at BLAS-3 speed once b is a few times the block size
# of its reflections, and the block stays in cache. With many columns a block
# has at least _QR_BLOCK_COLUMNS times as many rows as columns.
_QR_BLOCK_BYTES = 1 << 21
_QR_BLOCK_COLUMNS = 2
# CholeskyQR2 keeps its second factor when the rows whitened by the first have
# at most this condition number: its rounding is then that of Householder QR
# times it (Yamamoto et al. 2015), a few digits of the sixteen at most.
_WHITENED_CONDITION = 1e3
# ... and tries it only when the condition number of the design's columns (of
# unit norm) is below this: beyond, the rows whitened by a factor from the Gram
# are no longer near orthogonal (their Gram's condition is about kappa**2 eps).
# A saving, not a safeguard: the test above would refuse such a factor, after
# a pass that this spares (no result changes without it).
_FIRST_CONDITION = 1e7


def second_pass(X, Y, sample_weight, first, *, mask=None, parallel=True):
    """The statistics of :func:`gather`, read again from the rows.

    The rows are ``sqrt(w) [1, v - mean]`` (``mean`` the first pass's), the
    constant column first: the trailing block of their factor is the factor
    of the rows centered on their exact mean, and its first row corrects the
    mean, so nothing is subtracted that could cancel.

    - **CholeskyQR2** where the first factor ``R_1`` is definite: the rows
      whitened by it, ``B R_1^-1``, have a Gram of condition near 1, whose
      Cholesky factor ``R_2`` is exact to rounding; ``R_2 R_1`` is the factor
      of the rows, as accurate as Householder QR's (Fukaya et al. 2014;
      Yamamoto et al. 2015) for the arithmetic of the first pass plus a
      triangular solve.
    - **Householder QR** otherwise (the first factor singular, or the whitened
      rows still far from orthogonal, ``cond(R_2) > 1e3``): each block is
      folded into the factor so far (:func:`~._triangular.append_rows`, the
      incremental QR of R's biglm and of TSQR). Always backward stable, about
      twice the arithmetic of the first pass.

    Parameters
    ----------
    X, Y, sample_weight : the data of the first pass
    first : QuadraticStatistics, or a pair of them when ``mask`` is given
        The first pass's statistics: their reference, mean and factor.
    mask : ndarray of bool or None
        As in :func:`accumulate`.
    parallel : bool, default=True
        As in :func:`accumulate`.

    Returns
    -------
    stats : QuadraticStatistics, or a pair of them when ``mask`` is given
    """
    if mask is None:
        return _second_pass(X, Y, sample_weight, first, parallel)
    parts = []
    for rows, stats in zip((~mask, mask), first):
        w = None if sample_weight is None else sample_weight[rows]
        parts.append(_second_pass(X[rows], Y[rows], w, stats, parallel))
    return tuple(parts)


def _second_pass(X, Y, sample_weight, first, parallel):
    if first.weight == 0:
        return first
    R = _cholesky_qr2(X, Y, sample_weight, first, parallel)
    if R is None:
        R = _householder(X, Y, sample_weight, first)
    mean = first.mean + R[0, 1:] / R[0, 0]
    return QuadraticStatistics(
        first.reference,
        float(first.weight),
        first.n_samples,
        mean,
        R[1:, 1:],
    )


def _centered_block(X, Y, sample_weight, first, block):
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


class _WhitenedLane:
    """Sums of ``w w^T`` over rows ``w = R_1^-T b`` (CholeskyQR2's second pass).

    ``b`` the rows of :func:`_centered_block`, whitened and summed a block at a
    time by BLAS; with one feature and one target and the compiled kernels,
    all in one pass (:func:`~._fused.narrow_whitened`).
    """

    def __init__(self, X, Y, sample_weight, first, R1):
        self.data = X, Y, sample_weight, first
        self.R1 = R1
        self.products = [np.zeros(R1.shape, order="F")]
        self.counts = [0]
        self.fused = _fused_kernels() if R1.shape[0] == 4 else None

    def add(self, rows):
        X, Y, w, first = self.data
        if self.fused is not None:
            ref = first.reference
            self.fused.narrow_whitened(
                X[rows, 0],
                Y[rows, 0],
                self.fused.empty_weights() if w is None else w[rows],
                *(float(a[0]) for a in (ref.x_loc, ref.x_scale, ref.y_loc)),
                float(ref.y_scale[0]),
                first.mean,
                self.R1,
                self.products[0],
            )
        else:
            B = _centered_block(X, Y, w, first, rows)
            # B.T is Fortran-ordered: whitened in place, (B R1^-1)^T = R1^-T
            # B^T, then its symmetric product added to the upper triangle.
            W = dtrsm(1.0, self.R1, B.T, side=0, lower=0, trans_a=1, overwrite_b=1)
            dsyrk(1.0, W, beta=1.0, c=self.products[0], trans=0, overwrite_c=1)
        self.counts[0] += rows.stop - rows.start


def _cholesky_qr2(X, Y, sample_weight, first, parallel):
    """The factor of the centered rows by CholeskyQR2, or None where it fails."""
    m = first.mean.shape[0]
    R1 = np.zeros((m + 1, m + 1), order="F")
    R1[0, 0] = np.sqrt(first.weight)
    R1[1:, 1:] = first.factor
    if not (np.all(np.isfinite(R1)) and np.all(np.diagonal(R1) > 0)):
        return None
    if first.design_condition() > _FIRST_CONDITION:
        return None
    rows = max(_MIN_BLOCK_ROWS, CHUNK_BYTES // (8 * (m + 1)))
    n = X.shape[0]
    starts = list(range(0, n, rows))

    def run(lane_starts, stop_event=None):
        lane = _WhitenedLane(X, Y, sample_weight, first, R1)
        for start in lane_starts:
            if stop_event is not None and stop_event.is_set():
                break
            lane.add(slice(start, min(start + rows, n)))
        return lane

    with np.errstate(over="ignore", invalid="ignore"):
        if parallel and len(starts) > 1 and n * (m + 2) ** 2 >= _PARALLEL_WORK:
            half = (len(starts) + 1) // 2
            G = _run_lanes(run, [starts[:half], starts[half:]]).products[0]
        else:
            with one_blas_thread():
                G = run(starts).products[0]
    return _second_factor(G, R1)


def _second_factor(G, R1):
    """``R_2 R_1`` from the upper triangle ``G`` of the whitened rows' Gram,
    or None where those rows are not near orthogonal."""
    G = np.triu(G) + np.triu(G, 1).T
    if not np.all(np.isfinite(G)):
        return None
    R2, failed = gram_factor(G)
    if failed or condition_estimate(R2) > _WHITENED_CONDITION:
        return None
    R = R2 @ R1
    signs = np.where(np.diagonal(R) < 0, -1.0, 1.0)
    return R * signs[:, None]


def _householder(X, Y, sample_weight, first):
    """The factor of the centered rows by Householder QR, a block at a time.

    BLAS on one thread meanwhile: on blocks this size, LAPACK's threads in
    ``tpqrt`` spin more than they work (a pass over 1e5 rows of 100 features
    took 0.6 to 1.6 s with them, 0.44 s without). Two lanes on two threads,
    merged at the end, measured no faster: the blocks are folded one by one.
    """
    m = first.mean.shape[0]
    rows = max(
        _MIN_BLOCK_ROWS, _QR_BLOCK_BYTES // (8 * (m + 1)), _QR_BLOCK_COLUMNS * (m + 1)
    )
    R = None
    with one_blas_thread():
        for start in range(0, X.shape[0], rows):
            B = _centered_block(X, Y, sample_weight, first, slice(start, start + rows))
            R = triangular_factor(B) if R is None else append_rows(R, B)
    return R
