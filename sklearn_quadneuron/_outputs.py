# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The fitted model in forms people read: terms, equation, history, inference.

Term names, the equation, polynomials and the history
(:class:`ReadableTermsMixin`); the inference of ``_summary`` as tables and as
statsmodels lays its text out, and the turning point of each parabola with
Fieller's interval. Coefficient layout (one target): ``coef = [a_1 .. a_p, b_1
.. b_p]`` and a single intercept ``c``, for ``y_hat = c + sum_j a_j x_j**2 +
b_j x_j``; several targets add a leading target axis.
"""

from numbers import Integral

import numpy as np
from numpy.polynomial import Polynomial
from scipy import stats
from sklearn.utils.validation import check_is_fitted


def feature_names(n_features, names_in=None):
    """Names of the features: the DataFrame's columns, else ``x0, x1, ...``."""
    if names_in is not None:
        return list(names_in)
    return [f"x{j}" for j in range(n_features)]


# Columns of the training history besides the terms: a feature may not take them.
_RESERVED = ("epoch", "loss", "validation_loss", "intercept")


def _plain(name):
    """Whether a feature name reads unambiguously inside a term and an equation."""
    return (
        name.replace("_", "a").replace(".", "a").isalnum()
        and name not in _RESERVED
        and not name[:1].isdigit()
    )


def term_names(feature_names):
    """Names of the coefficients in ``coef`` order: squares first, then linear.

    ``x`` gives ``x^2`` and ``x``. A name that would read ambiguously (one with
    operators, spaces or ``^`` in it, one of the history's column names, one
    starting with a digit) is wrapped in parentheses: columns ``x`` and ``x^2``
    give ``x^2``, ``(x^2)^2``, ``x`` and ``(x^2)``. Names still equal after
    that (duplicate columns) are numbered: ``x[0]``, ``x[1]``.
    """
    names = [str(name) for name in feature_names]
    names = [name if _plain(name) else f"({name})" for name in names]
    seen = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    names = [f"{name}[{j}]" if seen[name] > 1 else name for j, name in enumerate(names)]
    return np.asarray([f"{name}^2" for name in names] + names, dtype=object)


def format_equation(coef, intercept, feature_names, target_name="y", precision=6):
    """``y = a*x^2 + b*x + c`` with the given names, terms in ``coef`` order."""
    names = term_names(feature_names)
    parts = []
    for value, name in zip(coef, names):
        parts.append((value, f"*{name}"))
    parts.append((intercept, ""))
    text = ""
    for i, (value, suffix) in enumerate(parts):
        number = f"{abs(value):.{precision}g}"
        if i == 0:
            text = ("-" if value < 0 else "") + number + suffix
        else:
            text += (" - " if value < 0 else " + ") + number + suffix
    return f"{target_name} = {text}"


def equation(coef, intercept, feature_names, precision):
    """One line per target: ``y = ...``, or ``y0 = ...``, ``y1 = ...``."""
    if (
        isinstance(precision, bool)
        or not isinstance(precision, Integral)
        or precision < 1
    ):
        raise ValueError(
            f"precision must be an integer >= 1 (significant digits), got "
            f"{precision!r}."
        )
    if np.ndim(intercept) == 0:
        return format_equation(coef, intercept, feature_names, "y", precision)
    return "\n".join(
        format_equation(c, i, feature_names, f"y{t}", precision)
        for t, (c, i) in enumerate(zip(coef, intercept))
    )


def polynomials(coef, intercept, n_features):
    """One Polynomial per feature (per target), the intercept in the first."""
    p = n_features
    per_target = [
        [Polynomial([c0 if j == 0 else 0.0, c[p + j], c[j]]) for j in range(p)]
        for c, c0 in zip(np.atleast_2d(coef), np.atleast_1d(intercept))
    ]
    return per_target[0] if np.ndim(intercept) == 0 else per_target


