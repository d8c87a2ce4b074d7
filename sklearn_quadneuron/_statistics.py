# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Sufficient statistics of the quadratic model, gathered in one chunked pass.

Every epoch of full-batch gradient descent on ``y_hat = phi(x) . theta`` needs only
the weighted first and second moments of ``v = [u**2, u, y]``. They are accumulated
here, chunk by chunk, on features that were shifted and scaled by a reference
location and scale *before* squaring, so that no raw power sum of a large offset is
ever formed, and returned *centered*. Statistics merge exactly (Chan's pairwise
update): those of two chunks combine into those of their union, which is what
``partial_fit`` and the Dask reduction build on.
"""

import math
from dataclasses import dataclass

import numpy as np

from ._validation import check_finite_input, check_positive_weight

# Rows per chunk are chosen so that one chunk's working buffer is about this size:
# small enough to stay in the L2 cache, large enough to amortise numpy's per-call
# overhead.
CHUNK_BYTES = 1 << 20
# Up to this many rows (variables and the row of ones), moments are formed by
# pairwise dot products rather than one matrix product.
_DOT_ROWS = 8
# With a reference taken from the first chunk, scaled values must stay within
# this reach: fourth powers summed over 1e12 samples then stay below 1e252.
_REACH = 1e60


class _OutOfReach(Exception):
    """A chunk lies too far from the reference for its powers to be summed."""


class OutOfReachError(ValueError):
    """Data too far from the reference of the statistics it should join."""


class NonFiniteError(ValueError):
    """The data holds NaN or infinity (found while gathering, not before)."""


@dataclass(frozen=True)
class Reference:
    """Location and scale applied to X and y before accumulation.

    Any location inside the data's range keeps the accumulation exact to a few
    ulps; the scale bounds ``|u| <= 1`` so squares can never overflow.
    """

    x_loc: np.ndarray
    x_scale: np.ndarray
    y_loc: np.ndarray
    y_scale: np.ndarray


def location(A, sample_weight):
    """Weighted mean (overflow-safe), minimum and maximum of each column.

    Rows of weight 0 take no part: they change nothing in a fit, however far
    they lie. (All weights 0: the plain mean and range.)
    """
    if sample_weight is not None:
        carry = sample_weight > 0
        if not carry.any():
            sample_weight = None
        elif not carry.all():
            A, sample_weight = A[carry], sample_weight[carry]
    lo = A.min(axis=0).astype(np.float64)
    hi = A.max(axis=0).astype(np.float64)
    # Half-range and mid-range written so that neither can overflow.
    half = hi / 2 - lo / 2
    mid = lo / 2 + hi / 2
    half_safe = np.where(half > 0, half, 1.0)
    if np.all(np.abs(mid) + half < 1e300 / max(A.shape[0], 1)):
        if sample_weight is None:
            mean = A.mean(axis=0)
        else:
            mean = sample_weight @ A / sample_weight.sum()
    else:
        # Values near the float limit: average in units of the half-range.
        scaled = (A - mid) / half_safe
        if sample_weight is None:
            mean = mid + half_safe * scaled.mean(axis=0)
        else:
            mean = mid + half_safe * (sample_weight @ scaled / sample_weight.sum())
    return mean, lo, hi


def loc_scale(mean, lo, hi):
    """The reference of a range: its mean clipped to it, and the largest deviation.

    A constant column is scaled by its own magnitude (1 for zeros): a constant
    target of 1e-300 or 1e300 is then 1 in the units the fit works in, so that
    neither its loss underflows nor its distance from zero overflows.
    """
    loc = np.clip(mean, lo, hi)
    scale = np.maximum(hi - loc, loc - lo)
    magnitude = np.where(np.abs(loc) > 0, np.abs(loc), 1.0)
    return loc, np.where(scale > 0, scale, magnitude)


def reference_from(X, Y, sample_weight=None):
    """Choose the reference location and scale from the data itself.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None

    Returns
    -------
    reference : Reference
    """
    x_loc, x_scale = loc_scale(*location(X, sample_weight))
    y_loc, y_scale = loc_scale(*location(Y, sample_weight))
    return Reference(x_loc, x_scale, y_loc, y_scale)


@dataclass
class QuadraticStatistics:
    """Weighted moments of ``v = [u**2 (p), u (p), y_ref (k)]``.

    ``u = (x - x_loc) / x_scale`` and ``y_ref = (y - y_loc) / y_scale`` use the
    reference stored alongside.

    Attributes
    ----------
    reference : Reference
    weight : float
        Sum of the sample weights.
    n_samples : int
        Number of rows seen (whatever their weight).
    mean : ndarray of shape (2 * p + k,)
        Weighted mean of v.
    comoment : ndarray of shape (2 * p + k, 2 * p + k)
        ``sum_i w_i (v_i - mean) (v_i - mean)^T``.
    """

    reference: Reference
    weight: float
    n_samples: int
    mean: np.ndarray
    comoment: np.ndarray

    @property
    def n_features(self):
        return self.reference.x_loc.shape[0]

    @property
    def n_targets(self):
        return self.reference.y_loc.shape[0]

    @classmethod
    def empty(cls, reference):
        m = 2 * reference.x_loc.shape[0] + reference.y_loc.shape[0]
        return cls(reference, 0.0, 0, np.zeros(m), np.zeros((m, m)))

    def merge(self, other):
        """Statistics of the union of the two sets of samples (Chan et al.)."""
        if other.reference is not self.reference and not _same_reference(
            self.reference, other.reference
        ):
            raise ValueError("Statistics with different references cannot merge.")
        n_samples = self.n_samples + other.n_samples
        if other.weight == 0:
            return QuadraticStatistics(
                self.reference, self.weight, n_samples, self.mean, self.comoment
            )
        if self.weight == 0:
            return QuadraticStatistics(
                self.reference, other.weight, n_samples, other.mean, other.comoment
            )
        weight, mean, delta, factor = merge_means(
            self.weight, self.mean, other.weight, other.mean
        )
        comoment = self.comoment + other.comoment + np.outer(delta, delta) * factor
        return QuadraticStatistics(self.reference, weight, n_samples, mean, comoment)

    def target_variances(self):
        """Weighted variance of each target, in ``y_ref`` units."""
        return np.diag(self.comoment)[2 * self.n_features :] / self.weight


def merge_means(weight_a, mean_a, weight_b, mean_b):
    """Chan et al.'s pairwise update: the weight and mean of a union of two sets.

    Also returns ``delta = mean_b - mean_a`` and ``factor = weight_a * weight_b /
    weight``: the co-moment of the union is the sum of the two co-moments plus
    ``delta delta^T * factor`` (or its diagonal, or any part of it).
    """
    weight = weight_a + weight_b
    delta = mean_b - mean_a
    mean = mean_a + delta * (weight_b / weight)
    return weight, mean, delta, weight_a * weight_b / weight


def _same_reference(a, b):
    return all(
        np.array_equal(getattr(a, f), getattr(b, f))
        for f in ("x_loc", "x_scale", "y_loc", "y_scale")
    )


def chunk_rows(n_columns):
    """Rows per chunk for a working buffer of ``n_columns`` float64 columns."""
    return max(256, CHUNK_BYTES // (8 * max(n_columns, 1)))


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


def accumulate(X, Y, sample_weight, reference, *, mask=None, reach=None):
    """One pass over the data, chunk by chunk.

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

    Returns
    -------
    stats : QuadraticStatistics, or a pair of them when ``mask`` is given
    """
    n_samples, p = X.shape
    k = Y.shape[1]
    m = 2 * p + k
    rows = chunk_rows(m + 1)
    x_loc = reference.x_loc[:, None]
    x_inv = (1.0 / reference.x_scale)[:, None]
    y_loc = reference.y_loc[:, None]
    y_inv = (1.0 / reference.y_scale)[:, None]
    # Rows of the buffer: u**2 - shift, u, y_ref, and a row of ones whose products
    # with the others are their sums: one matrix product gives all the moments.
    buffer = np.empty((m + 1, min(rows, n_samples)))
    buffer[m] = 1.0
    shift = None
    # Products of the chunks' rows, summed. The variables are already centered
    # and scaled by the reference (u) or shifted by their first-chunk mean
    # (u**2), so centering the sums once at the end loses no more than
    # centering each chunk and merging (the error is eps times the second
    # moments about the same reference either way), at a fraction of the cost.
    products = [np.zeros((m + 1, m + 1))]
    counts = [0]
    if mask is not None:
        products.append(np.zeros((m + 1, m + 1)))
        counts.append(0)

    for start in range(0, n_samples, rows):
        stop = min(start + rows, n_samples)
        V = buffer[:, : stop - start]
        U = V[p : 2 * p]
        Yr = V[2 * p : m]
        w = None if sample_weight is None else sample_weight[start:stop]
        np.subtract(X[start:stop].T, x_loc, out=U)
        U *= x_inv
        np.subtract(Y[start:stop].T, y_loc, out=Yr)
        Yr *= y_inv
        if w is not None and not w.all():
            # Rows of weight 0 change nothing: however far they lie, their
            # powers must not reach the sums (as inf * 0 = NaN would).
            V[p:m, w == 0] = 0.0
        np.square(U, out=V[:p])
        if shift is None:
            # u is centered by the reference; u**2 is not. Shifting it by its
            # mean in the first chunk keeps the products below from cancelling.
            shift = V[:p].mean(axis=1)
        V[:p] -= shift[:, None]
        if mask is None:
            chunk = [(_products(V, w), stop - start)]
        else:
            held_out = mask[start:stop]
            chunk = [
                (
                    _products(V[:, rows_i], None if w is None else w[rows_i]),
                    int(rows_i.sum()),
                )
                for rows_i in (~held_out, held_out)
            ]
        for i, (M, n) in enumerate(chunk):
            if reach is not None and not _within_reach(M, p, m, reach):
                raise _OutOfReach
            products[i] += M
            counts[i] += n
    parts = [_centered(M, n, shift, reference) for M, n in zip(products, counts)]
    return parts[0] if mask is None else tuple(parts)


def _within_reach(M, p, m, reach):
    """Whether every scaled value of a chunk is within reach, from its products.

    The diagonal holds sums of squares, each at least the largest square: at most
    ``reach**2`` means no value exceeds ``reach``. NaN and infinity fail too.
    """
    squares = np.diagonal(M)[p:m]
    return bool(squares.max() <= reach * reach and np.isfinite(M).all())


def _products(V, w):
    """``(V * w) @ V.T``, the weighted products of every pair of rows of V."""
    Vw = V if w is None else V * w
    rows = V.shape[0]
    if rows > _DOT_ROWS:
        return Vw @ V.T
    # BLAS's matrix product is slow on a few long rows; pairwise dot products
    # are several times faster there.
    M = np.empty((rows, rows))
    for i in range(rows):
        for j in range(i, rows):
            M[i, j] = M[j, i] = np.dot(Vw[i], V[j])
    return M


def _centered(M, n, shift, reference):
    """Statistics from summed products ``M`` of ``[variables, 1]`` over n rows."""
    m = M.shape[0] - 1
    weight = float(M[-1, -1])
    if weight == 0:
        return QuadraticStatistics(reference, 0.0, n, np.zeros(m), np.zeros((m, m)))
    sums = M[:m, -1]
    mean = sums / weight
    comoment = M[:m, :m] - np.outer(sums, mean)
    if shift is not None:
        mean[: shift.shape[0]] += shift
    return QuadraticStatistics(reference, weight, n, mean, comoment)


# -- per-feature moments, for the engine that reads the data every epoch ------

# A chunk of per-feature work is about this large: big enough for numpy to run at
# full speed on thousands of columns, small enough to stay out of the way.
FEATURE_CHUNK_BYTES = 1 << 24


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
        return FeatureMoments(
            self.reference,
            weight,
            self.n_samples + other.n_samples,
            mean,
            self.squares + other.squares + delta**2 * factor,
            self.cross + other.cross + delta[:p] * delta[p : 2 * p] * factor,
        )

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


# -- what a fit hands to the solver -------------------------------------------

#: The engines: epochs on the gathered statistics, or a pass over the data each.
ENGINES = ("statistics", "direct")


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
    """

    engine: str
    train: object
    y_ndim: int
    held_out: QuadraticStatistics | None = None
    mask: np.ndarray | None = None
    data: object = None


