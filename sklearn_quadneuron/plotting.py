# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Displays of the article's four figures, following scikit-learn's conventions.

Each display's ``__init__`` stores precomputed data, ``plot`` draws it and returns
the display with its artists (``ax_``, ``figure_``, ...), and ``from_estimator``
computes the data from a fitted :class:`~sklearn_quadneuron.QuadraticGDRegressor`
and plots it.

matplotlib is an optional dependency (the ``plot`` extra): it is imported when a
display draws, never when this module is imported.
"""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "FitDisplay",
    "LossCurveDisplay",
    "LossSurfaceDisplay",
    "ParameterPathDisplay",
]

_INSTALL = "pip install 'sklearn-quadneuron[plot]'"

# Aliases of the article's neuron a*x**2 + b*x + c, for one-feature models.
_ARTICLE_NAMES = {"a": 0, "b": 1, "c": 2}


def _check_matplotlib(caller):
    """Raise an ImportError naming the ``plot`` extra when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"{caller} requires matplotlib: {_INSTALL}") from exc


def _axes(ax, projection=None):
    """The given axes, or new axes on a new pyplot figure."""
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure().add_subplot(projection=projection)
    return ax


def _style(defaults, user, artist):
    """Merge user style keywords over defaults, resolving matplotlib's aliases.

    Without the resolution, ``c="red"`` over a default ``color=...`` would reach
    matplotlib as both and fail.
    """
    from matplotlib.cbook import normalize_kwargs

    return {
        **normalize_kwargs(defaults, artist),
        **normalize_kwargs(user or {}, artist),
    }


# -- reading a fitted estimator --------------------------------------------------


def _n_targets(estimator):
    return 1 if np.ndim(estimator.intercept_) == 0 else len(estimator.intercept_)


def _check_target(estimator, target):
    n_targets = _n_targets(estimator)
    if (
        not isinstance(target, Integral)
        or isinstance(target, bool)
        or not 0 <= target < n_targets
    ):
        raise ValueError(
            f"target={target!r} is not the index of one of the model's "
            f"{n_targets} target(s); pass an integer in [0, {n_targets - 1}]."
        )
    return int(target)


def _parameters(estimator, coef, intercept, target):
    """``[*coef, intercept]`` of one target, from fitted or recorded values.

    ``coef`` may carry a leading axis (epochs); for multi-output estimators the
    target axis comes before the last.
    """
    coef, intercept = np.asarray(coef, dtype=float), np.asarray(intercept, dtype=float)
    if np.ndim(estimator.intercept_) == 1:
        coef, intercept = coef[..., target, :], intercept[..., target]
    return np.concatenate([coef, intercept[..., None]], axis=-1)


def _parameter_names(estimator):
    return [*(str(name) for name in estimator.get_term_names()), "intercept"]


def _parameter_index(estimator, name, what):
    """Position of a parameter in ``[*coef, intercept]``, by term name or alias."""
    names = _parameter_names(estimator)
    if name in names:  # term names take precedence over the article's aliases
        return names.index(name)
    if estimator.n_features_in_ == 1 and name in _ARTICLE_NAMES:
        return _ARTICLE_NAMES[name]
    aliases = ', "a", "b", "c"' if estimator.n_features_in_ == 1 else ""
    raise ValueError(
        f"{what}: unknown parameter {name!r}. Use one of "
        f"{', '.join(repr(n) for n in names)}{aliases}."
    )


def _recorded_path(estimator, target, caller):
    if not hasattr(estimator, "coef_path_"):
        raise ValueError(
            f"{caller} needs the parameters of every epoch, which the estimator did "
            "not record: fit it with record_path=True."
        )
    return _parameters(
        estimator, estimator.coef_path_, estimator.intercept_path_, target
    )


def _check_X(estimator, X, caller):
    """X as a float array with the estimator's columns, in the fitted order."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None and hasattr(X, "columns"):
        missing = [name for name in names if name not in X.columns]
        if missing:
            raise ValueError(
                f"{caller}: X lacks the column(s) {missing} the estimator was "
                "fitted on."
            )
        X = X[list(names)]
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"{caller}: X must have shape (n_samples, {estimator.n_features_in_}) "
            f"like the data the estimator was fitted on, got shape {X.shape}."
        )
    return X


def _check_y(y, n_samples, target, caller):
    y = np.asarray(y, dtype=float)
    if y.ndim == 2:
        y = y[:, target]
    if y.shape != (n_samples,):
        raise ValueError(
            f"{caller}: y must have one value per sample of X ({n_samples}), got "
            f"shape {y.shape}."
        )
    return y


def _quadratic(X, theta):
    """``X**2 @ a + X @ b + c`` for ``theta = [a, b, c]`` in the data's units."""
    p = X.shape[1]
    return X**2 @ theta[:p] + X @ theta[p : 2 * p] + theta[-1]