def history(loss_curve, validation_loss_curve, names, coef_path, intercept_path):
    """The columns of the training history, one row per epoch.

    ``coef_path`` and ``intercept_path`` (or None) hold the parameters after 0 to
    n updates; each epoch's row shows those its loss was measured at.
    """
    n_iter = len(loss_curve)
    columns = {"epoch": np.arange(1, n_iter + 1), "loss": loss_curve}
    if len(validation_loss_curve):
        columns["validation_loss"] = validation_loss_curve
    if coef_path is None:
        return columns
    names = [*names, "intercept"]
    coefs, intercepts = coef_path[:n_iter], intercept_path[:n_iter]
    if intercepts.ndim == 1:
        values = np.column_stack([coefs, intercepts])
        columns.update(zip(names, values.T))
        return columns
    for t in range(intercepts.shape[1]):
        values = np.column_stack([coefs[:, t], intercepts[:, t]])
        columns.update(
            (f"{name}[y{t}]", column) for name, column in zip(names, values.T)
        )
    return columns


class ReadableTermsMixin:
    """Readable forms of a fitted quadratic model, for an estimator with ``coef_``.

    Reads ``coef_``, ``intercept_``, ``n_features_in_`` (and
    ``feature_names_in_``), ``loss_curve_``, ``validation_loss_curve_`` and, when
    recorded, ``coef_path_`` and ``intercept_path_``.
    """

    def get_term_names(self):
        """Names of the coefficients, in ``coef_`` order.

        Returns
        -------
        names : ndarray of str objects of shape (2 * `n_features_in_`,)
            ``"<feature>^2"`` for the quadratic terms, then ``"<feature>"`` for
            the linear ones; features are named after the DataFrame columns seen
            in :meth:`fit`, else ``x0, x1, ...``. The names are always distinct:
            a column name that would read ambiguously (``"x^2"`` beside ``"x"``,
            ``"loss"``, ``"a + b"``) is wrapped in parentheses, and duplicated
            names are numbered.
        """
        check_is_fitted(self)
        return term_names(self._feature_names())

    def equation(self, precision=6):
        """The fitted model as text, for example ``y = 10*x0^2 + 5*x0 + 12``.

        Parameters
        ----------
        precision : int, default=6
            Significant digits of each coefficient, at least 1.

        Returns
        -------
        equation : str
            One line per target (``y0 = ...``, ``y1 = ...`` for several).
        """
        check_is_fitted(self)
        return equation(self.coef_, self.intercept_, self._feature_names(), precision)

    def to_polynomials(self):
        """One :class:`numpy.polynomial.Polynomial` per feature.

        The intercept is placed in the first feature's polynomial, so that
        ``sum(P[j](X[:, j]) for j)`` equals :meth:`predict`; with one feature,
        ``P[0]`` is the whole model (coefficients lowest power first: c, b, a).

        Returns
        -------
        polynomials : list of Polynomial
            One polynomial per feature; for multi-output models, one such list
            per target.
        """
        check_is_fitted(self)
        return polynomials(self.coef_, self.intercept_, self.n_features_in_)

    def get_history(self):
        """The training history as a pandas DataFrame, one row per epoch.

        Returns
        -------
        history : pandas.DataFrame
            Columns ``epoch`` (1 to ``n_iter_``), ``loss`` (``loss_curve_``),
            ``validation_loss`` with ``early_stopping=True``, and, when fitted with
            ``record_path=True``, one column per coefficient (named as in
            :meth:`get_term_names`) and ``intercept``: the parameters at which that
            epoch's loss was measured, before its update. Multi-output models
            suffix each parameter column with ``[y<t>]``.
        """
        import pandas as pd

        check_is_fitted(self)
        columns = history(
            self.loss_curve_,
            self.validation_loss_curve_,
            self.get_term_names(),
            getattr(self, "coef_path_", None),
            getattr(self, "intercept_path_", None),
        )
        return pd.DataFrame(columns)

    def _feature_names(self):
        check_is_fitted(self)
        return feature_names(
            self.n_features_in_, getattr(self, "feature_names_in_", None)
        )


