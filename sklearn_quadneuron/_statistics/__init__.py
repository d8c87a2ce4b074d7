# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""What a fit gathers from its data for its solver: one pass, and the second.

The statistics are the triangular factor of the centered rows ``[u**2, u,
y_ref]`` in a standardized basis, with counts, means, and the reference
location and scale (``_moments``). One pass over in-memory data gathers them
(``_pass``, its blocks summed by the kernels of ``_kernels``); where that
pass's factor, formed from summed products, cannot resolve ``tol``, a second
pass reads the rows again (:func:`second_pass`): CholeskyQR2, or Householder
QR. Chunks of a stream and blocks of a Dask array merge exactly (a QR of their
stacked factors). Two engines: epochs on the statistics, or a pass over the
data per epoch, which needs only per-feature moments; :func:`choose_engine`
picks by memory, and :class:`FitStatistics` hands the result to the solve.
"""

from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

from .._linalg import (
    append_rows,
    condition_estimate,
    gram_factor,
    may_alias,
    one_blas_thread,
    triangular_factor,
)
from .._messages import Progress, counted
from .._validation import check_finite_input, check_positive_weight
from ._kernels import (
    FarRows,
    WhitenedLane,
    centered_block,
    fold_far_rows,
    run_lanes,
)
from ._moments import (
    Moments,
    NonFiniteError,
    Observations,
    OutOfReachError,
    QuadraticStatistics,
    Reference,
    loc_scale,
    location,
    merge_rebased,
    per_feature_map,
    reference_from,
)
from ._pass import (
    _DOT_VARIABLES,
    _REACH,
    MIN_BLOCK_ROWS,
    FeatureMoments,
    _OutOfReach,
    _wide,
    accumulate,
    accumulate_near,
    block_rows,
    chunk_rows,
    feature_moments,
    gather,
    parallel_pays,
    residual_pass,
)

# -- what a fit hands to the solver -------------------------------------------


@dataclass
class FitStatistics:
    """Everything a fit gathered from its data, for the engine it will run.

    Attributes
    ----------
    engine : {"statistics", "direct"}
        ``"statistics"``: ``train`` (and ``held_out``) are QuadraticStatistics
        and epochs run on them. ``"direct"``: ``train`` is FeatureMoments and
        every epoch reads ``data`` again.
    train : QuadraticStatistics or FeatureMoments
    y_ndim : int
        Dimension of the targets as given (1: one target, as a vector).
    held_out : QuadraticStatistics or None
        Statistics of the early-stopping split (statistics engine).
    mask : ndarray of bool or None
        Held-out rows of the early-stopping split (direct engine).
    data : object or None
        The validated in-memory data (``X``, ``y``, ``Y``, ``sample_weight``),
        for the direct engine's passes and for callbacks; None for Dask input.
    observations : Observations or None
        The training rows' count and log-weights, for inference (``_summary``).
    """

    engine: str
    train: object
    y_ndim: int
    held_out: QuadraticStatistics | None = None
    mask: np.ndarray | None = None
    data: object = None
    observations: object = None
    dtype: object = np.float64


#: Memory the statistics engine may use for its matrices, in bytes. A fixed
#: amount, not a share of the machine's memory: "auto" then picks the same
#: engine, and the fit does the same arithmetic, on every machine.
STATISTICS_MEMORY = 1 << 29
# The Gram of the expanded features, (2p + k + 1)**2 float64 numbers, is held
# about this many times over at the peak of a fit: a partial sum per lane and
# the symmetric sum while it is gathered, then the moments in the descent
# basis, the Hessian, its eigenvectors and the eigensolver's workspace
# (measured: 7 to 9 times, by tracemalloc, from 200 to 1200 columns).
_GRAM_COPIES = 8


def statistics_memory(n_features, n_targets):
    """Bytes the statistics engine needs for ``n_features`` and ``n_targets``."""
    columns = 2 * n_features + n_targets + 1
    return _GRAM_COPIES * 8 * columns * columns


def choose_engine(precompute, n_samples, n_features, n_targets):
    """``"statistics"`` (``precompute`` True) or ``"direct"`` (False), or the
    rule of "auto".

    "auto" takes the statistics engine whenever its matrices fit in
    ``STATISTICS_MEMORY`` (512 MiB: up to 1447 features with one target) and
    there are at least as many samples as parameters (``2p + 1``); the direct
    engine otherwise. With fewer samples than parameters, the Gram is larger
    than the expanded data and has not even full rank: reading the data every
    epoch is the cheaper way. The number of epochs plays no part: once the
    statistics are gathered, epochs cost nothing.
    """
    if precompute != "auto":
        return "statistics" if precompute else "direct"
    fits = statistics_memory(n_features, n_targets) <= STATISTICS_MEMORY
    enough = n_samples >= 2 * n_features + 1
    return "statistics" if fits and enough else "direct"


def gather_fit_statistics(data, precompute, name, tol=None, verbose=0):
    """One pass over validated in-memory data, gathering what the engine needs.

    Parameters
    ----------
    data : FitInput
        Validated data, with the held-out rows of an early-stopping split.
    precompute : "auto" or bool
        The estimator's choice of engine (see :func:`choose_engine`).
    name : str
        The estimator's name, for scikit-learn's messages about NaN.
    tol : float or None, default=None
        The fit's ``tol``: where the one-pass statistics cannot resolve it
        (:func:`needs_second_pass`), a second pass reads the rows again.
    verbose : int, default=0
        Whether to say what is read and gathered.

    Returns
    -------
    statistics : FitStatistics
    """
    X, Y, w, mask = data.X, data.Y, data.sample_weight, data.mask
    progress = Progress(verbose)
    progress.begin(
        "Reading the data once: "
        f"{counted(X.shape[0], 'sample')}, {counted(X.shape[1], 'feature')}"
    )
    engine = choose_engine(precompute, *X.shape, Y.shape[1])
    if engine == "direct":
        # The direct engine's pass does not look for NaN on its way.
        check_finite_input(name, data)
        reference = reference_from(X, Y, w)
        train, held_out = feature_moments(X, Y, w, reference, mask), None
    else:
        try:
            if mask is None:
                train, held_out = gather(X, Y, w), None
            else:
                train, held_out = gather(X, Y, w, mask=mask)
        except NonFiniteError:
            check_finite_input(name, data)
            raise
        if mask is None:
            train = resolved(train, X, Y, w, tol)
        else:
            train, held_out = resolved((train, held_out), X, Y, w, tol, mask=mask)
    check_positive_weight(train.weight)
    if engine == "statistics":
        progress.end("Gathered the statistics every epoch runs on")
    else:
        progress.end("Gathered the moments of each feature; epochs read the data")
    return FitStatistics(
        engine,
        train,
        data.y.ndim,
        held_out=held_out,
        mask=mask if engine == "direct" else None,
        data=data,
        observations=Observations.of(w, X.shape[0], mask),
        dtype=X.dtype,
    )


def gather_more(previous, tally, data, tol=None):
    """Statistics of the data seen so far and one more chunk of it.

    The reference is frozen at the first chunk (``previous``'s), so that the
    merge is exact; without previous statistics the chunk starts a stream.
    A chunk whose one-pass statistics cannot resolve ``tol`` is read again
    (:func:`resolved`) before the merge: a stream cannot read its chunks
    twice, but each chunk is in memory while it is merged, and the merge of
    two factors is a QR of their stacked rows, as accurate as its parts.

    Parameters
    ----------
    previous : QuadraticStatistics or None
    tally : Observations or None
        The observations counted in ``previous``.
    data : FitInput
        The validated chunk.
    tol : float or None, default=None
        The fit's ``tol`` (see :func:`needs_second_pass`).

    Returns
    -------
    statistics : FitStatistics
    """
    X, Y, w = data.X, data.Y, data.sample_weight
    if previous is None:
        seen = resolved(gather(X, Y, w), X, Y, w, tol)
    else:
        chunk = accumulate_near(X, Y, w, previous.reference)
        seen = previous.merge(resolved(chunk, X, Y, w, tol))
    check_positive_weight(seen.weight)
    chunk_tally = Observations.of(w, X.shape[0], None)
    if previous is not None:
        chunk_tally = chunk_tally.merge(tally)
    return FitStatistics(
        "statistics",
        seen,
        data.y.ndim,
        data=data,
        observations=chunk_tally,
        dtype=X.dtype,
    )


#: Without ``tol`` (fixed epochs), the one-pass statistics must resolve this.
DEFAULT_RESOLUTION = 1e-6
# The one-pass statistics are kept while what their rounding may hide is below
# this share of what tol asks for: the certificate then has room to spare.
_SHARE_OF_TOL = 0.1


def resolved(stats, X, Y, sample_weight, tol, *, mask=None, parallel=True):
    """Statistics of these rows that resolve ``tol``: ``stats`` or a second pass.

    ``stats`` are the rows' one-pass statistics (a training / held-out pair
    with ``mask``, as :func:`~._pass.accumulate` returns them); where
    :func:`needs_second_pass` finds the training part cannot resolve ``tol``,
    the rows are read again (:func:`second_pass`, on two
    threads unless ``parallel`` is False).
    """
    train = stats if mask is None else stats[0]
    if not needs_second_pass(train, tol):
        return stats
    return second_pass(
        X, Y, sample_weight, stats, mask=mask, parallel=parallel, tol=tol
    )


def needs_second_pass(stats, tol):
    """Whether statistics from the Gram cannot resolve what ``tol`` asks.

    The factor from one pass is the Gram's: rounding may hide an excess over
    the minimum of ``(c eps kappa ||A|| ||theta||)**2``
    (:func:`~.._linalg.fit_rounding`), ``kappa`` the condition number of
    the design with unit-norm columns. Where that exceeds a tenth of ``tol``
    times the minimum (or of what float64 resolves of an exact fit, for a
    minimum of zero), or the Gram is singular, the rows are read again
    (:func:`second_pass`). So they are where a term may be
    aliased (:func:`~.._linalg.may_alias`): what is left of a column near
    ``ALIAS_TOLERANCE`` of its norm is below what the Gram resolves, and the
    rank decision reads the factor of the rows.
    """
    if not stats.from_gram or stats.weight == 0:
        return False
    if may_alias(stats.design_condition()):
        return True
    floor, allowance, _ = stats.rounding()
    rho2 = stats.residual_squares() / stats.weight
    need = np.maximum((tol or DEFAULT_RESOLUTION) * rho2, allowance)
    return bool((floor > _SHARE_OF_TOL * need).any())


@dataclass(frozen=True)
class Extent:
    """Weighted mean and range of X and Y over the rows that carry weight.

    What a reference common to several sets of rows needs: their union's
    extent gives the reference :func:`reference_from` would take on the
    union (the weighted mean clipped to the range, and the largest deviation).
    """

    weight: float
    x_mean: np.ndarray
    x_lo: np.ndarray
    x_hi: np.ndarray
    y_mean: np.ndarray
    y_lo: np.ndarray
    y_hi: np.ndarray

    @classmethod
    def of(cls, X, Y, sample_weight=None):
        """The extent of some rows (no rows, or all of weight 0: an empty one)."""
        weight = float(X.shape[0] if sample_weight is None else sample_weight.sum())
        if weight == 0:
            return cls.empty(X.shape[1], Y.shape[1])
        x_mean, x_lo, x_hi = location(X, sample_weight)
        y_mean, y_lo, y_hi = location(Y, sample_weight)
        return cls(weight, x_mean, x_lo, x_hi, y_mean, y_lo, y_hi)

    @classmethod
    def empty(cls, n_features, n_targets):
        p, k = n_features, n_targets
        return cls(
            0.0,
            np.zeros(p),
            np.full(p, np.inf),
            np.full(p, -np.inf),
            np.zeros(k),
            np.full(k, np.inf),
            np.full(k, -np.inf),
        )

    def union(self, other):
        """The extent of the rows of both."""
        if other.weight == 0:
            return self
        if self.weight == 0:
            return other
        weight = self.weight + other.weight
        # Convex combinations: they cannot overflow, whatever the values.
        share, other_share = self.weight / weight, other.weight / weight
        return Extent(
            weight,
            self.x_mean * share + other.x_mean * other_share,
            np.minimum(self.x_lo, other.x_lo),
            np.maximum(self.x_hi, other.x_hi),
            self.y_mean * share + other.y_mean * other_share,
            np.minimum(self.y_lo, other.y_lo),
            np.maximum(self.y_hi, other.y_hi),
        )

    def reference(self):
        """The reference of these rows (None if they carry no weight)."""
        if self.weight == 0:
            return None
        return Reference(
            *loc_scale(self.x_mean, self.x_lo, self.x_hi),
            *loc_scale(self.y_mean, self.y_lo, self.y_hi),
        )


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


def second_pass(X, Y, sample_weight, first, *, mask=None, parallel=True, tol=None):
    """The statistics of :func:`gather`, read again from the rows.

    The rows are ``sqrt(w) [1, v - mean]`` (``mean`` the first pass's), the
    constant column first: the trailing block of their factor is the factor
    of the rows centered on their exact mean, and its first row corrects the
    mean, so nothing is subtracted that could cancel.

    - **Far rows apart** where some feature's kurtosis (first pass) is above
      64: rows more than 16 standard deviations out in a feature or target
      are folded in by Householder QR, the rest summed in a Gram about a
      reference of their own (at the first pass's speed). Kept where it
      resolves ``tol`` or its rounding is within 4 times Householder QR's.
    - **CholeskyQR2** where the first factor ``R_1`` is definite: the rows
      whitened by it, ``B R_1^-1``, have a Gram of condition near 1, whose
      Cholesky factor ``R_2`` is exact to rounding; ``R_2 R_1`` is the factor
      of the rows, as accurate as Householder QR's (Fukaya et al. 2014;
      Yamamoto et al. 2015).
    - **Householder QR** otherwise (the first factor singular, or the whitened
      rows still far from orthogonal, ``cond(R_2) > 1e3``): each block is
      folded into the factor so far (:func:`~.._linalg.append_rows`, as
      R's biglm and TSQR do). Always backward stable.

    Parameters
    ----------
    X, Y, sample_weight : the data of the first pass
    first : QuadraticStatistics, or a pair of them when ``mask`` is given
        The first pass's statistics: their reference, mean and factor.
    mask : ndarray of bool or None
        As in :func:`accumulate`.
    parallel : bool, default=True
        As in :func:`accumulate`.
    tol : float or None, default=None
        The fit's ``tol`` (see :func:`needs_second_pass`).

    Returns
    -------
    stats : QuadraticStatistics, or a pair of them when ``mask`` is given
    """
    if mask is None:
        return _second_pass(X, Y, sample_weight, first, parallel, tol)
    parts = []
    for rows, stats in zip((~mask, mask), first):
        w = None if sample_weight is None else sample_weight[rows]
        parts.append(_second_pass(X[rows], Y[rows], w, stats, parallel, tol))
    return tuple(parts)


def _second_pass(X, Y, sample_weight, first, parallel, tol):
    if first.weight == 0:
        return first
    if _far_tailed(first, X.shape[0]):
        # BLAS's threads for wide rows' products alone: elsewhere they spin.
        wide = _wide(first.mean.shape[0])
        with nullcontext() if wide else one_blas_thread():
            stats = _far_apart(X, Y, sample_weight, first, parallel)
        with one_blas_thread():
            if stats is not None and _as_good_as_rows(stats, tol):
                return stats
    R = _cholesky_qr2(X, Y, sample_weight, first, parallel)
    if R is None:
        R = _householder(X, Y, sample_weight, first)
    mean = first.mean + R[0, 1:] / R[0, 0]
    weight, n_samples = float(first.weight), first.n_samples
    return QuadraticStatistics(first.reference, weight, n_samples, mean, R[1:, 1:])


# Far rows: more than this many standard deviations (the first pass's) from the
# mean (at most 1/256 of the weight: Chebyshev), read apart where some feature's
# kurtosis tops _FAR_KURTOSIS (a row z deviations out among n adds z**4 / n).
_FAR_SPREADS = 16.0
_FAR_KURTOSIS = 64.0
# ... kept where the excess its rounding may hide is at most this many times
# (4 times the error) what it would be from the rows alone.
_ROWS_SHARE = 16.0


def _far_tailed(first, n_rows):
    """Whether some feature has rows far out (a pass of many blocks)."""
    m = first.mean.shape[0]
    if m <= _DOT_VARIABLES or n_rows <= block_rows(m):
        return False
    return bool(np.any(FarRows.kurtosis(first) > _FAR_KURTOSIS))


def _far_apart(X, Y, sample_weight, first, parallel):
    """The statistics of the rows, the far ones read apart (None if out of reach)."""
    m, ref, w = first.mean.shape[0], first.reference, sample_weight
    far = FarRows.of(first, _FAR_SPREADS)
    head = slice(0, chunk_rows(m + 1))
    near = far.near_weights(X[head], Y[head], None if w is None else w[head]) > 0
    if not near.any():
        return None
    near_ref = reference_from(X[head][near], Y[head][near], None)
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            stats = accumulate(
                X, Y, w, near_ref, reach=_REACH, parallel=parallel, far=far
            )
    except _OutOfReach:
        return None
    with one_blas_thread():
        return fold_far_rows(stats.rebased(ref), far.rows, w is not None, first)


def _as_good_as_rows(stats, tol):
    """Whether a factor partly from a Gram resolves ``tol``, or nearly as the rows."""
    floor = stats.rounding()[0]
    rows = stats._with(gram_squares=None, rows_too=False).rounding()[0]
    if np.all(np.isfinite(floor)) and np.all(floor <= _ROWS_SHARE * rows):
        return True
    return not needs_second_pass(stats, tol)


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
    rows = chunk_rows(m + 1)
    n = X.shape[0]
    starts = list(range(0, n, rows))

    def run(lane_starts, stop_event=None):
        lane = WhitenedLane(X, Y, sample_weight, first, R1)
        for start in lane_starts:
            if stop_event is not None and stop_event.is_set():
                break
            lane.add(slice(start, min(start + rows, n)))
        return lane

    with np.errstate(over="ignore", invalid="ignore"):
        if parallel and len(starts) > 1 and parallel_pays(n, m):
            half = (len(starts) + 1) // 2
            G = run_lanes(run, [starts[:half], starts[half:]]).products[0]
        else:
            with one_blas_thread():
                G = run(starts).products[0]
    return _second_factor(G, R1)


def _second_factor(G, R1):
    """``R_2 R_1`` from the upper triangle ``G`` of the whitened rows' Gram,
    or None where those rows are not near orthogonal."""
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
        MIN_BLOCK_ROWS, _QR_BLOCK_BYTES // (8 * (m + 1)), _QR_BLOCK_COLUMNS * (m + 1)
    )
    R = None
    with one_blas_thread():
        for start in range(0, X.shape[0], rows):
            B = centered_block(X, Y, sample_weight, first, slice(start, start + rows))
            R = triangular_factor(B) if R is None else append_rows(R, B)
    return R


__all__ = [
    "DEFAULT_RESOLUTION",
    "STATISTICS_MEMORY",
    "Extent",
    "FeatureMoments",
    "FitStatistics",
    "Moments",
    "NonFiniteError",
    "Observations",
    "OutOfReachError",
    "QuadraticStatistics",
    "Reference",
    "accumulate",
    "accumulate_near",
    "choose_engine",
    "feature_moments",
    "gather",
    "gather_fit_statistics",
    "gather_more",
    "merge_rebased",
    "needs_second_pass",
    "per_feature_map",
    "reference_from",
    "residual_pass",
    "resolved",
    "second_pass",
    "statistics_memory",
]
