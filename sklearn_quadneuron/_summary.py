# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Least-squares inference, from the statistics and one more pass where needed.

The fitted model is least squares on ``phi = [x**2, x, 1]``; with independent
errors of variance ``sigma**2 / w_i`` its estimate has covariance ``sigma**2
(Phi^T W Phi)^-1``, estimated with ``sigma**2 = sum(w r**2) / df_resid``, as
statsmodels' ``OLS`` and ``WLS`` do. That, the model figures, intervals for new
points and the vertex of each parabola come from the statistics (the triangular
factor of the standardized design) and the tally of the observations: never
from the data again.

Everything is formed in the standardized basis, where the design ``Z`` is well
conditioned whatever the offset and scale of X, and mapped to the coefficients
in X's units at the end: ``beta = M theta``, so ``cov = M cov_Z M^T``. With
``R^T R = Z^T W Z / W`` (``W`` the total weight), ``(Z^T W Z)^-1 = R^-1 R^-T /
W``: no Gram is inverted.

Heteroskedasticity-robust covariances (``HC0`` to ``HC3``, as
statsmodels' ``fit(cov_type=...)``: for weighted data, of the whitened residuals
``sqrt(w_i) r_i``) and the residual diagnostics need the residuals themselves:
one pass over the training data, chunk by chunk (block by block on Dask), that
also checks it is the data the model was fitted on.
"""

import dataclasses

import numpy as np
from scipy import stats

from ._basis import DescentBasis, StandardBasis
from ._objective import GramObjective
from ._outputs import (
    covariance_frame,
    diagnostics,
    format_summary,
    prediction_frame,
    summary_frames,
    term_names,
    turning_point_frame,
)
from ._solvers import Newton
from ._statistics import residual_pass
from ._validation import is_dask, training_chunks

#: The values of ``cov_type``, as statsmodels names them.
COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3")
# A fit not certified at tol (stopped early, or its rounding beyond what tol
# asks) is still summarized when its coefficients are within this many
# standard errors of the least-squares ones: no inference can tell them apart.
_SAME_FIT = 1e-3
# Rows of the data pass at a time.
_CHUNK_ROWS = 1 << 16


@dataclasses.dataclass
class LeastSquares:
    """The least-squares fit behind the inference, in the standardized basis.

    Attributes
    ----------
    basis : StandardBasis
    theta : ndarray of shape (2 * n_features + 1, n_targets)
        The minimum, full layout (0 for aliased terms), in units of ``y_ref``.
    inverse : ndarray of shape (q, q)
        ``(R^T R)^-1``, full layout (0 rows and columns for aliased terms).
    mse : ndarray of shape (n_targets,)
        Each target's weighted mean squared residual, in ``y_ref`` units.
    R : ndarray of shape (q_active, q_active)
        The factor: ``R^T R = Z^T W Z / W`` on the terms not aliased.
    nobs, df_resid : int
    weight : float
        Total weight ``W``.
    linear_map : ndarray of shape (q, q)
        ``M``: ``[coef, intercept] = M theta``, with ``y_loc`` left out.
    weighted : bool
    variances : ndarray of shape (n_targets,)
        Each target's weighted variance, in ``y_ref`` units.
    log_weight : float
        ``sum(log(w_i))``, for the log-likelihood.
    """

    basis: StandardBasis
    theta: np.ndarray
    inverse: np.ndarray
    mse: np.ndarray
    R: np.ndarray
    nobs: int
    df_resid: int
    weight: float
    linear_map: np.ndarray
    weighted: bool
    variances: np.ndarray
    log_weight: float

    @property
    def active(self):
        return self.basis.active

    @property
    def y_scale(self):
        return np.asarray(self.basis.y_scale, dtype=float)

    def standardized(self, X):
        """The design ``Z`` of rows of X, full layout (0 for aliased terms)."""
        b = self.basis
        u = (X - b.x_mean) / np.where(b.x_std > 0, b.x_std, 1.0)
        square = (u * u - 1.0 - b.skew * u) / np.where(b.sq_std > 0, b.sq_std, 1.0)
        Z = np.column_stack([square, u, np.ones(X.shape[0])])
        return Z * self.active

    def residuals(self, X, Y):
        """``y_ref - Z theta``, one column per target."""
        b = self.basis
        return (Y - b.y_loc) / b.y_scale - self.standardized(X) @ self.theta

    def nonrobust(self):
        """``sigma**2 (Z^T W Z)^-1`` per target, standardized units."""
        return self.inverse[None] * (self.mse / self.df_resid)[:, None, None]

    def in_data_units(self, cov):
        """``M cov M^T`` per target, in the units of ``coef_`` and y."""
        M = self.linear_map
        return (M[None] @ cov @ M.T[None]) * (self.y_scale**2)[:, None, None]

    def condition_number(self):
        """statsmodels' ``condition_number``: ``sqrt(W) Phi``'s, from the factor."""
        active = self.active
        M = self.linear_map[np.ix_(active, active)]
        # sqrt(W) Phi = sqrt(W) Z M^-1 and Z^T W Z = W R^T R: the singular
        # values of R M^-1, whatever rotation takes sqrt(W) Z to R.
        RM = np.linalg.solve(M.T, self.R.T).T
        sigma = np.linalg.svd(RM, compute_uv=False)
        return float(sigma.max() / sigma.min())


def least_squares(statistics, observations):
    """The least-squares fit of some statistics (see :class:`LeastSquares`).

    Raises
    ------
    NotInferableError
        No residual degrees of freedom.
    """
    basis = StandardBasis.from_statistics(statistics)
    descent = DescentBasis(basis, True)
    k = statistics.n_targets
    objective = GramObjective(statistics, descent, 0.0, None, np.ones(k))
    active = basis.active
    q = int(active.sum())
    n = observations.count
    if n - q <= 0:
        raise NotInferableError(
            f"Standard errors are undefined: {n} observations of positive "
            f"weight for {q} identifiable parameters leave no residual degrees "
            "of freedom (df_resid = n - 2 * n_features - 1 must be positive). "
            "Fit on more samples."
        )
    from scipy.linalg import solve_triangular

    R_inv = solve_triangular(objective.R, np.eye(q), check_finite=False)
    inverse = np.zeros((active.shape[0], active.shape[0]))
    inverse[np.ix_(active, active)] = R_inv @ R_inv.T
    unit = dataclasses.replace(basis, y_loc=np.zeros(1), y_scale=np.ones(1))
    coef, intercept = unit.data_units(np.eye(active.shape[0]))
    return LeastSquares(
        basis=basis,
        theta=descent.to_standard(objective.minimizer()),
        inverse=inverse,
        mse=objective.minimum,
        R=objective.R,
        nobs=n,
        df_resid=n - q,
        weight=float(statistics.weight),
        linear_map=np.column_stack([coef, intercept]).T,
        weighted=observations.weighted,
        variances=statistics.target_variances(),
        log_weight=observations.log_weight,
    )


class NotInferableError(ValueError):
    """A fit whose standard errors this estimator cannot stand behind."""


@dataclasses.dataclass
class Inference:
    """The numbers of a summary, one row per target.

    Attributes
    ----------
    coef : ndarray of shape (n_targets, 2 * n_features + 1)
        Coefficients in ``coef_`` order, then the intercept.
    std_err, t, p_value, ci_lower, ci_upper : ndarray, same shape
    cov : ndarray of shape (n_targets, q, q)
        The covariance of each target's coefficients (NaN for aliased terms).
    model : dict of str to ndarray of shape (n_targets,)
        Model-level figures, named as statsmodels' results attributes.
    aliased : list of str
        The terms aliased in the data (their rows are NaN).
    cov_type : str
    weighted : bool
    """

    coef: np.ndarray
    std_err: np.ndarray
    t: np.ndarray
    p_value: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    cov: np.ndarray
    model: dict
    aliased: list
    cov_type: str = "nonrobust"
    weighted: bool = False


def infer(fit, confidence_level, names, cov_type="nonrobust", passed=None):
    """Inference from a least-squares fit (and a pass over its data).

    ``passed`` is what ``_statistics.residual_pass`` read (needed for a robust
    ``cov_type``); its diagnostics join the model figures. A robust covariance
    takes the normal distribution for its tests, as statsmodels does.
    """
    cov_std = fit.nonrobust() if cov_type == "nonrobust" else passed["cov"][cov_type]
    cov = fit.in_data_units(cov_std)
    b = fit.basis
    coef_raw, intercept = b.data_units(fit.theta)
    coef = np.column_stack([coef_raw, intercept])
    std_err = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
    aliased = ~fit.active
    aliased[-1] = False
    coef[:, aliased] = std_err[:, aliased] = np.nan
    cov[:, aliased] = np.nan
    cov[:, :, aliased] = np.nan
    t = coef / std_err
    if cov_type == "nonrobust":
        law = stats.t(fit.df_resid)
    else:
        law = stats.norm()
    p_value = 2.0 * law.sf(np.abs(t))
    half = law.ppf(0.5 + confidence_level / 2.0) * std_err
    model = _model_figures(fit)
    if passed is not None:
        model.update(diagnostics(passed["sums"], passed["durbin_watson"]))
    listed = [name for name, a in zip(names, aliased) if a]
    return Inference(
        coef,
        std_err,
        t,
        p_value,
        coef - half,
        coef + half,
        cov,
        model,
        listed,
        cov_type,
        fit.weighted,
    )


def _model_figures(fit):
    """statsmodels' model-level figures of a fit with a constant."""
    n, df_resid = fit.nobs, fit.df_resid
    q = n - df_resid
    df_model = q - 1
    scale = fit.weight * fit.y_scale**2
    ssr, tss = fit.mse * scale, fit.variances * scale
    rsquared = 1.0 - ssr / tss
    with np.errstate(divide="ignore", invalid="ignore"):
        fvalue = ((tss - ssr) / df_model) / (ssr / df_resid)
        llf = -n / 2.0 * (np.log(2.0 * np.pi * ssr / n) + 1.0) + 0.5 * fit.log_weight
    k = np.ones_like(ssr)
    return {
        "nobs": n * k,
        "df_model": df_model * k,
        "df_resid": df_resid * k,
        "rsquared": rsquared,
        "rsquared_adj": 1.0 - (n - 1) / df_resid * (1.0 - rsquared),
        "fvalue": fvalue,
        "f_pvalue": stats.f.sf(fvalue, df_model, df_resid),
        "llf": llf,
        "aic": -2.0 * llf + 2.0 * q,
        "bic": -2.0 * llf + np.log(n) * q,
        "condition_number": fit.condition_number() * k,
    }