def feature_importances(estimator):
    """How much each feature moves the fitted model's predictions.

    For a feature ``x`` with coefficients ``a`` (of ``x**2``) and ``b`` (of
    ``x``), the standard deviation over the training data of its part of the
    prediction, ``a * x**2 + b * x``: both of its terms at once, on the scale
    of the prediction, whatever the feature's own units and offset. From the
    standardized basis the fit descended in (``x = m + s u``, ``u**2 = 1 +
    skew u + q u2`` with ``u`` and ``u2`` uncorrelated, of unit variance), it
    is ``sqrt((2 a m s + b s + a s**2 skew)**2 + (a s**2 q)**2)``. With
    several targets, each target's importances as shares of their sum, summed
    over the targets.

    Pass it to scikit-learn's feature selection, whose default reads
    ``coef_`` and expects one number per feature where this model has two:
    ``RFE(model, importance_getter=feature_importances)``,
    ``SelectFromModel(model, importance_getter=feature_importances)``.

    Parameters
    ----------
    estimator : QuadraticGDRegressor
        Fitted.

    Returns
    -------
    importances : ndarray of shape (n_features,)
        Not negative; 0 for a feature the model does not use.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.feature_selection import SelectFromModel
    >>> from sklearn_quadneuron import QuadraticGDRegressor, feature_importances
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3))
    >>> y = X[:, 0] ** 2 + 0.01 * X[:, 2]
    >>> selector = SelectFromModel(
    ...     QuadraticGDRegressor(), importance_getter=feature_importances
    ... ).fit(X, y)
    >>> selector.get_support()
    array([ True, False, False])
    """
    check_is_fitted(estimator)
    m, s, skew, q = estimator._feature_scales
    p = m.shape[0]
    coef = np.atleast_2d(estimator.coef_).astype(np.float64)
    a, b = coef[:, :p], coef[:, p:]
    linear = 2.0 * a * m * s + b * s + a * s * s * skew
    importances = np.hypot(linear, a * s * s * q)
    if importances.shape[0] == 1:
        return importances[0]
    totals = importances.sum(axis=1, keepdims=True)
    return (importances / np.where(totals > 0, totals, 1.0)).sum(axis=0)


# -- inference, as people read it -------------------------------------------------

#: The columns of the coefficient table.
COLUMNS = ("coef", "std_err", "t", "p_value", "ci_lower", "ci_upper")
_DIAGNOSTICS = (
    ("Omnibus:", "omnibus", ".3f"),
    ("Prob(Omnibus):", "omnibus_pvalue", ".3f"),
    ("Skew:", "skew", ".3f"),
    ("Kurtosis:", "kurtosis", ".3f"),
    ("Durbin-Watson:", "durbin_watson", ".3f"),
    ("Jarque-Bera (JB):", "jarque_bera", ".3f"),
    ("Prob(JB):", "jarque_bera_pvalue", ".3g"),
    ("Cond. No.", "condition_number", ".3g"),
)
# statsmodels notes a condition number above this as large.
_LARGE_CONDITION = 1000.0


def _indexed(values, names, targets, columns):
    """A DataFrame of per-target rows: by name, or by (target, name)."""
    import pandas as pd

    if len(targets) == 1:
        return pd.DataFrame(values[0], pd.Index(names, name="term"), columns)
    index = pd.MultiIndex.from_product([targets, names], names=["target", "term"])
    return pd.DataFrame(values.reshape(-1, values.shape[-1]), index, columns)


def covariance_frame(cov, names, targets):
    """Each target's covariance, by term; block-diagonal by (target, term)."""
    import pandas as pd

    k, q = cov.shape[:2]
    if k == 1:
        index = pd.Index(names, name="term")
        return pd.DataFrame(cov[0], index=index, columns=index)
    full = np.zeros((k * q, k * q))
    for t in range(k):
        full[t * q : (t + 1) * q, t * q : (t + 1) * q] = cov[t]
    index = pd.MultiIndex.from_product([targets, names], names=["target", "term"])
    return pd.DataFrame(full, index=index, columns=index)


def prediction_frame(columns, targets):
    """statsmodels' ``summary_frame`` of predictions; by (target, column) for
    several targets."""
    import pandas as pd

    if len(targets) == 1:
        return pd.DataFrame({name: v[:, 0] for name, v in columns.items()})
    return pd.DataFrame(
        {(t, n): v[:, i] for i, t in enumerate(targets) for n, v in columns.items()}
    )


