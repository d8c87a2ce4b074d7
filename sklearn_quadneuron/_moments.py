# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The sufficient statistics of the quadratic model, and how they merge.

Every epoch of full-batch gradient descent on ``y_hat = phi(x) . theta`` needs only
the weighted first and second moments of ``v = [u**2, u, y]``, on features shifted
and scaled by a reference location and scale *before* squaring, so that no raw
power sum of a large offset is ever formed; they are kept *centered*. Statistics
merge exactly (Chan's pairwise update), also across references (re-centred
exactly): those of two chunks combine into those of their union, which is what
``partial_fit`` and the Dask reduction build on. The pass that gathers them is in
``_accumulation``; what a fit hands to its solver, in ``_statistics``.
"""

from dataclasses import dataclass

import numpy as np

from ._loss import per_feature_map
from ._triangular import (
    append_rows,
    condition_estimate,
    fit_rounding,
    stacked_factor,
)

#: A minimum below this many times what float64 resolves of a fit is the
#: rounding left by an exact fit (noiseless data), not a residual to certify
#: against: measured 2.4 on the noiseless parabola of the article, 300 on one
#: point 1e8 times the spread away, whose minimum is real.
EXACT_FIT = 30.0


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
    """Weighted mean and triangular factor of ``v = [u**2 (p), u (p), y_ref (k)]``.

    ``u = (x - x_loc) / x_scale`` and ``y_ref = (y - y_loc) / y_scale`` use the
    reference stored alongside. The centered rows ``sqrt(w_i) (v_i - mean)``
    are kept as their upper-triangular factor ``F`` (``F^T F`` their
    co-moment): with the constant column first, ``[[sqrt(W), sqrt(W) mean],
    [0, F]]`` is the factor ``R`` of ``sqrt(w) [1, v]`` that least squares
    reads (``_triangular``).

    Attributes
    ----------
    reference : Reference
    weight : float
        Sum of the sample weights.
    n_samples : int
        Number of rows seen (whatever their weight).
    mean : ndarray of shape (2 * p + k,)
        Weighted mean of v.
    factor : ndarray of shape (2 * p + k, 2 * p + k)
        Upper triangular, ``factor.T @ factor = sum_i w_i (v_i - mean)
        (v_i - mean)^T``.
    gram_squares : ndarray of shape (2 * p + k,) or None
        Where some of the factor was taken from a Gram (one fast pass) rather
        than from the rows themselves, what that Gram's rounding is relative
        to: the weighted sums of squares of those rows' v, uncentered (about
        the reference they were summed on). None when every row was read into
        the factor itself (see ``_accumulation.needs_second_pass``).
    rows_too : bool
        Whether, besides a Gram's, some of the factor was read from rows
        (merged with rows read again, or moved to another reference): its
        rounding is then relative to the columns' own norms too.
    """

    reference: Reference
    weight: float
    n_samples: int
    mean: np.ndarray
    factor: np.ndarray
    gram_squares: np.ndarray | None = None
    rows_too: bool = False

    @property
    def from_gram(self):
        """Whether some of the factor resolves no more than a Gram did."""
        return self.gram_squares is not None

    @property
    def n_features(self):
        return self.reference.x_loc.shape[0]

    @property
    def n_targets(self):
        return self.reference.y_loc.shape[0]

    @property
    def comoment(self):
        """``sum_i w_i (v_i - mean) (v_i - mean)^T``, from the factor."""
        return self.factor.T @ self.factor

    @classmethod
    def empty(cls, reference):
        m = 2 * reference.x_loc.shape[0] + reference.y_loc.shape[0]
        return cls(reference, 0.0, 0, np.zeros(m), np.zeros((m, m)))

    def _with(self, **changes):
        fields = {
            "reference": self.reference,
            "weight": self.weight,
            "n_samples": self.n_samples,
            "mean": self.mean,
            "factor": self.factor,
            "gram_squares": self.gram_squares,
            "rows_too": self.rows_too,
        }
        return QuadraticStatistics(**{**fields, **changes})

    def merge(self, other):
        """Statistics of the union of the two sets of samples.

        Chan et al.'s update of the mean; the co-moment gains ``delta
        delta^T * factor`` (the shift between the two means), so the union's
        triangular factor is that of the two factors and that one row
        stacked: exact, and order-free up to rounding.
        """
        if other.reference is not self.reference and not _same_reference(
            self.reference, other.reference
        ):
            raise ValueError("Statistics with different references cannot merge.")
        n_samples = self.n_samples + other.n_samples
        if other.weight == 0:
            return self._with(n_samples=n_samples)
        if self.weight == 0:
            return other._with(n_samples=n_samples)
        weight, mean, delta, share = merge_means(
            self.weight, self.mean, other.weight, other.mean
        )
        rows = np.vstack([np.sqrt(share) * delta[None, :], other.factor])
        factor = append_rows(self.factor, rows, trapezoidal=other.factor.shape[0])
        gram = [g for g in (self.gram_squares, other.gram_squares) if g is not None]
        rows_too = self.rows_too or other.rows_too or len(gram) == 1
        return QuadraticStatistics(
            self.reference,
            weight,
            n_samples,
            mean,
            factor,
            sum(gram) if gram else None,
            rows_too and bool(gram),
        )

    def _design_factor(self, keep=None):
        """The factor of the design's columns that vary, and of the targets.

        Returns ``R`` (q x q), ``z`` (q x k), the targets' trailing block
        (k x k), and which of the 2p design columns are kept.
        """
        p, k = self.n_features, self.n_targets
        norms = np.linalg.norm(self.factor[:, : 2 * p], axis=0)
        kept = norms > 0 if keep is None else keep & (norms > 0)
        keep = np.flatnonzero(kept)
        columns = np.concatenate([keep, 2 * p + np.arange(k)])
        factor = self.factor[:, columns]
        if keep.shape[0] < 2 * p:
            factor = stacked_factor(factor)
        q = keep.shape[0]
        return factor[:q, :q], factor[:q, q:], factor[q:, q:], keep

    def residual_squares(self):
        """Each target's least-squares residual sum of squares (``y_ref``)."""
        return (self._design_factor()[2] ** 2).sum(axis=0)

    def rounding(self, keep=None):
        """What rounding in these statistics may hide of each target's fit.

        ``(floor, allowance)`` of :func:`~._triangular.fit_rounding`, as mean
        squares in ``y_ref`` units: the excess over the minimum rounding may
        hide (read from the factor as it was formed: the Gram's rounds
        relative to the columns' uncentered norms), and what float64 resolves
        of an exact fit; then ``exact``, ``EXACT_FIT`` times the allowance: a
        minimum below it is the rounding of an exact fit's residuals (a
        residual sum computed from a factor rounds to about the allowance).
        Whatever basis the fit then runs in, its excess over the minimum is
        the same number.
        ``keep`` (a mask over the 2p design columns) leaves out the terms the
        fit leaves out.
        """
        R, z, tail, keep = self._design_factor(keep)
        rho = np.sqrt((tail**2).sum(axis=0))
        scales = None if not self.from_gram else np.sqrt(self.gram_squares[keep])
        floor, allowance = fit_rounding(
            R, z, rho, self.from_gram, self.n_samples, scales, self.rows_too
        )
        # A residual sum computed from a factor rounds to about the allowance:
        # up to EXACT_FIT times it, a minimum is that of an exact fit.
        exact = EXACT_FIT * allowance
        return floor / self.weight, allowance / self.weight, exact / self.weight

    def design_condition(self):
        """Estimated condition number of the design's columns that vary."""
        R = self._design_factor()[0]
        return condition_estimate(R)

    def target_variances(self):
        """Weighted variance of each target, in ``y_ref`` units."""
        k = self.n_targets
        tail = self.factor[:, self.factor.shape[0] - k :]
        return (tail**2).sum(axis=0) / self.weight

    def rebased(self, reference):
        """The same statistics about another reference.

        With ``u' = (x - l') / s' = a u + b`` (``a = s / s'``, ``b = (l - l') /
        s'``) and ``y' = c y_ref + d`` likewise, ``u'**2 = a**2 u**2 + 2 a b u +
        b**2``: the new variables are an affine map ``A v + beta`` of the old
        ``v = [u**2, u, y_ref]``, so their mean is ``A mean + beta`` and their
        centered rows ``(v - mean) A^T``, whose factor is that of ``F A^T``.
        ``A`` has at most two entries a row; it is applied as such.
        """
        old = self.reference
        if reference is old or _same_reference(reference, old):
            return self._with(reference=reference)
        if self.weight == 0:
            empty = QuadraticStatistics.empty(reference)
            empty.n_samples = self.n_samples
            return empty
        a = old.x_scale / reference.x_scale
        b = (old.x_loc - reference.x_loc) / reference.x_scale
        c = old.y_scale / reference.y_scale
        d = (old.y_loc - reference.y_loc) / reference.y_scale
        diagonal = np.concatenate([a * a, a, c])
        cross = 2.0 * a * b  # the entry of u**2's row in u's column
        shift = np.concatenate([b * b, b, d])
        mean, factor = per_feature_map(self.mean, self.factor, diagonal, cross, shift)
        gram = self.gram_squares
        if gram is not None:
            # The co-moment's rounding moves with its linear part: the new
            # columns' norms are bounded by the map's absolute values. The
            # shift moves the mean alone, rounded as the rows' own values are.
            p = a.shape[0]
            norms = np.sqrt(gram)
            mapped = np.abs(diagonal) * norms
            mapped[:p] += np.abs(cross) * norms[p : 2 * p]
            gram = mapped**2
        return self._with(
            reference=reference,
            mean=mean,
            factor=factor,
            gram_squares=gram,
            rows_too=gram is not None,
        )


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


def merge_rebased(parts, reference):
    """The statistics of the union of ``parts``, about ``reference``.

    Each part may have its own reference: it is first re-centred on the
    common one (:meth:`QuadraticStatistics.rebased`), then merged.
    """
    total = QuadraticStatistics.empty(reference)
    for part in parts:
        total = total.merge(part.rebased(reference))
    return total


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
