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
kernels (``_compiled``): in one trip through each row instead of one per
elementwise step, and for one feature and one target without any buffer.
"""

import math
from dataclasses import dataclass

import numpy as np

from .._linalg import condition_estimate, gram_factor, one_blas_thread
from ._kernels import (
    BlockUnits,
    DotKernel,
    GramKernel,
    NarrowKernel,
    compiled_for,
    run_lanes,
)
from ._moments import (
    NonFiniteError,
    OutOfReachError,
    QuadraticStatistics,
    Reference,
    merge_means,
    reference_from,
)

# A block of rows is the unit of work of the pass: its expanded features
# [u**2, u, y_ref, 1] are formed in a buffer of about this size (at least
# MIN_BLOCK_ROWS rows, so that a symmetric product over the block runs at BLAS
# speed however wide the rows), and one symmetric product adds them to the sums.
CHUNK_BYTES = 1 << 20
MIN_BLOCK_ROWS = 256
# From this many variables and ones (2p + k + 1), one lane: each block's product
# updates the sums in place (BLAS ``dsyrk``, on BLAS's threads), in blocks of at
# least _WIDE_BLOCK_ROWS rows; narrower rows run in two lanes. Measured on 2
# cores, 1000 features and 20,000 rows: one lane 1.43 s, two lanes 3.4 s; 100
# features: 150 ms and 125 ms.
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
# With a reference taken from the first chunk, scaled values must stay within
# this reach: fourth powers summed over 1e12 samples then stay below 1e252.
_REACH = 1e60
# From this many variables, statistics keep their Gram for the basis's map, at
# half the QR's time from there (2001 variables: 71 ms against 151 ms).
_GRAM_KEPT_FROM = 500
# A chunk of per-feature work: numpy at full speed on thousands of columns.
FEATURE_CHUNK_BYTES = 1 << 24
# The data passed to summary() is the training data when its weighted sum of
# squared residuals agrees with the fit's to this share (plus this share of the
# targets' variance, for fits that are nearly exact).
_SAME_DATA = 1e-6


class _OutOfReach(Exception):
    """A chunk lies too far from the reference for its powers to be summed."""


def chunk_rows(n_columns):
    """Rows of a first chunk of ``n_columns`` float64 columns, for a reference."""
    return max(MIN_BLOCK_ROWS, CHUNK_BYTES // (8 * max(n_columns, 1)))


def parallel_pays(n_samples, n_variables):
    """Whether a pass over ``n_samples`` rows of ``n_variables`` (2p + k) is
    long enough to pay for a second lane on a second thread."""
    return n_samples * (n_variables + 2) ** 2 >= _PARALLEL_WORK


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
        # No row of the first chunk carries weight: the reference comes from
        # the first rows that do. Taken from rows that count for nothing, it
        # may lie far from every row that counts, whose powers then cancel in
        # the sums (a fit 46% above its minimum, certified).
        carry = np.flatnonzero(sample_weight > 0)[:rows]
        if carry.size:
            reference = reference_from(X[carry], Y[carry], None)
        else:
            reference = reference_from(X[:rows], Y[:rows], None)
    else:
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


def accumulate_near(X, Y, sample_weight, reference, **options):
    """:func:`accumulate` on a reference taken from other (earlier) rows.

    Values far from those rows may overflow once scaled and powered; the reach
    check of :func:`accumulate` sees the resulting infinity (or NaN), and this
    raises :class:`OutOfReachError` instead of letting a RuntimeWarning out.
    """
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            return accumulate(X, Y, sample_weight, reference, reach=_REACH, **options)
    except _OutOfReach:
        raise OutOfReachError(
            f"These values lie more than 1e{math.log10(_REACH):.0f} times the spread "
            "of the first "
            "chunk away from it: their powers cannot be accumulated on its "
            "reference. Start with a representative first chunk (shuffle the "
            "stream), or rescale the data."
        ) from None


def accumulate(
    X, Y, sample_weight, reference, *, mask=None, reach=None, parallel=True, far=None,
    extent=False,
):  # fmt: skip
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
    far : FarRows or None
        When given, the rows it finds are left out of the sums and kept in its
        ``rows`` (a pass of more than one block, of more than five variables).
    extent : bool, default=False
        Whether to return too the minimum, maximum and sum (rows) of each
        column of X then Y, taken by the compiled kernel as it forms the blocks
        (None where it does not: one block, one feature and target, weights).

    Returns
    -------
    stats : QuadraticStatistics, or a pair of them when ``mask`` is given
    extent : ndarray of shape (3, p + k) or None, with ``extent=True``

    Notes
    -----
    The rows are cut into blocks of :func:`block_rows` rows, always the same for
    the same shape of data. A long pass splits the blocks into two lanes, the
    first half and the second, each summed in order on its own thread (BLAS
    without the GIL, one thread a lane), and adds the lanes' sums: the result
    does not depend on which thread runs first or faster, nor on the cores.
    """
    n_samples, p = X.shape
    k = Y.shape[1]
    m = 2 * p + k
    rows = block_rows(m)
    if n_samples <= rows:
        stats = _one_block(X, Y, sample_weight, reference, mask, reach)
        return (stats, None) if extent else stats
    # u**2, shifted by its mean over the first rows (u is centered already): the
    # products do not cancel (a two-valued feature's u**2 is then exactly 0).
    head = None if sample_weight is None else sample_weight[:rows]
    if far is not None:  # far rows would shift the squares far from the rest
        head = far.near_weights(X[:rows], Y[:rows], head)
    units = BlockUnits(reference, _square_shift(X[:rows], head, reference))
    reach_units = units.unit**2
    starts = list(range(0, n_samples, rows))
    # Rows of weight 0 are looked for in each block only if there are any.
    zero_weights = sample_weight is not None and not sample_weight.all()
    n_parts = 1 if mask is None else 2
    kernel, n_lanes, options = _kernel_and_lanes(n_samples, p, k, len(starts), parallel)
    options["extent"] = extent and sample_weight is None  # (weighted: not summed)

    def run(lane_starts, stop_event=None):
        lane = kernel(units, rows, n_parts, zero_weights, far=far, **options)
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
        half = (len(starts) + 1) // 2
        totals = run_lanes(run, [starts[:half], starts[half:]])
    elif (_wide(m) and parallel) or not (
        len(starts) > 1 or (kernel is DotKernel and n_samples * m >= _BLAS_THREADS_FROM)
    ):
        # Products of hundreds of columns keep BLAS's threads busy; short
        # passes do not wake them.
        totals = run(starts)
    else:
        # OpenBLAS would thread the products of long blocks: on a busy machine
        # its threads wait for each other far longer than the product takes.
        with one_blas_thread():
            totals = run(starts)
    if far is not None:
        far.rows = totals.far_rows
    parts = []
    for C, n in zip(totals.products, totals.counts):  # scaled in place
        C *= units.unit
        C *= units.unit[:, None]
        parts.append(_centered(C, n, units.shift, reference))
    stats = parts[0] if mask is None else tuple(parts)
    return (stats, totals.extent if totals.extent.size else None) if extent else stats