def choose_engine(precompute, n_samples, n_features, n_targets, max_iter):
    """``"statistics"`` (``precompute`` True) or ``"direct"`` (False), or for
    "auto" the cheaper by rough operation counts: forming the statistics and
    diagonalising their Hessian, against reading the expanded data for a
    typical run of epochs.
    """
    if precompute != "auto":
        return "statistics" if precompute else "direct"
    m, q = 2 * n_features + n_targets, 2 * n_features + 1
    statistics = n_samples * m * m + 10 * q**3
    epochs = min(max_iter, 100) + 30
    direct = epochs * n_samples * q * (4 * n_targets + 10)
    return "statistics" if statistics <= direct else "direct"


def gather_fit_statistics(data, precompute, max_iter, name):
    """One pass over validated in-memory data, gathering what the engine needs.

    Parameters
    ----------
    data : FitInput
        Validated data, with the held-out rows of an early-stopping split.
    precompute : "auto" or bool
        The estimator's choice of engine (see :func:`choose_engine`).
    max_iter : int
        The number of epochs "auto" weighs the cost of each engine against.
    name : str
        The estimator's name, for scikit-learn's messages about NaN.

    Returns
    -------
    statistics : FitStatistics
    """
    X, Y, w, mask = data.X, data.Y, data.sample_weight, data.mask
    engine = choose_engine(precompute, *X.shape, Y.shape[1], max_iter)
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
    check_positive_weight(train.weight)
    return FitStatistics(
        engine,
        train,
        data.y.ndim,
        held_out=held_out,
        mask=mask if engine == "direct" else None,
        data=data,
    )


def gather_more(previous, data):
    """Statistics of the data seen so far and one more chunk of it.

    The reference is frozen at the first chunk (``previous``'s), so that the
    merge is exact; without previous statistics the chunk starts a stream.

    Parameters
    ----------
    previous : QuadraticStatistics or None
    data : FitInput
        The validated chunk.

    Returns
    -------
    statistics : FitStatistics
    """
    X, Y, w = data.X, data.Y, data.sample_weight
    if previous is None:
        seen = gather(X, Y, w)
    else:
        seen = previous.merge(accumulate_near(X, Y, w, previous.reference))
    check_positive_weight(seen.weight)
    return FitStatistics("statistics", seen, data.y.ndim, data=data)
