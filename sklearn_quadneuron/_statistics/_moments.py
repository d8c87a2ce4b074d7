# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The sufficient statistics of the quadratic model, and how they merge.

Every epoch of full-batch gradient descent on ``y_hat = phi(x) . theta`` needs only
the weighted means of ``v = [u**2, u, y]`` and the triangular factor of its
centered rows, on features shifted and scaled by a reference location and scale
*before* squaring, so that no raw power sum of a large offset is ever formed.
Statistics merge exactly (a QR of their stacked factors), also across
references (re-centred exactly): those of two chunks combine into those of their
union, which is what ``partial_fit`` and the Dask reduction build on. Here too:
the tally of observations inference needs beyond them (:class:`Observations`),
and the article's loss read from them (:class:`Moments`).
"""

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from .._linalg import (
    append_rows,
    condition_estimate,
    fit_rounding,
    gram_factor,
    stacked_factor,
    triangular_factor,
)
from ._kernels import column_extent

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


# Up to _NARROW columns, min, max and mean run along rows of the transposed array
# (numpy reduces axis 0 of a few C-ordered columns slowly): the mean in its order
# of summation, on which results depend to the last bit; min and max up to 32.
_NARROW, _NARROW_EXTENT = 8, 32


def _sequential_mean(A, rows):
    """``A.mean(axis=0)`` to the last bit: several columns are summed row by
    row there, as a cumulative sum along ``rows``, those of A.T, is."""
    if not 1 < A.shape[1] <= _NARROW:
        return A.mean(axis=0)
    return np.cumsum(rows, axis=1)[:, -1] / A.shape[0]


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
    extent = column_extent(A, narrow=_NARROW)  # lo, hi and sum, or None
    if extent is None:
        # Reduced along rows of the transposed array where faster (_NARROW_EXTENT).
        narrow = A.shape[1] <= _NARROW_EXTENT
        rows, axis = (np.ascontiguousarray(A.T), 1) if narrow else (A, 0)
        extent = rows.min(axis=axis), rows.max(axis=axis), None
    lo, hi, total = (*(e.astype(np.float64) for e in extent[:2]), extent[2])
    # Half-range and mid-range written so that neither can overflow.
    half = hi / 2 - lo / 2
    mid = lo / 2 + hi / 2
    half_safe = np.where(half > 0, half, 1.0)
    if (np.abs(mid) + half < 1e300 / max(A.shape[0], 1)).all():
        if sample_weight is not None:
            mean = sample_weight @ A / sample_weight.sum()
        elif total is not None:
            mean = total / A.shape[0]  # numpy's mean: the sum over the count
        else:
            mean = _sequential_mean(A, rows)
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
    """The :class:`Reference` of ``X`` (n, p) and ``Y`` (n, k), from the rows
    of positive ``sample_weight`` (None: all)."""
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
    reads (``_linalg``).

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
        the factor itself (see ``needs_second_pass``).
    rows_too : bool
        Whether, besides a Gram's, some of the factor was read from rows
        (merged with rows read again, or moved to another reference): its
        rounding is then relative to the columns' own norms too.
    gram : ndarray of shape (2 * p + k, 2 * p + k) or None
        The co-moment of which ``factor`` is the Cholesky factor (its upper
        triangle), kept from a pass of many columns for the standardized basis
        (:func:`per_feature_map`), which takes it; never merged nor pickled.
    """

    reference: Reference
    weight: float
    n_samples: int
    mean: np.ndarray
    factor: np.ndarray
    gram_squares: np.ndarray | None = None
    rows_too: bool = False
    # rounding() by the design columns kept (a fit asks twice: each is a QR of
    # the factor), under "all" the factor of all columns (asked thrice), and
    # the columns that vary and the condition number (asked more than once).
    gram: np.ndarray | None = field(default=None, repr=False, compare=False)
    _rounded: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __getstate__(self):
        return {**self.__dict__, "gram": None, "_rounded": {}}

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

    @classmethod
    def empty(cls, reference):
        m = 2 * reference.x_loc.shape[0] + reference.y_loc.shape[0]
        return cls(reference, 0.0, 0, np.zeros(m), np.zeros((m, m)))

    def _with(self, **changes):
        return dataclasses.replace(self, **{"gram": None, **changes})

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

    def _cached(self, key, make):
        if key not in self._rounded:
            self._rounded[key] = make()
        return self._rounded[key]

    def _kept(self, keep=None):
        """The design columns that vary, of those ``keep`` asks for."""
        design = self.factor[:, : 2 * self.n_features]
        varies = self._cached("varies", lambda: np.linalg.norm(design, axis=0) > 0)
        return varies if keep is None else keep & varies

    def _design_factor(self, keep=None):
        """The factor of the design's columns that vary, and of the targets.

        Returns ``R`` (q x q), ``z`` (q x k), the targets' trailing block
        (k x k), and which of the 2p design columns are kept.
        """
        if keep is None:
            return self._cached("all", lambda: self._design_factor(self._kept()))
        p, k = self.n_features, self.n_targets
        kept = np.flatnonzero(self._kept(keep))
        factor = self.factor  # all kept: the factor itself, not a copy
        if kept.shape[0] < 2 * p:
            factor = stacked_factor(factor[:, np.append(kept, 2 * p + np.arange(k))])
        q = kept.shape[0]
        return factor[:q, :q], factor[:q, q:], factor[q:, q:], kept

    def residual_squares(self):
        """Each target's least-squares residual sum of squares (``y_ref``)."""
        return (self._design_factor()[2] ** 2).sum(axis=0)

    def rounding(self, keep=None):
        """What rounding in these statistics may hide of each target's fit.

        ``(floor, allowance)`` of :func:`~.._linalg.fit_rounding`, as mean
        squares in ``y_ref`` units: the excess over the minimum rounding may
        hide (the Gram's rounds relative to the columns' uncentered norms),
        and what float64 resolves of an exact fit; then ``exact``,
        ``EXACT_FIT`` times the allowance: a minimum below it is the rounding
        of an exact fit's residuals. Whatever basis the fit then runs in, its
        excess over the minimum is the same number. ``keep`` (a mask over the
        2p design columns) leaves out the terms the fit leaves out.
        """
        return self._cached(self._kept(keep).tobytes(), lambda: self._rounding(keep))

    def _rounding(self, keep):
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
        return self._cached("condition", lambda: condition_estimate(R))

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
            return QuadraticStatistics.empty(reference)._with(n_samples=self.n_samples)
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


