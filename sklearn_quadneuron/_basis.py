# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The quadratic expansion, its standardized basis, and the map back to data units.

Coefficient layout (one target): ``coef = [a_1 .. a_p, b_1 .. b_p]`` and a single
intercept ``c``, for ``y_hat = c + sum_j a_j x_j**2 + b_j x_j``.

The standardized basis that gradient descent uses by default is, per feature,

    u_j  = (x_j - mean_j) / std_j                 (standardize x first)
    u2_j = (u_j**2 - 1) / std(u_j**2)             (then square, and standardize)

so that the expanded columns are centered with unit variance whatever the offset and
scale of x (squaring a standardized x, rather than standardizing x**2, keeps x and
x**2 from becoming collinear when x has a large offset). Parameters are written in
this full layout as ``theta = [alpha_1 .. alpha_p, beta_1 .. beta_p, c]``.

A feature with no variance has no column (its coefficients are 0); neither has the
square of a feature whose square is constant (a symmetric two-valued feature).
"""

import dataclasses
from dataclasses import dataclass

import numpy as np

from ._linalg import (
    ALIAS_TOLERANCE,
    condition_estimate,
    may_alias,
    triangular_factor,
)
from ._statistics import Moments, per_feature_map

# A column whose variance, relative to the squared range of the feature, is below
# this is constant to working precision.
_CONSTANT_VARIANCE = 1e-24
# Per-feature moments (the engine that reads the data every epoch) find a
# square affine in its feature when what is left of its norm, once the
# feature is taken out, is below this share: their variances resolve no less.
_AFFINE_SQUARE = 1e-5


@dataclass
class StandardBasis:
    """Per-feature location and scales of the standardized basis.

    Attributes
    ----------
    x_mean, x_std : ndarray of shape (n_features,)
        Weighted mean and standard deviation of each feature (0 std: constant).
    sq_std : ndarray of shape (n_features,)
        Standard deviation of ``u_j**2 - skew_j * u_j`` (0: the square carries no
        information beyond the feature itself).
    y_loc, y_scale : ndarray of shape (n_targets,)
        The targets are handled internally as ``(y - y_loc) / y_scale``.
    transform, offset : ndarray
        Affine map from the accumulated variables ``[u_ref**2, u_ref, y_ref]`` to
        ``[u2, u, y_ref]``; applying it to other statistics with the same reference
        (a validation split) gives their moments in this basis.
    skew : ndarray of shape (n_features,)
        ``E[u_j**3]``, the covariance of ``u_j**2`` with ``u_j``: the part of the
        square taken out so that ``u2_j`` is orthogonal to ``u_j`` and to 1.
    """

    x_mean: np.ndarray
    x_std: np.ndarray
    sq_std: np.ndarray
    y_loc: np.ndarray
    y_scale: np.ndarray
    transform: np.ndarray
    offset: np.ndarray
    skew: np.ndarray
    aliased: np.ndarray | None = None
    # The last statistics given to moments() and what it returned: the fit
    # asks for them twice (aliasing, then the objective), and with features
    # off their reference centre each answer is a QR of the factor.
    _moments_of: tuple | None = dataclasses.field(
        default=None, repr=False, compare=False
    )

    @property
    def n_features(self):
        return self.x_mean.shape[0]

    @property
    def active(self):
        """Boolean mask over the full layout ``[u2 (p), u (p), 1]``."""
        active = np.concatenate([self.sq_std > 0, self.x_std > 0, [True]])
        if self.aliased is not None:
            active &= ~self.aliased
        return active

    def with_aliased(self, stats, aliased=None):
        """This basis with the terms aliased in ``stats`` marked (R's ``lm``).

        Terms are taken in the order a user writes them, each feature then
        its square, feature by feature (``x1, x1**2, x2, x2**2, ...``); a term
        is aliased when what is left of its standardized column after the
        terms kept before it is below ``ALIAS_TOLERANCE`` of its norm (the
        diagonal of the factor of the columns in that order, with aliased
        columns left out as they are found: the limited pivoting of LINPACK's
        ``dqrdc2``). The later term of a collinear set is the aliased one: the
        square of a two-valued feature, a duplicated feature. ``aliased``: the
        terms already found so (squares affine in their feature).
        """
        p = self.n_features
        active = self.active[:-1]
        design = self.moments(stats).design
        aliased = np.zeros(2 * p + 1, bool) if aliased is None else aliased.copy()
        norms = np.linalg.norm(design, axis=0)
        if active.all() and not may_alias(condition_estimate(design, norms)):
            # A term is aliased only where the condition number of the columns
            # (the factor is triangular already) is at least 1/ALIAS_TOLERANCE:
            # well below it, no rank-revealing QR is needed.
            return (
                self
                if not aliased.any()
                else dataclasses.replace(self, aliased=aliased)
            )
        order = [c for j in range(p) for c in (p + j, j) if active[c] and norms[c] > 0]
        while order:
            R = triangular_factor(design[:, order])
            ratio = np.abs(np.diagonal(R)) / norms[order]
            low = np.flatnonzero(~(ratio >= ALIAS_TOLERANCE))
            if low.size == 0:
                break
            aliased[order.pop(int(low[0]))] = True
        if not aliased.any():
            return self
        return dataclasses.replace(self, aliased=aliased)

    @classmethod
    def from_statistics(cls, stats):
        """The standardized basis defined by a set of statistics."""
        ref = stats.reference
        p, k = stats.n_features, stats.n_targets
        sq, lin = slice(0, p), slice(p, 2 * p)
        # The few entries of the co-moment asked for below, each a product of
        # two columns of the factor: O(p m), not the whole (m x m) product.
        F, W = stats.factor, stats.weight
        squares = np.einsum("ij,ij->j", F, F) / W
        c_sq, c_lin = squares[sq], squares[lin]
        c_cross = np.einsum("ij,ij->j", F[:, sq], F[:, lin]) / W
        # Center the basis on the float64 number that predict() subtracts from x,
        # not on the exact mean: with an offset of 1e12 times the spread, rounding
        # x_loc + x_scale * mean moves the center by 1e-4 of the spread, and a
        # basis centered elsewhere than predict's would shift every prediction by
        # that much. (x_mean - x_loc) is exact, being the difference of two close
        # numbers; any center near the mean standardizes equally well.
        x_mean = ref.x_loc + ref.x_scale * stats.mean[lin]
        m1 = (x_mean - ref.x_loc) / ref.x_scale
        lin_active = c_lin > _CONSTANT_VARIANCE
        v1 = np.where(lin_active, c_lin, 1.0)
        sd1 = np.sqrt(v1)
        # Each feature's rows of the map, on its own u_ref**2 and u_ref: u_j =
        # (u_ref - m1) / sd1, and u_j**2 - 1 = (u_ref**2 - 2 m1 u_ref + m1**2) /
        # v1 - 1 (the factor, the cross term and the shift of each).
        u_factor, u_shift = 1.0 / sd1, -m1 / sd1
        sq_factor, sq_cross, sq_shift = 1.0 / v1, -2.0 * m1 / v1, m1**2 / v1 - 1.0
        # Less its projection on u_j (skew = cov(u_j**2, u_j) = E[u_j**3]): the
        # square becomes orthogonal to the feature, and gradient descent no
        # longer crawls along their correlation on skewed data. The covariance
        # takes entries of the co-moment per feature, in O(p).
        skew = (sq_factor * c_cross + sq_cross * c_lin) * u_factor
        skew = np.where(lin_active, skew, 0.0)
        sq_cross = sq_cross - skew * u_factor
        sq_shift = sq_shift - skew * u_shift
        # What is left of the square once the feature is taken out: the second
        # diagonal entry of the factor of the two columns [u_ref, u_ref**2],
        # by QR (the difference of the variances would cancel its digits
        # exactly where it matters: a square nearly affine in its feature).
        # mode="raw" holds it at [1, 1] too (transposed), without "r"'s copies.
        pairs = np.empty((p, F.shape[0], 2))
        pairs[..., 0], pairs[..., 1] = F[:, lin].T, F[:, sq].T
        left = np.abs(np.linalg.qr(pairs, mode="raw")[0][:, 1, 1])
        sq_var = (sq_factor * left) ** 2 / W
        share = left / np.maximum(np.sqrt(c_sq * W), np.finfo(float).tiny)
        quad_active = _square_active(lin_active, sq_var, share)
        skew = np.where(quad_active, skew, 0.0)
        sq_std = np.where(quad_active, np.sqrt(np.where(quad_active, sq_var, 1.0)), 0)
        unit = np.where(quad_active, sq_std, 1.0)
        A, a0 = _centering_map(
            k,
            [np.where(quad_active, a / unit, 0.0) for a in (sq_factor, sq_cross)],
            np.where(quad_active, sq_shift / unit, 0.0),
            np.where(lin_active, u_factor, 0.0),
            np.where(lin_active, u_shift, 0.0),
        )
        x_std = np.where(lin_active, ref.x_scale * sd1, 0.0)
        basis = cls(x_mean, x_std, sq_std, ref.y_loc, ref.y_scale, A, a0, skew)
        # A square affine in its feature (a two-valued feature) has no column,
        # silently, as a constant feature has none: R's lm would alias both.
        return basis.with_aliased(stats)

    @classmethod
    def from_feature_moments(cls, moments):
        """The same basis from per-feature moments (the direct engine's).

        Only the affine map to the accumulated variables is missing: the
        direct engine never forms statistics to apply it to.
        """
        ref = moments.reference
        p = moments.n_features
        W = moments.weight
        m1 = moments.mean[p : 2 * p]
        v1 = moments.squares[p : 2 * p] / W
        lin_active = v1 > _CONSTANT_VARIANCE
        v1 = np.where(lin_active, v1, 1.0)
        # Variance of (u_ref**2 - 2 m1 u_ref) / v1, i.e. of the square of the
        # exactly standardized feature, and its covariance with the feature.
        square_var = (
            moments.squares[:p]
            - 4 * m1 * moments.cross
            + 4 * m1**2 * moments.squares[p : 2 * p]
        ) / (W * v1**2)
        skew = (moments.cross - 2 * m1 * moments.squares[p : 2 * p]) / (
            W * v1 * np.sqrt(v1)
        )
        skew = np.where(lin_active, skew, 0.0)
        sq_var = square_var - skew**2
        # Per-feature moments resolve the share left of a square to about the
        # square root of their rounding, not the factor's.
        share = np.sqrt(
            np.maximum(sq_var, 0.0) / np.where(square_var > 0, square_var, 1)
        )
        quad_active = _square_active(lin_active, sq_var, share, _AFFINE_SQUARE)
        skew = np.where(quad_active, skew, 0.0)
        sq_std = np.where(quad_active, np.sqrt(np.where(quad_active, sq_var, 1.0)), 0.0)
        x_mean = ref.x_loc + ref.x_scale * m1
        x_std = np.where(lin_active, ref.x_scale * np.sqrt(v1), 0.0)
        return cls(x_mean, x_std, sq_std, ref.y_loc, ref.y_scale, None, None, skew)

    def moments(self, stats):
        """Moments of ``phi = [u2, u, 1]`` and of ``y_ref`` for some statistics."""
        if self._moments_of is not None and self._moments_of[0] is stats:
            return self._moments_of[1]
        p = self.n_features
        # The transform mixes each feature's own u_ref**2 and u_ref only
        # (from_statistics): applied as such, to the factor's columns.
        j = np.arange(p)
        mean, factor = per_feature_map(
            stats.mean,
            stats.factor,
            self.transform.diagonal().copy(),
            self.transform[j, p + j],
            self.offset,
            stats.gram,  # overwritten: taken
        )
        stats.gram = None
        mean_phi = np.append(mean[: 2 * p], 1.0)
        moments = Moments(mean_phi, mean[2 * p :], factor, stats.weight)
        self._moments_of = (stats, moments)
        return moments

    def raw_transform(self):
        """T such that ``[x**2, x, 1] = T @ [u2, u, 1]`` (full layout)."""
        p = self.n_features
        mu, sd, tau = self.x_mean, self.x_std, self.sq_std
        T = np.zeros((2 * p + 1, 2 * p + 1))
        j = np.arange(p)
        # x**2 = mu**2 + 2 mu sd u + sd**2 (tau u2 + 1 + skew u)
        T[j, j] = sd**2 * tau
        T[j, p + j] = 2.0 * mu * sd + self.skew * sd**2
        T[j, 2 * p] = mu**2 + sd**2
        T[p + j, p + j] = sd
        T[p + j, 2 * p] = mu
        T[2 * p, 2 * p] = 1.0
        return T

    # -- parameters: internal (standardized basis, y_ref units) <-> data units ----

    def centered_form(self, theta):
        """``y = C0 + sum_j (A_j t_j + B_j) t_j`` with ``t_j = x_j - x_mean_j``.

        Parameters
        ----------
        theta : ndarray of shape (2 * n_features + 1, n_targets)
            Standardized-basis parameters in ``y_ref`` units.

        Returns
        -------
        A, B : ndarray of shape (n_features, n_targets)
        C0 : ndarray of shape (n_targets,)
        """
        p = self.n_features
        ys = self.y_scale
        quad = (self.sq_std > 0)[:, None]
        lin = (self.x_std > 0)[:, None]
        tau = np.where(quad, self.sq_std[:, None], 1.0)
        sd = np.where(lin, self.x_std[:, None], 1.0)
        alpha = np.where(quad, theta[:p], 0.0)
        beta = np.where(lin, theta[p : 2 * p], 0.0)
        with np.errstate(over="ignore", invalid="ignore"):
            A = alpha / tau / sd / sd * ys
            # u2 = (t**2 / sd**2 - 1 - skew t / sd) / tau carries a linear part.
            B = (beta - alpha / tau * self.skew[:, None]) / sd * ys
            C0 = (theta[2 * p] - (alpha / tau).sum(axis=0)) * ys + self.y_loc
        return A, B, C0

    def data_units(self, theta, centered=None):
        """``coef`` (n_targets, 2 * n_features) and ``intercept`` (n_targets,).

        ``centered``: ``centered_form(theta)``, if already computed.
        """
        A, B, C0 = self.centered_form(theta) if centered is None else centered
        mu = self.x_mean[:, None]
        with np.errstate(over="ignore", invalid="ignore"):
            b = B - 2.0 * A * mu
            intercept = C0 + (A * mu * mu).sum(axis=0) - (B * mu).sum(axis=0)
        return np.concatenate([A, b]).T, intercept

    def from_centered(self, center, A, B, C0, *, absolute=False):
        """Standardized-basis parameters of ``C0 + sum (A t + B) t, t = x - center``.

        Parameters
        ----------
        center : ndarray of shape (n_features,)
        A, B : ndarray of shape (n_features, n_targets)
        C0 : ndarray of shape (n_targets,)
        absolute : bool, default=False
            Map ``|A|, |B|, |C0|`` by the absolute values of the map's terms
            instead: a bound on how far each standardized parameter moves per
            unit of relative change in ``A, B, C0`` (``eps / 2`` of it is what
            storing them in float64 may cost).

        Returns
        -------
        theta : ndarray of shape (2 * n_features + 1, n_targets), in y_ref units
        """
        d = (self.x_mean - center)[:, None]
        skew = self.skew[:, None]
        if absolute:
            d, skew, A, B, C0 = (np.abs(a) for a in (d, skew, A, B, C0))
        sd = self.x_std[:, None]
        tau = self.sq_std[:, None]
        with np.errstate(over="ignore", invalid="ignore"):
            alpha = A * sd * sd * tau
            beta = (2.0 * A * d + B) * sd + A * (sd * sd) * skew
            # Horner's form (A d + B) d: for a constant feature far from the
            # center (d**2 beyond float64) with A = B = 0 it gives 0, not 0 * inf.
            c = C0 + ((A * d + B) * d + A * (sd * sd)).sum(axis=0)
        theta = np.concatenate([alpha, beta, c[None, :]])
        return theta / self.y_scale if absolute else self._in_y_ref(theta)

    def _in_y_ref(self, theta):
        """Standardized parameters in y's units, ``theta`` (changed), in y_ref's."""
        theta[2 * self.n_features] -= self.y_loc
        return theta / self.y_scale

    def from_data_units(self, coef, intercept, *, absolute=False):
        """Standardized-basis parameters of ``coef`` (k, 2p) and ``intercept`` (k,).

        ``absolute`` as in :meth:`from_centered`.
        """
        p = self.n_features
        coef = np.asarray(coef, dtype=float).T
        return self.from_centered(
            np.zeros(p), coef[:p], coef[p:], intercept, absolute=absolute
        )


# The raw [x**2, x, 1] of a feature may be this ill-conditioned a change of basis
# from the standardized one: beyond it, parameters moved between the two lose
# all of float64's 16 digits, and the raw descent its meaning.
_RAW_CONDITION = 1e16


def _check_raw_map(basis):
    """Refuse a raw basis whose map from the standardized one loses the model.

    Per feature, ``[x**2, x, 1] = T_j [u2, u, 1]``; its condition number grows
    as (offset / spread)**2 and with extreme scales (x ~ 1e-16 +- 1e-19).
    """
    active = basis.x_std > 0  # a constant feature has no column to map
    mu, sd, tau = basis.x_mean[active], basis.x_std[active], basis.sq_std[active]
    skew = basis.skew[active]
    blocks = np.zeros((int(active.sum()), 3, 3))
    blocks[:, 0, 0] = np.where(tau > 0, sd**2 * tau, 1.0)
    blocks[:, 0, 1] = 2.0 * mu * sd + skew * sd**2
    blocks[:, 0, 2] = mu**2 + sd**2
    blocks[:, 1, 1] = np.where(sd > 0, sd, 1.0)
    blocks[:, 1, 2] = mu
    blocks[:, 2, 2] = 1.0
    if not blocks.shape[0]:
        return
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        condition = np.linalg.cond(blocks)
    if not (condition <= _RAW_CONDITION).all():
        raise ValueError(
            "standardize=False cannot be used on these features: their raw "
            "[x**2, x, 1] are too ill-conditioned for float64 (condition number "
            f"{np.max(condition):.3g}: an offset far beyond the spread, or an "
            "extreme scale). Use standardize=True (the default), or rescale X."
        )


def _centering_map(k, square, square_shift, factor, shift):
    """``A``, ``a0`` of ``[u2, u, y_ref] = A [u_ref**2, u_ref, y_ref] + a0`` from
    each feature's entries: those of u2_j on u_ref_j**2 and u_ref_j (``square``)
    and its shift, those of u_j on u_ref_j and its shift; y_ref is kept."""
    p = factor.shape[0]
    j, m = np.arange(p), 2 * p + k
    A, a0 = np.zeros((m, m)), np.zeros(m)
    A[j, j], A[j, p + j] = square
    A[p + j, p + j] = factor
    a0[:p], a0[p : 2 * p] = square_shift, shift
    A[2 * p + np.arange(k), 2 * p + np.arange(k)] = 1.0
    return A, a0


def _square_active(lin_active, sq_var, share, tolerance=None):
    """Whether each square carries information beyond its feature.

    ``share`` is the norm of what is left of the centered square once the
    feature is taken out, over its own norm: at most ``ALIAS_TOLERANCE`` and
    the square is affine in the feature (a two-valued feature), as R's ``lm``
    would alias it (``tolerance``, if given, instead).
    """
    tolerance = ALIAS_TOLERANCE if tolerance is None else tolerance
    return lin_active & (sq_var > _CONSTANT_VARIANCE) & (share > tolerance)


@dataclass
class CenteredForm:
    """A fitted model as ``C0 + sum_j (A_j t_j + B_j) t_j`` with ``t = x - center``.

    The form :meth:`predict` evaluates: centered on the data the fit used, it
    is far more accurate than ``X**2 @ a + X @ b + c`` when X has a large offset.

    Attributes
    ----------
    center : ndarray of shape (n_features,)
    A, B : ndarray of shape (n_features, n_targets)
    C0 : ndarray of shape (n_targets,)
    """

    center: np.ndarray
    A: np.ndarray
    B: np.ndarray
    C0: np.ndarray

    def predict(self, X):
        """``y_pred`` of shape (n_samples, n_targets)."""
        return centered_predict(X, self.center, self.A, self.B, self.C0)


class DescentBasis:
    """The basis gradient descent runs on, and the maps to and from it.

    ``standardize=True``: the standardized basis itself. ``False``: the raw
    ``[x**2, x, 1]``, reached by the change of basis ``T``. Inactive columns
    (constant features) are left out; their coefficients are 0.

    Attributes
    ----------
    basis : StandardBasis
    active : ndarray of bool of shape (2 * n_features + 1,)
    T : ndarray of shape (n_params, n_params)
        ``phi_descent = T @ phi_standard`` on the active columns.
    penalized : ndarray of shape (n_params,)
        1 for the coefficients, 0 for the intercept (never penalised).
    """

    def __init__(self, basis, standardize):
        self.basis = basis
        self.active = basis.active
        self.standardize = bool(standardize)
        if standardize:
            self.T = np.eye(int(self.active.sum()))
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                T = basis.raw_transform()[np.ix_(self.active, self.active)]
            if not np.isfinite(T).all():
                raise ValueError(
                    "standardize=False cannot be used on these features: their "
                    "squares overflow float64. Use standardize=True (the default), "
                    "which descends on standardized features."
                )
            _check_raw_map(basis)
            self.T = T
        self.penalized = np.ones(self.T.shape[0])
        self.penalized[-1] = 0.0
        self._model_of = self._terms_of = None

    def from_standard(self, theta_std):
        """Full-layout standardized parameters -> descent basis (active only)."""
        if self.standardize:
            return theta_std[self.active]  # T is the identity
        try:
            return np.linalg.solve(self.T.T, theta_std[self.active])
        except np.linalg.LinAlgError:
            raise ValueError(
                "standardize=False cannot be used on these features: the map "
                "between standardized and raw [x**2, x, 1] is singular in float64 "
                "(features of extreme scale). Use standardize=True (the default), "
                "or rescale X."
            ) from None

    def bound_from_standard(self, delta_std):
        """A bound on descent-basis changes, from bounds on standardized ones.

        ``delta_std`` (full layout, non-negative) bounds each standardized
        parameter's change; the descent basis's are bounded by the map's
        absolute values (the identity on the active ones when standardized).
        """
        delta = delta_std[self.active]
        if self.standardize:
            return delta
        with np.errstate(over="ignore", invalid="ignore"):
            return np.abs(np.linalg.inv(self.T.T)) @ delta

    def to_standard(self, theta):
        """Descent basis -> full-layout standardized parameters."""
        full = np.zeros((self.active.shape[0], theta.shape[1]))
        full[self.active] = theta if self.standardize else self.T.T @ theta
        return full

    def initial(self, start, n_features, n_targets):
        """Descent-basis parameters of a fit's starting point.

        ``start`` is None (zeros), validated initial values (``coef`` and
        ``intercept`` in the data's units, each None for zeros), or the
        :class:`CenteredForm` of a previous fit.
        """
        if isinstance(start, CenteredForm):
            theta = self.basis.from_centered(start.center, start.A, start.B, start.C0)
            return self.from_standard(theta)
        coef = getattr(start, "coef", None)
        intercept = getattr(start, "intercept", None)
        if coef is None and intercept is None:
            # The zero model: what from_data_units gives of zeros, directly.
            zeros = np.zeros((2 * n_features + 1, n_targets))
            return self.from_standard(self.basis._in_y_ref(zeros))
        if coef is None:
            coef = np.zeros((n_targets, 2 * n_features))
        if intercept is None:
            intercept = np.zeros(n_targets)
        return self.from_standard(self.basis.from_data_units(coef, intercept))

    def model(self, theta):
        """coef (k, 2p), intercept (k,) and the centered form of descent parameters.

        The last answer is kept: a fit asks for its model's two or three
        times (the certificate, the outcome). Parameters are never changed in
        place, so the same array is the same model.
        """
        if self._model_of is not None and self._model_of[0] is theta:
            return self._model_of[1]
        theta_std = self.to_standard(theta)
        centered = self.basis.centered_form(theta_std)
        coef, intercept = self.basis.data_units(theta_std, centered)
        model = coef, intercept, CenteredForm(self.basis.x_mean, *centered)
        self._model_of = (theta, model)
        return model

    def stored_terms(self, form):
        """``from_centered(..., absolute=True)`` of a centered form, the map's
        terms: what storing it may cost. The last answer is kept: the
        certificate and the outcome both ask for the fitted model's."""
        if self._terms_of is None or self._terms_of[0] is not form:
            terms = self.basis.from_centered(
                form.center, form.A, form.B, form.C0, absolute=True
            )
            self._terms_of = (form, terms)
        return self._terms_of[1]


def centered_predict(X, center, A, B, C0):
    """Evaluate ``C0 + sum_j (A_j t_j + B_j) t_j`` with ``t = X - center``.

    Never forms the expanded ``[X**2, X]``: one temporary the size of X.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    center : ndarray of shape (n_features,)
    A, B : ndarray of shape (n_features, n_targets)
    C0 : ndarray of shape (n_targets,)

    Returns
    -------
    y_pred : ndarray of shape (n_samples, n_targets)
    """
    T = np.subtract(X, center)
    if T.shape[1] == 1 and A.shape[1] == 1:
        # Horner's rule in place: as cheap as the plain polynomial expression.
        y = T[:, 0] * A[0, 0]
        y += B[0, 0]
        y *= T[:, 0]
        y += C0[0]
        return y[:, None]
    y = T @ B
    T *= T
    y += T @ A
    y += C0
    return y
