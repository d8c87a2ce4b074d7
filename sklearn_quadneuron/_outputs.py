# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""What people see of a fit: its progress, and the model in forms they read.

While it runs: :class:`Progress` prints what a long step of a verbose fit does
and how long it took; the bridge to scikit-learn's callback API
(``sklearn.callback``, >= 1.9) replays the epochs to the callbacks (the
optimizer runs them first: in closed form they cost nothing), one task each,
with the parameters of that epoch; a callback that asks to stop truncates the
fit there. Callbacks observe the result; they never re-enter the solve.

Once fitted: term names, the equation, polynomials and the history
(:class:`ReadableTermsMixin`). Coefficient layout (one target): ``coef = [a_1
.. a_p, b_1 .. b_p]`` and a single intercept ``c``, for ``y_hat = c + sum_j a_j
x_j**2 + b_j x_j``; several targets add a leading target axis.
"""

import sys
import time
from numbers import Integral

import numpy as np
from numpy.polynomial import Polynomial
from sklearn.utils.validation import check_is_fitted

try:  # scikit-learn >= 1.9: the experimental callback API (progress, monitoring).
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn
    CallbackSupportMixin = None


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


# -- while a fit runs -----------------------------------------------------------


def has_callbacks(estimator):
    """Whether callbacks are attached to the estimator or to a meta-estimator."""
    return CallbackSupportMixin is not None and bool(
        getattr(estimator, "_skl_callbacks", None)
        or hasattr(estimator, "_parent_callback_ctx")
    )


def _metadata(data):
    weight = None if data is None else data.sample_weight
    return None if weight is None else {"sample_weight": weight}


def _data(data):
    return (None, None) if data is None else (data.X, data.y)


def begin_fit(estimator, data):
    """The root callback context, or None without callbacks to serve."""
    if CallbackSupportMixin is None:
        return None
    context = estimator._init_callback_context(task_name="fit", max_subtasks=None)
    X, y = _data(data)
    context.call_on_fit_task_begin(
        estimator=estimator, X=X, y=y, metadata=_metadata(data)
    )
    return context


def end_fit(estimator, context, data):
    """Close the fit's task, once the estimator has recorded its attributes."""
    if context is not None:
        X, y = _data(data)
        context.call_on_fit_task_end(
            estimator=estimator, X=X, y=y, metadata=_metadata(data)
        )


def replay_epochs(estimator, context, solution, data):
    """One callback task per epoch; a callback may ask to stop early.

    Returns the solution, truncated at the epoch where a callback asked to stop.
    """
    if context is None or not getattr(context, "_callbacks", None):
        return solution
    metadata = _metadata(data)
    X, y = _data(data)
    result = solution.result

    def fitted_attributes(k):
        coef, intercept, form = solution.public(result.parameters_at(k))
        return {"coef_": coef, "intercept_": intercept, "n_iter_": k, "_form": form}

    for k in range(result.n_iter):
        epoch = context.subcontext(task_name="epoch")
        epoch.call_on_fit_task_begin(estimator=estimator, X=X, y=y, metadata=metadata)
        stop = epoch.call_on_fit_task_end(
            estimator=estimator,
            X=X,
            y=y,
            metadata=metadata,
            reconstruction_attributes=lambda k=k: fitted_attributes(k + 1),
        )
        if stop and k + 1 < result.n_iter:
            return solution.truncated(k + 1, "callback")
    return solution


class Progress:
    """Prints what a long step does and how long it took, or nothing.

    Parameters
    ----------
    enabled : bool
        The estimator's ``verbose``: without it, every call is silent.
    """

    def __init__(self, enabled):
        self.enabled = bool(enabled)
        self._start = None

    def begin(self, what):
        """Announce a step."""
        if self.enabled:
            self._start = time.perf_counter()
            print(f"{what}...")
            sys.stdout.flush()

    def end(self, what):
        """Report the step done, with its time."""
        if self.enabled:
            elapsed = time.perf_counter() - (self._start or time.perf_counter())
            print(f"{what} in {elapsed:.2f} s.")
            sys.stdout.flush()

    def note(self, what):
        """One line about the work in progress."""
        if self.enabled:
            print(what)
            sys.stdout.flush()