@dataclass(frozen=True)
class Observations:
    """The rows of positive weight, and the sum of the logs of their weights.

    Attributes
    ----------
    count : int
    log_weight : float
        ``sum(log(w_i))`` over the rows of positive weight (0 without weights).
    weighted : bool
        Whether weights were given (weighted least squares, ``WLS``).
    """

    count: int
    log_weight: float
    weighted: bool = False

    @classmethod
    def of(cls, sample_weight, n_rows, mask=None):
        """The tally of some rows (``mask``: rows held out, not counted)."""
        if sample_weight is None:
            held = 0 if mask is None else int(np.count_nonzero(mask))
            return cls(n_rows - held, 0.0)
        carry = sample_weight > 0
        if mask is not None:
            carry &= ~mask
        return cls(
            int(np.count_nonzero(carry)),
            float(np.log(sample_weight[carry]).sum()),
            True,
        )

    def merge(self, other):
        """The tally of the rows of both."""
        if other is None or self is None:
            return None
        return Observations(
            self.count + other.count,
            self.log_weight + other.log_weight,
            self.weighted or other.weighted,
        )


@dataclass
class Moments:
    """Weighted means and triangular factor of the expanded features and targets.

    The expanded features ``phi = [f_1 .. f_{q-1}, 1]`` end with the constant.
    The centered rows ``sqrt(w_i) [f_i - mean_f, y_i - mean_y]`` are kept as
    their upper-triangular factor ``factor``: with ``F_ff``, ``F_fy`` its
    blocks on the features and ``F_yy`` the trailing (k x k) block, the mean
    squared error of ``theta = [beta, c]`` for target t is

    .. math::

        (\\bar\\phi \\cdot \\theta - \\bar y_t)^2
        + \\frac{\\|F_{ff} \\beta - F_{fy} e_t\\|^2 + \\|F_{yy} e_t\\|^2}{W}

    a sum of squares with nothing subtracted but the residuals themselves: no
    digit of a small loss is lost against the variance of y.

    Attributes
    ----------
    mean_phi : ndarray of shape (n_params,)
        Weighted mean of phi (its last entry, the constant's, is 1).
    mean_y : ndarray of shape (n_targets,)
    factor : ndarray of shape (n_params - 1 + n_targets, n_params - 1 + n_targets)
    weight : float
    """

    mean_phi: np.ndarray
    mean_y: np.ndarray
    factor: np.ndarray
    weight: float

    @property
    def _q(self):
        return self.mean_phi.shape[0] - 1

    @property
    def design(self):
        """``F_ff``: the factor of the centered features."""
        return self.factor[: self._q, : self._q]

    @property
    def projected(self):
        """``F_fy``: the targets' part in the features' span, (q - 1, k)."""
        return self.factor[: self._q, self._q :]

    @property
    def residual_squares(self):
        """``||F_yy e_t||**2``: each target's least-squares residual sum."""
        return (self.factor[self._q :, self._q :] ** 2).sum(axis=0)

    def restricted(self, keep):
        """The moments of the columns of phi where ``keep`` (the constant kept)."""
        q = self._q
        k = self.mean_y.shape[0]
        columns = np.concatenate([np.flatnonzero(keep[:q]), q + np.arange(k)])
        whole = keep[:q].all()  # then the factor itself, not a copy
        factor = self.factor if whole else triangular_factor(self.factor[:, columns])
        return Moments(self.mean_phi[keep], self.mean_y, factor, self.weight)

    def covariance(self):
        """``cov(phi)`` (the constant's row and column 0) and ``cov(phi, y)``."""
        q = self._q
        F = self.factor / np.sqrt(self.weight)
        cov = F.T @ F
        cov_phi = np.zeros((q + 1, q + 1))
        cov_phi[:q, :q] = cov[:q, :q]
        cov_phi_y = np.zeros((q + 1, self.mean_y.shape[0]))
        cov_phi_y[:q] = cov[:q, q:]
        return cov_phi, cov_phi_y

    def gram(self):
        """``G = mean(phi phi^T)`` and ``h = mean(phi y^T)``."""
        cov_phi, cov_phi_y = self.covariance()
        G = cov_phi + np.outer(self.mean_phi, self.mean_phi)
        h = cov_phi_y + np.outer(self.mean_phi, self.mean_y)
        return G, h

    @classmethod
    def from_samples(cls, Phi, Y, sample_weight=None):
        """The moments of expanded features ``Phi`` (constant last) and ``Y``.

        The factor is Householder QR's of ``sqrt(w) [1, Phi - m, Y - m_y]``
        (``m`` the computed means): with the constant column first, the
        trailing block is the factor of the rows centered on their exact
        means, whatever the rounding of ``m``.

        Parameters
        ----------
        Phi : ndarray of shape (n_samples, n_params)
            Expanded features, the intercept's column of ones last.
        Y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : ndarray of shape (n_samples,), default=None

        Returns
        -------
        moments : Moments
        """
        Phi = np.asarray(Phi, dtype=float)
        Y = np.asarray(Y, dtype=float).reshape(Phi.shape[0], -1)
        w = np.ones(Phi.shape[0]) if sample_weight is None else sample_weight
        weight = float(w.sum())
        V = np.column_stack([Phi[:, :-1], Y])
        mean = w @ V / weight
        root = np.sqrt(w)[:, None]
        R = triangular_factor(np.column_stack([root, (V - mean) * root]))
        mean = mean + R[0, 1:] / R[0, 0]
        q = Phi.shape[1] - 1
        return cls(np.append(mean[:q], 1.0), mean[q:], R[1:, 1:], weight)

    def mse_per_column(self, theta):
        """Mean squared error of each column of ``theta`` (n_params, n_columns).

        Column t is scored against target t; with moments of a single target,
        every column is scored against it (a grid of candidate parameters).
        """
        q = self._q
        projected = self.projected
        if projected.shape[1] != theta.shape[1]:
            projected = np.broadcast_to(projected, (q, theta.shape[1]))
        residual_squares = np.broadcast_to(self.residual_squares, theta.shape[1:])
        bias = self.mean_phi @ theta - self.mean_y
        residual = self.design @ theta[:q] - projected
        spread = ((residual**2).sum(axis=0) + residual_squares) / self.weight
        return bias**2 + spread

    def mse(self, theta):
        """Mean squared error at ``theta`` (n_params, n_targets), summed."""
        return float(self.mse_per_column(theta).sum())