# -- the displays ----------------------------------------------------------------


class FitDisplay:
    """The data and the fitted curve against one feature.

    The article's first figure: the samples ``(x, y)``, the model's prediction
    after training and, optionally, before it. Use :meth:`from_estimator` to
    create one from a fitted estimator. All parameters are stored as attributes.

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        The feature's values of the samples.

    y : ndarray of shape (n_samples,)
        The samples' targets.

    x_grid : ndarray of shape (n_points,)
        Sorted values of the feature at which the curves are drawn.

    y_pred : ndarray of shape (n_points,)
        Prediction of the fitted model on ``x_grid``.

    y_initial : ndarray of shape (n_points,), default=None
        Prediction of the model's initial parameters on ``x_grid``, drawn as the
        curve "before training". None draws no such curve.

    feature_name : str, default="x"
        Label of the horizontal axis.

    target_name : str, default="y"
        Label of the vertical axis.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        The samples.

    line_ : matplotlib Line2D
        The fitted curve.

    initial_line_ : matplotlib Line2D or None
        The curve of the initial parameters, None without ``y_initial``.

    ax_ : matplotlib Axes
        Axes with the plot.

    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    LossCurveDisplay : The loss against the epoch.
    sklearn.metrics.PredictionErrorDisplay : Prediction error of a regressor.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_quadneuron import QuadraticGDRegressor
    >>> from sklearn_quadneuron.datasets import make_quadratic
    >>> from sklearn_quadneuron.plotting import FitDisplay
    >>> X, y = make_quadratic(200, random_state=0)
    >>> model = QuadraticGDRegressor(record_path=True).fit(X, y)
    >>> display = FitDisplay.from_estimator(model, X, y, show_initial=True)
    >>> display.ax_.get_xlabel()
    'x0'
    """

    def __init__(
        self, *, x, y, x_grid, y_pred, y_initial=None, feature_name="x", target_name="y"
    ):
        self.x = x
        self.y = y
        self.x_grid = x_grid
        self.y_pred = y_pred
        self.y_initial = y_initial
        self.feature_name = feature_name
        self.target_name = target_name

    def plot(
        self,
        ax=None,
        *,
        scatter_kwargs=None,
        line_kwargs=None,
        initial_line_kwargs=None,
    ):
        """Plot the data and the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        scatter_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.scatter` for the data.

        line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the fitted
            curve.

        initial_line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the curve
            before training.

        Returns
        -------
        display : FitDisplay
            Object that stores the computed values and the artists.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.collections import PathCollection
        from matplotlib.lines import Line2D

        ax = _axes(ax)
        n = np.shape(self.x)[0]
        self.scatter_ = ax.scatter(
            self.x,
            self.y,
            **_style(
                {
                    "s": 12 if n <= 300 else 5,
                    "alpha": 0.7 if n <= 300 else 0.5,
                    "color": "black",
                    "linewidths": 0,
                    "zorder": 3,
                    "label": "data",
                },
                scatter_kwargs,
                PathCollection,
            ),
        )
        self.initial_line_ = None
        if self.y_initial is not None:
            (self.initial_line_,) = ax.plot(
                self.x_grid,
                self.y_initial,
                **_style(
                    {
                        "color": "tab:orange",
                        "linestyle": "--",
                        "linewidth": 2,
                        "label": "before training",
                    },
                    initial_line_kwargs,
                    Line2D,
                ),
            )
        (self.line_,) = ax.plot(
            self.x_grid,
            self.y_pred,
            **_style(
                {"color": "tab:blue", "linewidth": 2, "label": "after training"},
                line_kwargs,
                Line2D,
            ),
        )
        ax.set_xlabel(self.feature_name)
        ax.set_ylabel(self.target_name)
        ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        feature=0,
        target=0,
        initial=None,
        show_initial=False,
        n_points=200,
        ax=None,
        scatter_kwargs=None,
        line_kwargs=None,
        initial_line_kwargs=None,
    ):
        """Plot the data and a fitted estimator's curve against one feature.

        The curve is drawn on a sorted grid spanning the feature's range, the other
        features held at their mean in ``X``.

        Parameters
        ----------
        estimator : QuadraticGDRegressor
            Fitted estimator.

        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Samples to draw, with the features the estimator was fitted on.

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Their targets.

        feature : int or str, default=0
            The feature on the horizontal axis: its index, or its name when the
            estimator was fitted on a DataFrame.

        target : int, default=0
            Index of the target drawn, for multi-output estimators.

        initial : tuple (coef, intercept), default=None
            Initial parameters in the data's units (``coef`` in ``coef_`` order,
            for the drawn target), whose curve is drawn as "before training".

        show_initial : bool, default=False
            Draw the curve "before training" from the parameters the estimator
            recorded before its first update (``coef_path_[0]``); requires an
            estimator fitted with ``record_path=True``. Ignored when ``initial``
            is given.

        n_points : int, default=200
            Number of points of the curves. Values must be in the range
            `[2, inf)`.

        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        scatter_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.scatter` for the data.

        line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the fitted
            curve.

        initial_line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the curve
            before training.

        Returns
        -------
        display : FitDisplay
            Object that stores the computed values and the artists.
        """
        caller = f"{cls.__name__}.from_estimator"
        _check_matplotlib(caller)
        check_is_fitted(estimator)
        target = _check_target(estimator, target)
        if not isinstance(n_points, Integral) or n_points < 2:
            raise ValueError(f"n_points must be an integer >= 2, got {n_points!r}.")
        names = getattr(estimator, "feature_names_in_", None)
        # The linear terms are named after the features themselves.
        feature_names = list(estimator.get_term_names()[estimator.n_features_in_ :])
        if isinstance(feature, str) and feature in feature_names:
            j = feature_names.index(feature)
        elif (
            isinstance(feature, Integral)
            and not isinstance(feature, bool)
            and 0 <= feature < estimator.n_features_in_
        ):
            j = int(feature)
        else:
            raise ValueError(
                f"feature={feature!r} is neither the index nor the name of one of "
                f"the estimator's features {feature_names}."
            )
        X_array = _check_X(estimator, X, caller)
        y = _check_y(y, X_array.shape[0], target, caller)

        # The other features are held at their mean.
        x_grid = np.linspace(X_array[:, j].min(), X_array[:, j].max(), n_points)
        X_grid = np.tile(X_array.mean(axis=0), (n_points, 1))
        X_grid[:, j] = x_grid
        if names is not None:
            import pandas as pd

            y_pred = estimator.predict(pd.DataFrame(X_grid, columns=names))
        else:
            y_pred = estimator.predict(X_grid)
        if np.ndim(y_pred) == 2:
            y_pred = y_pred[:, target]

        y_initial = None
        if initial is not None:
            try:
                coef, intercept = initial
            except (TypeError, ValueError):
                raise ValueError(
                    "initial must be a pair (coef, intercept) of initial parameters."
                ) from None
            theta = np.append(
                np.asarray(coef, dtype=float).ravel(), np.asarray(intercept, float)
            )
            if theta.shape != (2 * estimator.n_features_in_ + 1,):
                raise ValueError(
                    f"initial: coef must hold {2 * estimator.n_features_in_} values "
                    "(quadratic terms, then linear ones) and intercept one, got "
                    f"{theta.shape[0] - 1} and 1."
                )
            y_initial = _quadratic(X_grid, theta)
        elif show_initial:
            theta = _recorded_path(estimator, target, caller)[0]
            y_initial = _quadratic(X_grid, theta)

        target_name = "y" if _n_targets(estimator) == 1 else f"y{target}"
        display = cls(
            x=X_array[:, j],
            y=y,
            x_grid=x_grid,
            y_pred=np.asarray(y_pred, dtype=float),
            y_initial=y_initial,
            feature_name=feature_names[j],
            target_name=target_name,
        )
        return display.plot(
            ax=ax,
            scatter_kwargs=scatter_kwargs,
            line_kwargs=line_kwargs,
            initial_line_kwargs=initial_line_kwargs,
        )


class LossCurveDisplay:
    """The training loss against the epoch, as in the article's second figure.

    Use :meth:`from_estimator` to create one from a fitted estimator. All
    parameters are stored as attributes.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss before each epoch's update (``loss_curve_``).

    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Loss on held-out samples at the same parameters
        (``validation_loss_curve_``). None or empty draws no validation curve.

    estimator_name : str, default=None
        Name of the estimator, shown in the legend.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The training loss curve.

    validation_line_ : matplotlib Line2D or None
        The validation loss curve, None without validation losses.

    ax_ : matplotlib Axes
        Axes with the plot.

    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    ParameterPathDisplay : Each parameter against the epoch.
    sklearn.model_selection.LearningCurveDisplay : Scores against the training
        set size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_quadneuron import QuadraticGDRegressor
    >>> from sklearn_quadneuron.datasets import make_quadratic
    >>> from sklearn_quadneuron.plotting import LossCurveDisplay
    >>> X, y = make_quadratic(200, random_state=0)
    >>> model = QuadraticGDRegressor().fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(model)
    >>> len(display.line_.get_ydata()) == model.n_iter_
    True
    """

    def __init__(self, *, loss_curve, validation_loss_curve=None, estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.estimator_name = estimator_name

    def plot(
        self, ax=None, *, log_scale=True, line_kwargs=None, validation_line_kwargs=None
    ):
        """Plot the loss curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        log_scale : bool, default=True
            Draw the loss on a logarithmic scale, where gradient descent's steady
            geometric decrease shows as a straight line.

        line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the
            training loss.

        validation_line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the
            validation loss.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the computed values and the artists.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.lines import Line2D

        ax = _axes(ax)
        loss = np.asarray(self.loss_curve, dtype=float)
        label = "training loss"
        if self.estimator_name is not None:
            label = f"{self.estimator_name} {label}"
        (self.line_,) = ax.plot(
            np.arange(1, loss.shape[0] + 1),
            loss,
            **_style({"color": "tab:blue", "label": label}, line_kwargs, Line2D),
        )
        self.validation_line_ = None
        if self.validation_loss_curve is not None and len(self.validation_loss_curve):
            val = np.asarray(self.validation_loss_curve, dtype=float)
            (self.validation_line_,) = ax.plot(
                np.arange(1, val.shape[0] + 1),
                val,
                **_style(
                    {"color": "tab:orange", "label": "validation loss"},
                    validation_line_kwargs,
                    Line2D,
                ),
            )
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (mean squared error)")
        ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        log_scale=True,
        ax=None,
        line_kwargs=None,
        validation_line_kwargs=None,
    ):
        """Plot the loss curves of a fitted estimator.

        Parameters
        ----------
        estimator : QuadraticGDRegressor
            Fitted estimator. Its ``validation_loss_curve_`` is drawn when it is
            not empty (``early_stopping=True``).

        log_scale : bool, default=True
            Draw the loss on a logarithmic scale.

        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the
            training loss.

        validation_line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the
            validation loss.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the computed values and the artists.
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator, "loss_curve_")
        display = cls(
            loss_curve=np.asarray(estimator.loss_curve_, dtype=float),
            validation_loss_curve=np.asarray(
                getattr(estimator, "validation_loss_curve_", []), dtype=float
            ),
        )
        return display.plot(
            ax=ax,
            log_scale=log_scale,
            line_kwargs=line_kwargs,
            validation_line_kwargs=validation_line_kwargs,
        )


class ParameterPathDisplay:
    """Each parameter against the epoch, as in the article's third figure.

    Use :meth:`from_estimator` to create one from an estimator fitted with
    ``record_path=True``. All parameters are stored as attributes.

    Parameters
    ----------
    parameter_paths : dict of str to array-like of shape (n_epochs + 1,)
        Each parameter's value after 0, 1, ..., n_epochs updates, by name (the
        name labels its line).

    true_values : dict of str to float, default=None
        Reference values of some parameters, drawn as dashed horizontal lines
        in their line's color.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        The path of each parameter, by name.

    true_lines_ : dict of str to matplotlib Line2D
        The reference line of each parameter given in ``true_values``.

    ax_ : matplotlib Axes
        Axes with the plot.

    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    LossCurveDisplay : The loss against the epoch.
    LossSurfaceDisplay : The descent path on the loss surface.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_quadneuron import QuadraticGDRegressor
    >>> from sklearn_quadneuron.datasets import make_quadratic
    >>> from sklearn_quadneuron.plotting import ParameterPathDisplay
    >>> X, y = make_quadratic(200, random_state=0)
    >>> model = QuadraticGDRegressor(record_path=True).fit(X, y)
    >>> display = ParameterPathDisplay.from_estimator(
    ...     model, true_values=[10, 5, 12]
    ... )
    >>> sorted(display.lines_)
    ['intercept', 'x0', 'x0^2']
    """

    def __init__(self, *, parameter_paths, true_values=None):
        self.parameter_paths = parameter_paths
        self.true_values = true_values

    def plot(self, ax=None, *, line_kwargs=None, true_line_kwargs=None):
        """Plot the parameter paths.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for every
            parameter's path.

        true_line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.axhline` for the
            reference lines.

        Returns
        -------
        display : ParameterPathDisplay
            Object that stores the computed values and the artists.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.lines import Line2D

        true_values = dict(self.true_values or {})
        unknown = [name for name in true_values if name not in self.parameter_paths]
        if unknown:
            raise ValueError(
                f"true_values names unknown parameter(s) {unknown}; the parameters "
                f"are {list(self.parameter_paths)}."
            )
        ax = _axes(ax)
        self.lines_, self.true_lines_ = {}, {}
        for k, (name, path) in enumerate(self.parameter_paths.items()):
            path = np.asarray(path, dtype=float)
            (line,) = ax.plot(
                np.arange(path.shape[0]),
                path,
                **_style({"color": f"C{k}", "label": name}, line_kwargs, Line2D),
            )
            self.lines_[name] = line
            if name in true_values:
                self.true_lines_[name] = ax.axhline(
                    float(true_values[name]),
                    **_style(
                        {
                            "color": line.get_color(),
                            "linestyle": "--",
                            "linewidth": 1,
                            "label": f"true {name}",
                        },
                        true_line_kwargs,
                        Line2D,
                    ),
                )
        ax.set_xlabel("epoch (number of updates)")
        ax.set_ylabel("parameter value")
        ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        true_values=None,
        target=0,
        ax=None,
        line_kwargs=None,
        true_line_kwargs=None,
    ):
        """Plot the parameter paths recorded by an estimator.

        Parameters
        ----------
        estimator : QuadraticGDRegressor
            Estimator fitted with ``record_path=True``. Its parameters are named
            as in ``get_term_names()``, and ``"intercept"``.

        true_values : dict of str to float or sequence of float, default=None
            Reference values drawn as dashed lines: by parameter name, or one per
            parameter in ``coef_`` order followed by the intercept (None entries
            are skipped).

        target : int, default=0
            Index of the target drawn, for multi-output estimators.

        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for every
            parameter's path.

        true_line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.axhline` for the
            reference lines.

        Returns
        -------
        display : ParameterPathDisplay
            Object that stores the computed values and the artists.
        """
        caller = f"{cls.__name__}.from_estimator"
        _check_matplotlib(caller)
        check_is_fitted(estimator)
        target = _check_target(estimator, target)
        path = _recorded_path(estimator, target, caller)
        names = _parameter_names(estimator)
        if true_values is not None and not isinstance(true_values, dict):
            values = list(true_values)
            if len(values) != len(names):
                raise ValueError(
                    f"true_values has {len(values)} value(s) but the model has "
                    f"{len(names)} parameters {names}; give one per parameter, or "
                    "a dict by name."
                )
            true_values = {
                name: value for name, value in zip(names, values) if value is not None
            }
        display = cls(parameter_paths=dict(zip(names, path.T)), true_values=true_values)
        return display.plot(
            ax=ax, line_kwargs=line_kwargs, true_line_kwargs=true_line_kwargs
        )


