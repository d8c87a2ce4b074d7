# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Ordinary (weighted) least squares inference from the sufficient statistics.

The fitted model is least squares on ``phi = [x**2, x, 1]``; with independent
errors of variance ``sigma**2 / w_i`` its estimate has covariance ``sigma**2
(Phi^T W Phi)^-1``, estimated with ``sigma**2 = sum(w r**2) / df_resid``, as
statsmodels' ``OLS`` and ``WLS`` do. Everything comes from the statistics (the
weighted Gram of ``[x**2, x, 1, y]``, kept centred about a reference) and the
tally of the observations: never from the data again.

The covariance is formed in the standardized basis, where the Gram is well
conditioned whatever the offset and scale of X: with ``G`` the weighted mean
Gram there (targets in units of ``y_scale``) and ``mse`` the weighted mean
squared residual, ``cov_basis = mse / df_resid * G^-1`` (the weights' scale
cancels). The map to the coefficients in X's units is linear,
``beta = M theta``, so ``cov = M cov_basis M^T``.
"""

import dataclasses
from numbers import Real

import numpy as np
from scipy import stats

from ._basis import DescentBasis, StandardBasis
from ._objective import GramObjective
from ._outputs import term_names
from ._solvers import Newton

#: The columns of the coefficient table.
COLUMNS = ("coef", "std_err", "t", "p_value", "ci_lower", "ci_upper")
#: The model-level figures, named as statsmodels' results attributes.
# A fit not certified at tol (stopped early, or its rounding beyond what tol
# asks) is still summarized when its coefficients are within this many
# standard errors of the least-squares ones: no inference can tell them apart.
_SAME_FIT = 1e-3
MODEL_COLUMNS = (
    "nobs",
    "df_model",
    "df_resid",
    "rsquared",
    "rsquared_adj",
    "fvalue",
    "f_pvalue",
    "llf",
    "aic",
    "bic",
)


@dataclasses.dataclass
class Inference:
    """The numbers of a summary, one row per target.

    Attributes
    ----------
    coef : ndarray of shape (n_targets, 2 * n_features + 1)
        Coefficients in ``coef_`` order, then the intercept.
    std_err, t, p_value, ci_lower, ci_upper : ndarray, same shape
    model : dict of str to ndarray of shape (n_targets,)
        The figures of :data:`MODEL_COLUMNS`.
    aliased : list of str
        The terms aliased in the data (their rows are NaN).
    """

    coef: np.ndarray
    std_err: np.ndarray
    t: np.ndarray
    p_value: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    model: dict
    aliased: list = dataclasses.field(default_factory=list)


class NotInferableError(ValueError):
    """A fit whose standard errors this estimator cannot stand behind."""


def infer(statistics, observations, confidence_level, names):
    """Least-squares inference from the statistics of a fit.

    Parameters
    ----------
    statistics : QuadraticStatistics
    observations : Observations
    confidence_level : float
    names : sequence of str
        Term names in ``coef_`` order, then ``"intercept"``.

    Returns
    -------
    inference : Inference
        Aliased terms (R's ``lm``: a constant feature, the square of a
        two-valued one, a duplicated one) have NaN in every column; the other
        rows are those of least squares without them.

    Raises
    ------
    NotInferableError
        No residual degrees of freedom.
    """
    basis = StandardBasis.from_statistics(statistics)
    descent = DescentBasis(basis, True)
    k = statistics.n_targets
    objective = GramObjective(statistics, descent, 0.0, None, np.ones(k))
    theta = objective.minimizer()
    active = basis.active
    q = int(active.sum())
    n = observations.count
    df_resid = n - q
    if df_resid <= 0:
        raise NotInferableError(
            f"Standard errors are undefined: {n} observations of positive "
            f"weight for {q} identifiable parameters leave no residual degrees "
            "of freedom (df_resid = n - 2 * n_features - 1 must be positive). "
            "Fit on more samples."
        )
    y_scale = np.asarray(statistics.reference.y_scale, dtype=float)
    mse = objective.minimum  # each target's minimum, y_ref units
    # (R^T R)^-1 = R^-1 R^-T, from the factor: no Gram is inverted.
    R_inv = _inverse_upper(objective.R)
    inverse = np.zeros((active.shape[0], active.shape[0]))
    inverse[np.ix_(active, active)] = R_inv @ R_inv.T
    # Coefficients in X's units are linear in theta once y_loc is left out.
    linear_map = _linear_map(basis)
    cov_basis = inverse[None] * (mse / df_resid)[:, None, None]
    cov = linear_map[None] @ cov_basis @ linear_map.T[None]
    coef_raw, intercept = basis.data_units(descent.to_standard(theta))
    coef = np.column_stack([coef_raw, intercept])
    std_err = np.sqrt(np.diagonal(cov, axis1=1, axis2=2)) * y_scale[:, None]
    aliased = np.zeros(coef.shape[1], bool)
    aliased[:-1] = ~active[:-1]
    coef[:, aliased] = np.nan
    std_err[:, aliased] = np.nan
    t = coef / std_err
    p_value = 2.0 * stats.t.sf(np.abs(t), df_resid)
    half = stats.t.ppf(0.5 + confidence_level / 2.0, df_resid) * std_err
    weight = statistics.weight
    ssr = weight * mse * y_scale**2
    tss = weight * statistics.target_variances() * y_scale**2
    model = _model_figures(n, q, ssr, tss, observations.log_weight)
    listed = [name for name, a in zip(names, aliased) if a]
    return Inference(coef, std_err, t, p_value, coef - half, coef + half, model, listed)


def _inverse_upper(R):
    """``R^-1`` of an upper-triangular R."""
    from scipy.linalg import solve_triangular

    return solve_triangular(R, np.eye(R.shape[0]), check_finite=False)


def _linear_map(basis):
    """``M`` with ``[coef, intercept] = M theta`` (full layout, y_loc left out)."""
    unit = dataclasses.replace(basis, y_loc=np.zeros(1), y_scale=np.ones(1))
    q = basis.active.shape[0]
    coef, intercept = unit.data_units(np.eye(q))
    return np.column_stack([coef, intercept]).T


def _model_figures(n, q, ssr, tss, log_weight):
    """statsmodels' model-level figures of a fit with a constant."""
    df_model = q - 1
    df_resid = n - q
    rsquared = 1.0 - ssr / tss
    with np.errstate(divide="ignore", invalid="ignore"):
        fvalue = ((tss - ssr) / df_model) / (ssr / df_resid)
        llf = -n / 2.0 * (np.log(2.0 * np.pi * ssr / n) + 1.0) + 0.5 * log_weight
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
    }