def per_feature_map(mean, factor, diagonal, cross, shift, gram=None):
    """Mean and triangular factor of ``A v + shift``, ``A`` mixing each feature's
    own pair.

    ``v = [u**2 (p), u (p), y (k)]`` has mean ``mean`` and centered rows whose
    upper-triangular factor is ``factor``; ``A`` is diagonal (``diagonal``) but
    for the row of each ``u_j**2``, which also takes ``cross_j`` times
    ``u_j``. The centered rows of ``A v`` are those of ``v`` times ``A^T``: at
    most two entries a column, so ``factor @ A.T`` costs O((2p + k)**2), and
    its QR gives the new factor (no QR when ``A`` is diagonal and positive:
    the product is triangular already).

    ``gram``, the co-moment ``G`` of which ``factor`` is the Cholesky factor
    (upper triangle; overwritten): the new factor is then Cholesky's of ``A G
    A^T`` (the QR's where that fails), as accurate: ``factor`` holds ``G``'s
    rounding already, and ``A G A^T`` adds rounding of that order.
    """
    p = cross.shape[0]
    new_mean = diagonal * mean
    new_mean[:p] += cross * mean[p : 2 * p]
    new_mean += shift
    if gram is not None:
        for j in range(gram.shape[0] - 1):  # the lower triangle from the upper
            gram[j + 1 :, j] = gram[j, j + 1 :]
        for M in (gram, gram.T):  # A G, then (A G) A^T
            M[:p] *= diagonal[:p, None]
            M[:p] += cross[:, None] * M[p : 2 * p]
            M[p:] *= diagonal[p:, None]
        mapped, failed = gram_factor(gram, eigen=False)
        if not failed:
            return new_mean, mapped
    rows = factor * diagonal
    rows[:, :p] += factor[:, p : 2 * p] * cross
    if (cross != 0).any() or (diagonal < 0).any():
        rows = triangular_factor(rows)
    return new_mean, rows