def _loss_quadratic(X, y):
    """The MSE of ``theta`` as ``(theta - theta*)^T G (theta - theta*) + L*``.

    The model is linear in ``theta = [a, b, c]`` with the expanded features
    ``phi = [X**2, X, 1]``, so its MSE is a quadratic with Hessian ``2 G``,
    ``G = mean(phi phi^T)``: after this one pass over the data a loss costs
    O(p^2), whatever the number of samples. Writing it around a least-squares
    solution ``theta*`` (minimum ``L*``) rather than as ``theta^T G theta - 2
    theta^T h + mean(y^2)`` keeps it accurate near the minimum, where the
    expanded form would cancel.
    """
    phi = np.hstack([X**2, X, np.ones((X.shape[0], 1))])
    G = phi.T @ phi / X.shape[0]
    theta_star = np.linalg.lstsq(phi, y, rcond=None)[0]
    min_loss = float(np.mean((phi @ theta_star - y) ** 2))
    return G, theta_star, min_loss


def _mse(thetas, G, theta_star, min_loss):
    """MSE at each row of ``thetas`` (any leading shape), from _loss_quadratic."""
    d = thetas - theta_star
    return np.maximum(np.einsum("...i,ij,...j->...", d, G, d), 0.0) + min_loss


class LossSurfaceDisplay:
    """The training loss over two parameters, with the descent path on it.

    The article's fourth figure: the mean squared error as a function of two of
    the model's parameters, the others held fixed, and the path gradient
    descent took across it. Use :meth:`from_estimator` to create one from a
    fitted estimator. All parameters are stored as attributes.

    Parameters
    ----------
    grid_x : ndarray of shape (n_grid_x,)
        Values of the first parameter (horizontal axis).

    grid_y : ndarray of shape (n_grid_y,)
        Values of the second parameter (vertical axis).

    loss : ndarray of shape (n_grid_y, n_grid_x)
        Loss at each grid point: ``loss[i, j]`` at ``(grid_x[j], grid_y[i])``.

    params : tuple of two str
        Names of the two parameters, used as axis labels.

    path : ndarray of shape (n_steps, 2), default=None
        The two parameters' values along gradient descent. None draws no path.

    path_loss : ndarray of shape (n_steps,), default=None
        The loss of the surface at each point of ``path``, its height in the
        3-D plot. Required with ``path`` for ``kind="surface"``.

    fitted : array-like of shape (2,), default=None
        The fitted values of the two parameters, marked with a star.

    Attributes
    ----------
    surface_ : matplotlib QuadContourSet or Poly3DCollection
        The filled contours (``kind="contour"``) or the 3-D surface.

    colorbar_ : matplotlib Colorbar or None
        Color scale of the contours; None for ``kind="surface"``.

    path_line_ : matplotlib Line2D or None
        The descent path, None without ``path``.

    fitted_marker_ : matplotlib Line2D or None
        The fitted point, None without ``fitted``.

    ax_ : matplotlib Axes
        Axes with the plot (3-D axes for ``kind="surface"``).

    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    ParameterPathDisplay : Each parameter against the epoch.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_quadneuron import QuadraticGDRegressor
    >>> from sklearn_quadneuron.datasets import make_quadratic
    >>> from sklearn_quadneuron.plotting import LossSurfaceDisplay
    >>> X, y = make_quadratic(200, random_state=0)
    >>> model = QuadraticGDRegressor(record_path=True).fit(X, y)
    >>> display = LossSurfaceDisplay.from_estimator(model, X, y, params=("b", "c"))
    >>> display.loss.shape
    (60, 60)
    """

    def __init__(
        self, *, grid_x, grid_y, loss, params, path=None, path_loss=None, fitted=None
    ):
        self.grid_x = grid_x
        self.grid_y = grid_y
        self.loss = loss
        self.params = params
        self.path = path
        self.path_loss = path_loss
        self.fitted = fitted

    def plot(
        self,
        ax=None,
        *,
        kind="contour",
        levels=20,
        surface_kwargs=None,
        path_kwargs=None,
    ):
        """Plot the loss surface and the path.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on (3-D axes for ``kind="surface"``). None creates a new
            figure and axes.

        kind : {"contour", "surface"}, default="contour"
            Filled contours of the loss, or a 3-D surface
            (:mod:`mpl_toolkits.mplot3d`).

        levels : int, default=20
            Number of contour levels. They are spaced logarithmically when the
            loss spans more than two orders of magnitude, so that the floor of the
            valley, where descent ends, stays visible.

        surface_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.contourf` or of
            :meth:`mpl_toolkits.mplot3d.axes3d.Axes3D.plot_surface`.

        path_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the path.

        Returns
        -------
        display : LossSurfaceDisplay
            Object that stores the computed values and the artists.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        if kind not in ("contour", "surface"):
            raise ValueError(f"kind must be 'contour' or 'surface', got {kind!r}.")
        if not isinstance(levels, Integral) or levels < 2:
            raise ValueError(f"levels must be an integer >= 2, got {levels!r}.")
        from matplotlib.colors import LogNorm
        from matplotlib.lines import Line2D
        from matplotlib.ticker import LogFormatterSciNotation, LogLocator

        loss = np.asarray(self.loss, dtype=float)
        if kind == "surface":
            ax = _axes(ax, projection="3d")
            if getattr(ax, "name", None) != "3d":
                raise ValueError(
                    "kind='surface' needs 3-D axes: create them with "
                    "fig.add_subplot(projection='3d'), or pass ax=None."
                )
        else:
            ax = _axes(ax)
        GX, GY = np.meshgrid(self.grid_x, self.grid_y)
        self.colorbar_ = None
        if kind == "contour":
            top, bottom = loss.max(), loss.min()
            options = {"cmap": "viridis", "levels": levels}
            if bottom > 0 and top > 100 * bottom:
                options["levels"] = np.geomspace(bottom, top, levels)
                options["norm"] = LogNorm(bottom, top)
            options.update(surface_kwargs or {})
            self.surface_ = ax.contourf(GX, GY, loss, **options)
            self.colorbar_ = ax.figure.colorbar(self.surface_, ax=ax)
            if "norm" in options and isinstance(options["norm"], LogNorm):
                # Ticks at the decades: the log-spaced levels themselves would be
                # left unlabelled by the logarithmic formatter.
                self.colorbar_.locator = LogLocator()
                self.colorbar_.formatter = LogFormatterSciNotation()
                self.colorbar_.update_ticks()
            self.colorbar_.set_label("loss (mean squared error)")
        else:
            options = {"cmap": "viridis", "alpha": 0.8, "linewidth": 0}
            options.update(surface_kwargs or {})
            self.surface_ = ax.plot_surface(GX, GY, loss, **options)
            ax.set_zlabel("loss (mean squared error)")

        self.path_line_ = None
        if self.path is not None:
            path = np.asarray(self.path, dtype=float)
            style = _style(
                {
                    "color": "tab:red",
                    "marker": "o",
                    "markersize": 3,
                    "linewidth": 1.5,
                    "label": "gradient descent",
                },
                path_kwargs,
                Line2D,
            )
            if kind == "surface":
                if self.path_loss is None:
                    raise ValueError(
                        "kind='surface' draws the path at its loss: give path_loss "
                        "with path."
                    )
                # The path lies on the surface: without a fixed drawing order
                # matplotlib's depth sorting hides it behind the surface.
                ax.computed_zorder = False
                (self.path_line_,) = ax.plot(
                    path[:, 0],
                    path[:, 1],
                    np.asarray(self.path_loss),
                    **{"zorder": 3, **style},
                )
            else:
                (self.path_line_,) = ax.plot(path[:, 0], path[:, 1], **style)
        self.fitted_marker_ = None
        if self.fitted is not None and kind == "contour":
            (self.fitted_marker_,) = ax.plot(
                self.fitted[0],
                self.fitted[1],
                linestyle="none",
                marker="*",
                markersize=14,
                color="white",
                markeredgecolor="black",
                label="fitted",
            )
        ax.set_xlabel(_axis_label(self.params[0]))
        ax.set_ylabel(_axis_label(self.params[1]))
        if self.path_line_ is not None or self.fitted_marker_ is not None:
            ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        params=None,
        target=0,
        ranges=None,
        n_grid=60,
        kind="contour",
        levels=20,
        ax=None,
        surface_kwargs=None,
        path_kwargs=None,
    ):
        """Plot the training loss of a fitted estimator over two parameters.

        The loss is the mean squared error on ``X, y`` (without any penalty),
        the other parameters held at their fitted values. When the estimator
        was fitted with ``record_path=True`` its descent path is drawn, at the
        surface's loss (the other parameters' changes along the path are not
        shown).

        Parameters
        ----------
        estimator : QuadraticGDRegressor
            Fitted estimator.

        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Samples the loss is computed on, usually the training data.

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Their targets.

        params : tuple of two str, default=None
            The two parameters of the axes, named as in ``get_term_names()`` or
            ``"intercept"``; for one-feature models also ``"a"``, ``"b"``, ``"c"``
            as in the article (a term name takes precedence). None uses the
            quadratic and linear terms of the first feature, the article's a and
            b.

        target : int, default=0
            Index of the target, for multi-output estimators.

        ranges : tuple of two (min, max) pairs, default=None
            Ranges of the two parameters. None spans the descent path and the
            fitted values with a margin, or, without a path, the values at which
            the loss rises by about the variance of y.

        n_grid : int, default=60
            Number of grid values of each parameter. Values must be in the range
            `[2, inf)`.

        kind : {"contour", "surface"}, default="contour"
            Filled contours of the loss, or a 3-D surface.

        levels : int, default=20
            Number of contour levels.

        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        surface_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.contourf` or of
            :meth:`mpl_toolkits.mplot3d.axes3d.Axes3D.plot_surface`.

        path_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the path.

        Returns
        -------
        display : LossSurfaceDisplay
            Object that stores the computed values and the artists.
        """
        caller = f"{cls.__name__}.from_estimator"
        _check_matplotlib(caller)
        check_is_fitted(estimator)
        target = _check_target(estimator, target)
        if not isinstance(n_grid, Integral) or n_grid < 2:
            raise ValueError(f"n_grid must be an integer >= 2, got {n_grid!r}.")
        p = estimator.n_features_in_
        if params is None:
            params = (_parameter_names(estimator)[0], _parameter_names(estimator)[p])
        if isinstance(params, str) or len(params) != 2:
            raise ValueError(
                f"params must name two parameters, for example ('a', 'b'); got "
                f"{params!r}."
            )
        i, j = (_parameter_index(estimator, name, "params") for name in params)
        if i == j:
            raise ValueError(f"params must name two different parameters: {params}.")
        X = _check_X(estimator, X, caller)
        y = _check_y(y, X.shape[0], target, caller)
        G, theta_star, min_loss = _loss_quadratic(X, y)
        fitted = _parameters(estimator, estimator.coef_, estimator.intercept_, target)
        path = None
        if hasattr(estimator, "coef_path_"):
            path = _recorded_path(estimator, target, caller)[:, [i, j]]

        if ranges is None:
            ranges = [
                _auto_range(
                    fitted[index], None if path is None else path[:, k], G, index, y
                )
                for k, index in enumerate((i, j))
            ]
        try:
            (x_low, x_high), (y_low, y_high) = ranges
        except (TypeError, ValueError):
            raise ValueError(
                f"ranges must be two (min, max) pairs, got {ranges!r}."
            ) from None
        grid_x = np.linspace(float(x_low), float(x_high), n_grid)
        grid_y = np.linspace(float(y_low), float(y_high), n_grid)

        # Every grid point is the fitted parameters with two of them replaced.
        thetas = np.broadcast_to(fitted, (n_grid, n_grid, fitted.shape[0])).copy()
        thetas[..., i] = grid_x[None, :]
        thetas[..., j] = grid_y[:, None]
        loss = _mse(thetas, G, theta_star, min_loss)
        path_loss = None
        if path is not None:
            on_path = np.broadcast_to(fitted, (path.shape[0], fitted.shape[0])).copy()
            on_path[:, [i, j]] = path
            path_loss = _mse(on_path, G, theta_star, min_loss)

        display = cls(
            grid_x=grid_x,
            grid_y=grid_y,
            loss=loss,
            params=tuple(params),
            path=path,
            path_loss=path_loss,
            fitted=fitted[[i, j]],
        )
        return display.plot(
            ax=ax,
            kind=kind,
            levels=levels,
            surface_kwargs=surface_kwargs,
            path_kwargs=path_kwargs,
        )


def _auto_range(fitted, path, G, index, y):
    """A range of one parameter spanning its path and fitted value, with margins.

    Without a path to span, the range reaches where the loss has risen by about
    the variance of y (the loss of the best constant model): far enough to show
    the valley, whatever the units of the parameter.
    """
    values = [fitted] if path is None else [*path, fitted]
    low, high = min(values), max(values)
    if high > low:
        margin = 0.15 * (high - low)
    elif G[index, index] > 0:
        margin = np.sqrt(max(np.var(y), 1e-12) / G[index, index])
    else:
        margin = 1.0
    return low - margin, high + margin


def _axis_label(name):
    if name in ("intercept", *_ARTICLE_NAMES):
        return name
    return f"coefficient of {name}"