def _kernel_and_lanes(n_samples, p, k, n_blocks, parallel):
    """The lane class a pass runs, on how many lanes (1 or 2), and its options:
    the compiled kernels it may use (or None)."""
    m = 2 * p + k
    kernel = DotKernel if m <= _DOT_VARIABLES else GramKernel
    fused = compiled_for(n_samples * m)
    if fused is not None and kernel is DotKernel and (p, k) == (1, 1):
        kernel = NarrowKernel
    # Only symmetric products run in two lanes: they are bound by arithmetic,
    # which a second core adds. The matrix-vector products of a few variables
    # are bound by the memory both cores share: on two lanes, 1e6 rows of one
    # feature took 15% longer than on one (interleaved runs, busy machine).
    long = n_blocks > 1 and parallel_pays(n_samples, m)
    two = parallel and long and kernel is GramKernel and not _wide(m)
    return kernel, 2 if two else 1, {"fused": fused}


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
        if reach is not None and not _within_reach(M.diagonal(), p, m, reach):
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
    return max(MIN_BLOCK_ROWS, least, chunk // (8 * (n_variables + 1)))


def _square_shift(X, sample_weight, reference):
    """Mean of ``u**2`` over the rows that carry weight (0 if none does)."""
    if sample_weight is not None:
        X = X[sample_weight > 0]
    if X.shape[0] == 0:
        return np.zeros(X.shape[1])
    U = (X - reference.x_loc) / reference.x_scale
    return (U * U).mean(axis=0)


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
    """Statistics from summed products ``M`` of ``[variables, 1]`` over n rows
    (their upper triangle: the lower one is not read).

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
    gram = M[:m, :m] - np.outer(sums, mean)
    factor, failed = gram_factor(gram)
    if shift is not None:
        mean[: shift.shape[0]] += shift
    # What the Gram's rounding is relative to: the sums of squares of v.
    squares = np.maximum(gram.diagonal(), 0.0) + weight * mean**2
    kept = None if failed or m < _GRAM_KEPT_FROM else gram
    return QuadraticStatistics(reference, weight, n, mean, factor, squares, gram=kept)


@dataclass
class FeatureMoments:
    """Per-feature moments of ``u = (x - x_loc) / x_scale``, ``u**2`` and ``y_ref``.

    What the standardized basis needs, without the ``(2p + k)**2`` products of
    :class:`QuadraticStatistics`. Sums of squared deviations are kept centered
    and merged with Chan's update.

    Attributes
    ----------
    reference : Reference
    weight : float
    n_samples : int
    mean : ndarray of shape (2 * p + k,)
        Weighted means of ``[u**2 (p), u (p), y_ref (k)]``.
    squares : ndarray of shape (2 * p + k,)
        ``sum w (v - mean)**2``, same layout.
    cross : ndarray of shape (p,)
        ``sum w (u**2 - mean)(u - mean)``, per feature.
    """

    reference: Reference
    weight: float
    n_samples: int
    mean: np.ndarray
    squares: np.ndarray
    cross: np.ndarray

    @property
    def n_features(self):
        return self.cross.shape[0]

    @property
    def n_targets(self):
        return self.mean.shape[0] - 2 * self.n_features

    def merge(self, other):
        """Moments of the union of the two sets of samples."""
        if other.weight == 0:
            return self
        if self.weight == 0:
            return other
        p = self.n_features
        weight, mean, delta, factor = merge_means(
            self.weight, self.mean, other.weight, other.mean
        )
        squares = self.squares + other.squares + delta**2 * factor
        cross = self.cross + other.cross + delta[:p] * delta[p : 2 * p] * factor
        n = self.n_samples + other.n_samples
        return FeatureMoments(self.reference, weight, n, mean, squares, cross)

    def design_condition(self):
        """Estimated condition number of the design's columns that vary."""
        R = self._design_factor()[0]
        return condition_estimate(R)

    def target_variances(self):
        """Weighted variance of each target, in ``y_ref`` units."""
        return self.squares[2 * self.n_features :] / self.weight


def feature_moments(X, Y, sample_weight, reference, mask=None):
    """Per-feature moments of the rows where ``mask`` is False (all rows if None)."""
    n, p = X.shape
    k = Y.shape[1]
    rows = max(256, FEATURE_CHUNK_BYTES // (8 * (2 * p + k)))
    total = FeatureMoments(
        reference, 0.0, 0, np.zeros(2 * p + k), np.zeros(2 * p + k), np.zeros(p)
    )
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        keep = np.ones(stop - start, bool) if mask is None else ~mask[start:stop]
        if sample_weight is not None:
            # Rows of weight 0 change nothing, however far they lie.
            keep &= sample_weight[start:stop] > 0
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
        squares, cross = (Vw * V).sum(axis=0), (Vw[:, :p] * V[:, p : 2 * p]).sum(0)
        chunk = FeatureMoments(reference, weight, V.shape[0], mean, squares, cross)
        total = total.merge(chunk)
    return total


def residual_pass(fit, chunks):
    """Robust covariances and residual diagnostics of a fit, in one pass.

    ``fit`` is a least-squares fit (``_summary.LeastSquares``: its
    ``standardized`` design, ``residuals``, ``inverse``, ...); ``chunks``
    yields ``(X, Y, w)`` of the training data in row order (``w`` None for
    unit weights). Rows of weight 0 take no part, as in the fit.

    Returns
    -------
    passed : dict
        ``"cov"``: ``{cov_type: ndarray (n_targets, q, q)}`` of the robust
        covariances, standardized units; ``"sums"``: the count and the power
        sums 1 to 4 of the whitened residuals (shifted by their first chunk's
        mean), per target; ``"durbin_watson"``: their Durbin-Watson statistic.

    Raises
    ------
    ValueError
        The data is not the data the model was fitted on.
    """
    q, k = fit.inverse.shape[0], fit.theta.shape[1]
    meats = np.zeros((3, k, q, q))  # HC0, HC2, HC3
    count, total, ssr = 0, 0.0, np.zeros(k)
    sums, shift, last, dw = np.zeros((5, k)), None, None, np.zeros(k)
    for X, Y, w in chunks:
        if w is not None:
            keep = w > 0
            X, Y, w = X[keep], Y[keep], w[keep]
        w = np.ones(X.shape[0]) if w is None else w
        Z = fit.standardized(X)
        r = fit.residuals(X, Y)
        leverage = w * np.einsum("ij,jk,ik->i", Z, fit.inverse, Z) / fit.weight
        for i, power in enumerate((0, 1, 2)):
            scaled = (w[:, None] * r) ** 2 / (1.0 - leverage[:, None]) ** power
            meats[i] += np.einsum("it,ij,il->tjl", scaled, Z, Z)
        count, total = count + X.shape[0], total + w.sum()
        ssr += (w[:, None] * r * r).sum(axis=0)
        # The whitened residuals in y's units, statsmodels' wresid.
        e = np.sqrt(w)[:, None] * r * fit.y_scale
        if shift is None and e.shape[0]:
            shift = e.mean(axis=0)
        if e.shape[0]:
            d = e - shift
            sums += [np.ones_like(d).sum(0), *((d**j).sum(0) for j in (1, 2, 3, 4))]
            joined = e if last is None else np.vstack([last, e])
            dw += (np.diff(joined, axis=0) ** 2).sum(axis=0)
            last = e[-1:]
    _check_same_data(fit, count, total, ssr)
    bread = fit.inverse / fit.weight
    robust = bread[None] @ meats @ bread[None]
    hc = {"HC0": robust[0], "HC2": robust[1], "HC3": robust[2]}
    hc["HC1"] = robust[0] * fit.nobs / fit.df_resid
    raw_squares = sums[2] + 2 * shift * sums[1] + count * shift**2
    return {"cov": hc, "sums": sums, "durbin_watson": dw / raw_squares}


def _check_same_data(fit, count, total, ssr):
    expected = fit.mse * fit.weight
    slack = _SAME_DATA * (expected + fit.variances * fit.weight)
    same = (
        count == fit.nobs
        and abs(total - fit.weight) <= 1e-9 * fit.weight
        and np.all(np.abs(ssr - expected) <= slack)
    )
    if not same:
        raise ValueError(
            "The data passed to summary() is not the data the model was fitted "
            f"on: {count} rows of positive weight (the fit had {fit.nobs}), total "
            f"weight {total:.6g} ({fit.weight:.6g}), weighted sum of squared "
            "residuals off by "
            f"{float(np.max(np.abs(ssr - expected) / np.maximum(slack, 1e-300))):.3g}"
            " times what rounding allows. Pass the X, y and sample_weight given "
            "to fit (all the chunks of partial_fit, in order)."
        )