# -- the pass over the data ------------------------------------------------------


# -- the estimator's methods -------------------------------------------------------


class SummaryMixin:
    """Least-squares inference on a fitted quadratic model."""

    def summary(
        self, confidence_level=0.95, cov_type="nonrobust", X=None, y=None,
        sample_weight=None,
    ):  # fmt: skip
        """Standard errors, tests and confidence intervals, as statsmodels' OLS.

        The coefficients of ``[x**2, x, 1]`` with the inference of ordinary
        least squares (statsmodels' ``OLS``; with ``sample_weight``, weighted
        least squares, ``WLS``, the weights inverse variances), computed from
        the statistics gathered by the fit: the same numbers after
        :meth:`partial_fit` over chunks, or on Dask input, as on the whole
        data in memory. Robust standard errors and the residual diagnostics
        read the training data once more: pass it (see the User Guide).

        Parameters
        ----------
        confidence_level : float, default=0.95
            Level of the confidence intervals, in `(0, 1)`.
        cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3"}, default="nonrobust"
            The covariance of the coefficients, as statsmodels'
            ``fit(cov_type=...)``: robust ones take the normal distribution for
            their tests and intervals, as statsmodels does, and need ``X, y``.
        X : {array-like, DataFrame, Dask array} of shape (n_samples, n_features), \
                default=None
            The training data (all the chunks of :meth:`partial_fit`, in
            order), for a robust ``cov_type`` and the diagnostics. It is checked
            to be the data the model was fitted on.
        y : array-like of shape (n_samples,) or (n_samples, n_targets), \
                default=None
            Its targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Its weights.

        Returns
        -------
        table : pandas.DataFrame
            Indexed by term (:meth:`get_term_names`, then ``"intercept"``);
            with several targets, by ``(target, term)``, targets named ``y0,
            y1, ...``. Columns ``coef``, ``std_err``, ``t``, ``p_value``
            (two-sided), ``ci_lower``, ``ci_upper``. ``table.attrs["model"]``
            holds the model-level figures, one row per target, named as
            statsmodels' results attributes (``nobs``, ``df_model``,
            ``df_resid``, ``rsquared``, ``rsquared_adj``, ``fvalue``,
            ``f_pvalue``, ``llf``, ``aic``, ``bic``, ``condition_number``, and
            with data ``omnibus``, ``omnibus_pvalue``, ``skew``, ``kurtosis``,
            ``durbin_watson``, ``jarque_bera``, ``jarque_bera_pvalue``);
            ``table.attrs["turning_points"]`` is :meth:`turning_points`.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before :meth:`fit`.
        ValueError
            A penalised fit (``alpha > 0``), one not certified (``stop_reason_
            != "tol"``) more than 0.001 standard errors from least squares,
            ``precompute=False`` (no statistics kept), no residual degrees of
            freedom, a robust ``cov_type`` without data, or data that is not
            the training data. Aliased terms (R's ``lm``) are rows of NaN,
            listed in ``table.attrs["aliased"]``.
        """
        level, cov_type = self._inference_params(confidence_level, cov_type)
        fit, inference = self._inference(level, cov_type, X, y, sample_weight)
        names, targets = self._term_and_target_names()
        turning = self._turning(fit, level)
        return summary_frames(inference, names, targets, level, turning)

    def summary_text(
        self, confidence_level=0.95, cov_type="nonrobust", X=None, y=None,
        sample_weight=None,
    ):  # fmt: skip
        """The :meth:`summary` as text, laid out as statsmodels' ``summary()``.

        Parameters
        ----------
        confidence_level, cov_type, X, y, sample_weight
            As in :meth:`summary`.

        Returns
        -------
        text : str
            Per target: the model-level figures, the coefficient table, the
            diagnostics, statsmodels' notes and the turning points.
        """
        table = self.summary(confidence_level, cov_type, X, y, sample_weight)
        return format_summary(table, type(self).__name__)

    def cov_params(self, cov_type="nonrobust", X=None, y=None, sample_weight=None):
        """The covariance of the coefficients, as statsmodels' ``cov_params()``.

        Parameters
        ----------
        cov_type, X, y, sample_weight
            As in :meth:`summary`.

        Returns
        -------
        cov : pandas.DataFrame
            Indexed and columned by term (intercept last); with several
            targets by ``(target, term)`` on both axes, block-diagonal (the
            targets' estimates are independent).
        """
        _, cov_type = self._inference_params(0.95, cov_type)
        _, inference = self._inference(0.95, cov_type, X, y, sample_weight)
        return covariance_frame(inference.cov, *self._term_and_target_names())

    def get_prediction(self, X, confidence_level=0.95):
        """Predictions with confidence and prediction intervals.

        As statsmodels' ``get_prediction(exog).summary_frame(alpha)``, from
        the statistics alone (weights: the observation interval of a sample of
        unit weight, as statsmodels' default).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            New points.
        confidence_level : float, default=0.95
            Level of the intervals, in `(0, 1)`.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``mean``, ``mean_se``, ``mean_ci_lower``,
            ``mean_ci_upper``, ``obs_ci_lower``, ``obs_ci_upper``, one row per
            sample; with several targets, columns ``(target, column)``.
        """
        from sklearn.utils.validation import validate_data

        level, _ = self._inference_params(confidence_level, "nonrobust")
        fit, _ = self._inference(level, "nonrobust", None, None, None)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        Z = fit.standardized(X)
        cov = fit.nonrobust()
        y_scale = fit.y_scale
        mean = fit.basis.y_loc + (Z @ fit.theta) * y_scale
        se = np.sqrt(np.einsum("ij,tjk,ik->it", Z, cov, Z)) * y_scale
        sigma2 = fit.mse * fit.weight / fit.df_resid * y_scale**2
        obs = np.sqrt(se**2 + sigma2)
        half = stats.t.ppf(0.5 + level / 2.0, fit.df_resid)
        columns = {
            "mean": mean,
            "mean_se": se,
            "mean_ci_lower": mean - half * se,
            "mean_ci_upper": mean + half * se,
            "obs_ci_lower": mean - half * obs,
            "obs_ci_upper": mean + half * obs,
        }
        return prediction_frame(columns, self._term_and_target_names()[1])

    def turning_points(self, confidence_level=0.95):
        """Where each feature's parabola turns, and how sure that is.

        Parameters
        ----------
        confidence_level : float, default=0.95
            Level of Fieller's intervals, in `(0, 1)`.

        Returns
        -------
        points : pandas.DataFrame
            A row per feature (with several targets, per ``(target,
            feature)``): ``x``, the vertex ``-b / (2 a)`` in the feature's
            units; ``y``, the model there, the other features at their mean;
            ``kind``, ``"minimum"`` or ``"maximum"`` (``"none"`` where ``a``
            is 0 or aliased); ``std_err``, by the delta method; ``ci_lower``
            and ``ci_upper``, Fieller's interval, exact under normal errors.
            Where ``a`` is not significantly non-zero the set is two rays or
            the whole line: the interval is then ``(-inf, inf)`` and
            ``attrs["notes"]`` gives the exact set.
        """
        level, _ = self._inference_params(confidence_level, "nonrobust")
        fit, _ = self._inference(level, "nonrobust", None, None, None)
        return self._turning(fit, level)

    # -- shared ------------------------------------------------------------------

    def _inference_params(self, confidence_level, cov_type):
        from numbers import Real

        from sklearn.utils._param_validation import (
            Interval,
            StrOptions,
            validate_parameter_constraints,
        )

        validate_parameter_constraints(
            {
                "confidence_level": [Interval(Real, 0, 1, closed="neither")],
                "cov_type": [StrOptions(set(COV_TYPES))],
            },
            {"confidence_level": confidence_level, "cov_type": cov_type},
            caller_name=type(self).__name__,
        )
        return float(confidence_level), cov_type

    def _term_and_target_names(self):
        names = [*term_names(self._feature_names()), "intercept"]
        k = np.shape(np.atleast_1d(self.intercept_))[0]
        single = np.ndim(self.intercept_) == 0
        return names, ["y"] if single else [f"y{t}" for t in range(k)]

    def _turning(self, fit, level):
        """The turning points, from the least-squares fit's own covariance."""
        terms, targets = self._term_and_target_names()
        inference = infer(fit, level, terms)
        return turning_point_frame(
            inference.coef,
            inference.cov,
            fit.basis.x_mean,
            fit.df_resid,
            level,
            list(self._feature_names()),
            targets,
        )

    def _inference(self, confidence_level, cov_type, X, y, sample_weight):
        """The least-squares fit and its inference, refused where it would not
        stand (see :meth:`summary`)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        if self.stop_reason_ == "no_weight":
            raise ValueError(
                "summary() needs samples of positive weight, but every sample "
                "partial_fit has seen so far has weight 0: pass a chunk with "
                "positive weights first."
            )
        if self._fitted_alpha > 0:
            raise ValueError(
                f"summary() needs an unpenalised fit, but it was fitted with "
                f"alpha={self._fitted_alpha}: the penalty shrinks the "
                "coefficients, and least squares' standard errors and tests do "
                "not hold for them. Fit with alpha=0."
            )
        statistics = getattr(self, "_stats", None)
        observations = getattr(self, "_observations", None)
        if statistics is None or observations is None:
            raise ValueError(
                "summary() computes from the statistics a fit gathers, but this "
                "fit kept none (precompute=False, or early_stopping on Dask "
                "input). Fit with precompute='auto' or True."
            )
        names, _ = self._term_and_target_names()
        try:
            fit = least_squares(statistics, observations)
        except NotInferableError as exc:
            raise ValueError(str(exc)) from None
        inference = infer(fit, confidence_level, names)
        self._check_certified(inference)
        if X is None and y is None and sample_weight is None:
            if cov_type != "nonrobust":
                raise ValueError(
                    f"cov_type={cov_type!r} reads the residuals: pass the "
                    f"training data, summary(cov_type={cov_type!r}, X=X, y=y) "
                    "(and its sample_weight)."
                )
            return fit, inference
        passed = residual_pass(fit, self._training_chunks(X, y, sample_weight))
        return fit, infer(fit, confidence_level, names, cov_type, passed)

    def _check_certified(self, inference):
        """An uncertified fit must be the least-squares one, within 1e-3 std err."""
        if self.stop_reason_ == "tol":
            return
        fitted = np.column_stack(
            [np.atleast_2d(self.coef_), np.atleast_1d(self.intercept_)]
        )
        error = np.abs(fitted - inference.coef) / np.maximum(inference.std_err, 1e-300)
        off = float(np.nanmax(error))
        if off > _SAME_FIT:
            raise ValueError(
                f"summary() needs the least-squares minimum, but this fit "
                f"stopped before it was certified (stop_reason_="
                f"{self.stop_reason_!r}): its coefficients are up to {off:.3g} "
                f"standard errors from them. Fit with solver='{Newton.name}', "
                "or with more max_iter."
            )

    def _training_chunks(self, X, y, sample_weight):
        """``(X, Y, w)`` of the data passed, chunk by chunk, validated."""
        if X is None or y is None:
            raise ValueError(
                "Pass both X and y (the training data) to read the residuals."
            )
        if is_dask(X) or is_dask(y) or is_dask(sample_weight):
            from ._dask import dask_row_blocks

            return dask_row_blocks(
                X, y, sample_weight, type(self).__name__, self.n_features_in_
            )
        return training_chunks(self, X, y, sample_weight, _CHUNK_ROWS)