def summary_frames(inference, names, targets, confidence_level, turning=None):
    """The coefficient table, with the model figures and notes in its attrs."""
    import pandas as pd

    blocks = np.stack([getattr(inference, c) for c in COLUMNS], axis=-1)
    table = _indexed(blocks, names, targets, list(COLUMNS))
    model = pd.DataFrame(inference.model, index=pd.Index(targets, name="target"))
    for column in ("nobs", "df_model", "df_resid"):
        model[column] = model[column].astype(int)
    table.attrs = {
        "model": model,
        "confidence_level": confidence_level,
        "aliased": list(inference.aliased),
        "cov_type": inference.cov_type,
        "weighted": inference.weighted,
        "turning_points": turning,
    }
    return table


def format_summary(table, title="QuadraticGDRegressor", dependent=None):
    """The summary as text, laid out as statsmodels' ``summary()``.

    ``dependent`` renames targets in the header (``{"y": "yield"}``).
    """
    dependent, attrs = dependent or {}, table.attrs
    model, level = attrs["model"], attrs["confidence_level"]
    cov_type = attrs.get("cov_type", "nonrobust")
    lines = []
    for target in model.index:
        figures = model.loc[target]
        rows = table if table.index.nlevels == 1 else table.loc[target]
        term_width = max(12, *(len(str(t)) for t in rows.index)) + 1
        width = max(78, term_width + 66)
        left = [
            ("Dep. Variable:", str(dependent.get(target, target))),
            ("Model:", "WLS" if attrs.get("weighted") else "OLS"),
            ("Method:", "Least Squares"),
            ("No. Observations:", str(int(figures["nobs"]))),
            ("Df Residuals:", str(int(figures["df_resid"]))),
            ("Df Model:", str(int(figures["df_model"]))),
            ("Covariance Type:", cov_type),
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
        lines.append(f"{title}: least-squares summary".center(width))
        lines += _pairs(left, right, width)
        lines += _coefficients(rows, term_width, width, level, cov_type)
        present = [d for d in _DIAGNOSTICS if d[1] in figures.index]
        cells = [(label, format(figures[key], spec)) for label, key, spec in present]
        half = (len(cells) + 1) // 2
        lines += _pairs(cells[:half], cells[half:], width)
        lines += _notes(attrs, figures, cov_type, width)
        lines += _turning_lines(attrs.get("turning_points"), target, level)
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def _pairs(left, right, width):
    """Two columns of labelled figures between rules, as statsmodels lays them."""
    lines = ["=" * width]
    blank = ("", "")
    for i in range(max(len(left), len(right))):
        (a, b), (c, d) = (left + [blank] * 9)[i], (right + [blank] * 9)[i]
        lines.append(f"{a:<18}{b:>20}   {c:<22}{d:>15}".rstrip())
    lines.append("=" * width)
    return lines


def _coefficients(rows, term_width, width, level, cov_type):
    lo, hi = (1 - level) / 2, (1 + level) / 2
    stat = "t" if cov_type == "nonrobust" else "z"
    header = ["coef", "std err", stat, f"P>|{stat}|", f"[{lo:.3g}", f"{hi:.3g}]"]
    lines = [" " * term_width + "".join(f"{h:>11}" for h in header), "-" * width]
    for term, row in rows.iterrows():
        cells = [f"{row[c]:>11.4g}" for c in ("coef", "std_err", "t")]
        cells.append(f"{row['p_value']:>11.3f}")
        cells += [f"{row['ci_lower']:>11.4g}", f"{row['ci_upper']:>11.4g}"]
        lines.append(f"{str(term):<{term_width}}" + "".join(cells))
    return lines


def _notes(attrs, figures, cov_type, width):
    """statsmodels' notes under the table, and R's line on aliased terms."""
    notes = [
        "Standard Errors assume that the covariance matrix of the errors is "
        "correctly specified."
        if cov_type == "nonrobust"
        else f"Standard Errors are heteroscedasticity robust ({cov_type})"
    ]
    condition = figures.get("condition_number", np.nan)
    if condition > _LARGE_CONDITION:
        notes.append(
            f"The condition number is large, {condition:.2g}. This might "
            "indicate that there are strong multicollinearity or other "
            "numerical problems."
        )
    aliased = attrs.get("aliased", [])
    if aliased:
        # R's summary.lm: "(k not defined because of singularities)".
        notes.append(
            f"{len(aliased)} not defined because of singularities (aliased in "
            f"the data): {', '.join(aliased)}."
        )
    import textwrap

    lines = ["", "Notes:"]
    for i, note in enumerate(notes, 1):
        lines += textwrap.wrap(f"[{i}] {note}", width)
    return lines


def _turning_lines(turning, target, level):
    """The vertex of each feature's parabola, with Fieller's interval."""
    if turning is None:
        return []
    rows = turning if turning.index.nlevels == 1 else turning.loc[target]
    lines = ["", f"Turning points (vertex -b/2a, Fieller's {level:.3g} interval):"]
    for feature, row in rows.iterrows():
        if row["kind"] == "none":
            lines.append(f"  {feature}: no curvature (a = 0 or aliased)")
            continue
        lines.append(
            f"  {feature}: {row['kind']} at x = {row['x']:.6g} (y = {row['y']:.6g}),"
            f" std err {row['std_err']:.3g}, interval "
            f"[{row['ci_lower']:.6g}, {row['ci_upper']:.6g}]"
        )
    for note in turning.attrs.get("notes", []):
        lines.append(f"  {note}")
    return lines


def turning_point_frame(coef, cov, x_mean, df_resid, confidence_level, names, targets):
    """The vertex of each feature's parabola per target, and its uncertainty.

    ``x = -b / (2 a)``; ``y`` is the model there, the other features at their
    (weighted) mean; ``std_err`` by the delta method; ``ci_lower``,
    ``ci_upper`` Fieller's interval: the ``x`` for which ``b + 2 a x = 0`` is
    not rejected at the level, ``(b + 2 a x)**2 <= t**2 Var(b + 2 a x)``, a
    quadratic inequality in ``x``. Where ``a`` is not significantly non-zero
    that set is two rays or the whole line: the interval is then ``(-inf,
    inf)`` and ``attrs["notes"]`` gives the set.
    """
    import pandas as pd

    p = x_mean.shape[0]
    quantile = stats.t.ppf(0.5 + confidence_level / 2.0, df_resid)
    rows, notes = [], []
    for t, target in enumerate(targets):
        # Aliased terms (NaN) are left out of the model, as in the fit.
        c = np.nan_to_num(coef[t], nan=0.0)
        base = c[-1] + c[:p] @ x_mean**2 + c[p : 2 * p] @ x_mean
        for j in range(p):
            a, b = coef[t][j], coef[t][p + j]
            V = cov[t][np.ix_([j, p + j], [j, p + j])]
            row = _turning_point(a, b, V, quantile)
            if np.isfinite(row[0]):
                others = base - c[j] * x_mean[j] ** 2 - c[p + j] * x_mean[j]
                row[1] = others + a * row[0] ** 2 + b * row[0]
            rows.append(row)
            label = names[j] if len(targets) == 1 else f"{target}, {names[j]}"
            if row[-1]:
                notes.append(f"{label}: {row[-1]}")
    columns = ["x", "y", "kind", "std_err", "ci_lower", "ci_upper", "set"]
    if len(targets) == 1:
        index = pd.Index(names, name="feature")
    else:
        index = pd.MultiIndex.from_product(
            [targets, names], names=["target", "feature"]
        )
    frame = pd.DataFrame(rows, index=index, columns=columns).drop(columns="set")
    frame.attrs = {"confidence_level": confidence_level, "notes": notes}
    return frame


def _turning_point(a, b, V, quantile):
    """``[x, y, kind, std_err, ci_lower, ci_upper, note]`` of one parabola."""
    if not (np.isfinite(a) and a != 0 and np.isfinite(b)):
        return [np.nan, np.nan, "none", np.nan, np.nan, np.nan, ""]
    x = -b / (2.0 * a)
    grad = np.array([b / (2.0 * a * a), -1.0 / (2.0 * a)])
    std_err = float(np.sqrt(grad @ V @ grad))
    t2 = quantile**2
    # (b + 2 a x)**2 - t2 Var(b + 2 a x) <= 0, divided by 4:
    # qa x**2 + 2 qb x + qc <= 0.
    qa = a * a - t2 * V[0, 0]
    qb = a * b / 2.0 - t2 * V[0, 1] / 2.0
    qc = (b * b - t2 * V[1, 1]) / 4.0
    disc = qb * qb - qa * qc
    kind = "minimum" if a > 0 else "maximum"
    if qa > 0:
        root = np.sqrt(max(disc, 0.0))
        lo, hi = sorted(((-qb - root) / qa, (-qb + root) / qa))
        return [x, np.nan, kind, std_err, lo, hi, ""]
    if disc > 0:
        r1, r2 = sorted(((-qb - np.sqrt(disc)) / qa, (-qb + np.sqrt(disc)) / qa))
        note = (
            f"a is not significantly non-zero: Fieller's set is (-inf, {r1:.6g}] "
            f"and [{r2:.6g}, inf)"
        )
    else:
        note = "a is not significantly non-zero: Fieller's set is the whole line"
    return [x, np.nan, kind, std_err, -np.inf, np.inf, note]


def diagnostics(sums, durbin_watson):
    """statsmodels' residual diagnostics from the shifted power sums of the
    whitened residuals: the biased skew and (Pearson) kurtosis, D'Agostino and
    Pearson's omnibus test (Z of the skew, D'Agostino 1970; Z of the kurtosis,
    Anscombe and Glynn 1983) and Jarque and Bera's."""
    n, s1, s2, s3, s4 = sums
    m = s1 / n
    m2 = s2 / n - m**2
    m3 = s3 / n - 3 * m * s2 / n + 2 * m**3
    m4 = s4 / n - 4 * m * s3 / n + 6 * m**2 * s2 / n - 3 * m**4
    with np.errstate(divide="ignore", invalid="ignore"):
        skew, kurtosis = m3 / m2**1.5, m4 / m2**2
        omnibus = _skew_z(skew, n) ** 2 + _kurtosis_z(kurtosis, n) ** 2
    jarque_bera = n / 6.0 * (skew**2 + (kurtosis - 3.0) ** 2 / 4.0)
    return {
        "omnibus": omnibus,
        "omnibus_pvalue": stats.chi2.sf(omnibus, 2),
        "skew": skew,
        "kurtosis": kurtosis,
        "durbin_watson": durbin_watson,
        "jarque_bera": jarque_bera,
        "jarque_bera_pvalue": stats.chi2.sf(jarque_bera, 2),
    }


def _skew_z(skew, n):
    """The skew's normal deviate under normality (D'Agostino's transform)."""
    y = skew * np.sqrt((n + 1) * (n + 3) / (6.0 * (n - 2)))
    beta2 = (
        3.0 * (n**2 + 27 * n - 70) * (n + 1) * (n + 3)
        / ((n - 2.0) * (n + 5) * (n + 7) * (n + 9))
    )  # fmt: skip
    w2 = np.sqrt(2.0 * (beta2 - 1.0)) - 1.0
    delta, alpha = 1.0 / np.sqrt(0.5 * np.log(w2)), np.sqrt(2.0 / (w2 - 1.0))
    y = np.where(y == 0, 1.0, y)
    return delta * np.log(y / alpha + np.sqrt((y / alpha) ** 2 + 1.0))


def _kurtosis_z(kurtosis, n):
    """The kurtosis's normal deviate under normality (Anscombe and Glynn)."""
    mean = 3.0 * (n - 1) / (n + 1)
    var = 24.0 * n * (n - 2) * (n - 3) / ((n + 1) ** 2 * (n + 3) * (n + 5))
    x = (kurtosis - mean) / np.sqrt(var)
    root_beta = (
        6.0 * (n * n - 5 * n + 2) / ((n + 7) * (n + 9))
        * np.sqrt(6.0 * (n + 3) * (n + 5) / (n * (n - 2) * (n - 3)))
    )  # fmt: skip
    a = 6.0 + 8.0 / root_beta * (2.0 / root_beta + np.sqrt(1.0 + 4.0 / root_beta**2))
    denom = 1.0 + x * np.sqrt(2.0 / (a - 4.0))
    cube = np.sign(denom) * np.cbrt((1.0 - 2.0 / a) / np.abs(denom))
    return (1.0 - 2.0 / (9.0 * a) - cube) / np.sqrt(2.0 / (9.0 * a))