def summary_frames(inference, names, target_names, confidence_level):
    """The coefficient table and the model figures, as pandas DataFrames."""
    import pandas as pd

    blocks = np.stack([getattr(inference, c) for c in COLUMNS], axis=-1)
    if len(target_names) == 1:
        index = pd.Index(names, name="term")
        table = pd.DataFrame(blocks[0], index=index, columns=list(COLUMNS))
    else:
        index = pd.MultiIndex.from_product(
            [target_names, names], names=["target", "term"]
        )
        table = pd.DataFrame(
            blocks.reshape(-1, len(COLUMNS)), index=index, columns=list(COLUMNS)
        )
    model = pd.DataFrame(
        {c: inference.model[c] for c in MODEL_COLUMNS},
        index=pd.Index(target_names, name="target"),
    )
    for column in ("nobs", "df_model", "df_resid"):
        model[column] = model[column].astype(int)
    table.attrs = {
        "model": model,
        "confidence_level": confidence_level,
        "aliased": list(inference.aliased),
    }
    return table


def format_summary(table, title="QuadraticGDRegressor", dependent=None):
    """The summary as text, laid out as statsmodels' ``summary()``.

    ``dependent`` renames targets in the header (``{"y": "yield"}``).
    """
    dependent = dependent or {}
    model = table.attrs["model"]
    level = table.attrs["confidence_level"]
    lo, hi = (1 - level) / 2, (1 + level) / 2
    lines = []
    for target in model.index:
        figures = model.loc[target]
        rows = table if table.index.nlevels == 1 else table.loc[target]
        term_width = max(12, *(len(str(t)) for t in rows.index)) + 1
        width = max(78, term_width + 66)
        left = [
            ("Dep. Variable:", str(dependent.get(target, target))),
            ("Model:", title),
            ("Method:", "Least Squares"),
            ("No. Observations:", str(int(figures["nobs"]))),
            ("Df Residuals:", str(int(figures["df_resid"]))),
            ("Df Model:", str(int(figures["df_model"]))),
            ("Covariance Type:", "nonrobust"),
        ]
        right = [
            ("R-squared:", f"{figures['rsquared']:.3f}"),
            ("Adj. R-squared:", f"{figures['rsquared_adj']:.3f}"),
            ("F-statistic:", f"{figures['fvalue']:.4g}"),
            ("Prob (F-statistic):", f"{figures['f_pvalue']:.3g}"),
            ("Log-Likelihood:", f"{figures['llf']:.5g}"),
            ("AIC:", f"{figures['aic']:.4g}"),
            ("BIC:", f"{figures['bic']:.4g}"),
        ]
        lines.append("Least-squares summary of the quadratic model".center(width))
        lines.append("=" * width)
        for (a, b), (c, d) in zip(left, right):
            lines.append(f"{a:<18}{b:>20}   {c:<22}{d:>15}")
        lines.append("=" * width)
        header = ["coef", "std err", "t", "P>|t|", f"[{lo:.3g}", f"{hi:.3g}]"]
        lines.append(" " * term_width + "".join(f"{h:>11}" for h in header))
        lines.append("-" * width)
        for term, row in rows.iterrows():
            values = [row["coef"], row["std_err"], row["t"]]
            cells = [f"{v:>11.4g}" for v in values]
            cells.append(f"{row['p_value']:>11.3f}")
            cells += [f"{row['ci_lower']:>11.4g}", f"{row['ci_upper']:>11.4g}"]
            lines.append(f"{str(term):<{term_width}}" + "".join(cells))
        lines.append("=" * width)
        aliased = table.attrs.get("aliased", [])
        if aliased:
            # R's summary.lm: "(k not defined because of singularities)".
            lines.append(
                f"{len(aliased)} not defined because of singularities "
                f"(aliased in the data): {', '.join(aliased)}."
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n")


class SummaryMixin:
    """Least-squares inference on a fitted quadratic model (``summary``)."""

    def summary(self, confidence_level=0.95):
        """Standard errors, t tests and confidence intervals, as statsmodels' OLS.

        The coefficients of ``[x**2, x, 1]`` with the inference of ordinary
        least squares (statsmodels' ``OLS``; with ``sample_weight``, weighted
        least squares, ``WLS``, the weights inverse variances), computed from
        the statistics gathered by the fit: the same numbers after
        :meth:`partial_fit` over chunks, or on Dask input, as on the whole
        data in memory. Read more in the User Guide.

        Parameters
        ----------
        confidence_level : float, default=0.95
            Level of the confidence intervals, in `(0, 1)`.

        Returns
        -------
        table : pandas.DataFrame
            Indexed by term (:meth:`get_term_names`, then ``"intercept"``);
            with several targets, by ``(target, term)``, targets named
            ``y0, y1, ...``. Columns ``coef``, ``std_err``, ``t``, ``p_value``
            (two-sided), ``ci_lower`` and ``ci_upper``. ``table.attrs["model"]``
            holds the model-level figures, one row per target, named as
            statsmodels' results attributes: ``nobs``, ``df_model``,
            ``df_resid``, ``rsquared``, ``rsquared_adj``, ``fvalue``,
            ``f_pvalue``, ``llf``, ``aic``, ``bic``; :meth:`summary_text` lays
            both out as statsmodels prints them.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before :meth:`fit`.
        ValueError
            What the numbers would not stand for: a penalised fit (``alpha >
            0``: not least squares), a fit not certified at its minimum
            (``stop_reason_ != "tol"``) whose coefficients are more than
            0.001 standard errors from the least-squares ones, one with
            ``precompute=False`` (which
            keeps no statistics), or no residual degrees of freedom. Terms
            aliased in the data (R's ``lm``: a constant feature, the square of
            a two-valued one, a duplicated one) are rows of NaN, listed in
            ``table.attrs["aliased"]``; the other rows are least squares
            without them.
        """
        from sklearn.utils._param_validation import (
            Interval,
            validate_parameter_constraints,
        )
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        validate_parameter_constraints(
            {"confidence_level": [Interval(Real, 0, 1, closed="neither")]},
            {"confidence_level": confidence_level},
            caller_name="summary",
        )
        names = [*term_names(self._feature_names()), "intercept"]
        inference = self._inference(float(confidence_level), names)
        k = np.shape(np.atleast_1d(self.intercept_))[0]
        targets = (
            ["y"] if np.ndim(self.intercept_) == 0 else [f"y{t}" for t in range(k)]
        )
        return summary_frames(inference, names, targets, float(confidence_level))

    def summary_text(self, confidence_level=0.95):
        """The :meth:`summary` as text, laid out as statsmodels' ``summary()``.

        Parameters
        ----------
        confidence_level : float, default=0.95
            Level of the confidence intervals, in `(0, 1)`.

        Returns
        -------
        text : str
            A header of model-level figures and the coefficient table, one
            block per target.
        """
        return format_summary(self.summary(confidence_level), type(self).__name__)

    def _inference(self, confidence_level, names):
        if self.stop_reason_ == "no_weight":
            raise ValueError(
                "summary() needs samples of positive weight, but every sample "
                "partial_fit has seen so far has weight 0: pass a chunk with "
                "positive weights first."
            )
        alpha = self._fitted_alpha
        if alpha > 0:
            raise ValueError(
                f"summary() needs an unpenalised fit, but it was fitted with "
                f"alpha={alpha}: the "
                "penalty shrinks the coefficients, and least squares' standard "
                "errors and tests do not hold for them. Fit with alpha=0."
            )
        statistics = getattr(self, "_stats", None)
        observations = getattr(self, "_observations", None)
        if statistics is None or observations is None:
            raise ValueError(
                "summary() computes from the statistics a fit gathers, but this "
                "fit kept none (precompute=False, or early_stopping on Dask "
                "input). Fit with precompute='auto' or True."
            )
        try:
            inference = infer(statistics, observations, confidence_level, names)
        except NotInferableError as exc:
            raise ValueError(str(exc)) from None
        if self.stop_reason_ != "tol" and self._standard_errors_off(inference) > (
            _SAME_FIT
        ):
            raise ValueError(
                f"summary() needs the least-squares minimum, but this fit "
                f"stopped before it was certified (stop_reason_="
                f"{self.stop_reason_!r}): {self._distance(inference)} Fit with "
                f"solver='{Newton.name}', or with more max_iter."
            )
        return inference

    def _standard_errors_off(self, inference):
        """How many standard errors the fitted coefficients are from the
        least-squares ones, at most."""
        fitted = np.column_stack(
            [np.atleast_2d(self.coef_), np.atleast_1d(self.intercept_)]
        )
        error = np.abs(fitted - inference.coef) / np.maximum(inference.std_err, 1e-300)
        return float(np.nanmax(error))

    def _distance(self, inference):
        """How far the fitted coefficients are from the least-squares ones."""
        return (
            "its coefficients are up to "
            f"{self._standard_errors_off(inference):.3g} standard errors from them."
        )
