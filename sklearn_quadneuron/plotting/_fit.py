# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The article's first figure: the data and the model's curve."""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import (
    _axes,
    _check_count,
    _check_matplotlib,
    _check_target,
    _check_X,
    _check_y,
    _n_targets,
    _parameters,
    _quadratic,
    _recorded_path,
    _style,
)

# The curves are drawn above the samples (zorder): on noiseless data the fitted
# curve runs through them and would otherwise be hidden under the points.
_INITIAL_STYLE = {
    "color": "tab:orange",
    "linestyle": "--",
    "linewidth": 2,
    "zorder": 3,
    "label": "before training",
}
_FITTED_STYLE = {
    "color": "tab:blue",
    "linewidth": 2,
    "zorder": 3,
    "label": "after training",
}
_VERTEX_STYLE = {
    "color": "tab:red",
    "marker": "o",
    "markersize": 6,
    "capsize": 4,
    "linewidth": 2,
    "zorder": 4,
}


def _data_style(n_samples):
    """Points small and light enough that many of them stay readable."""
    few = n_samples <= 300
    return {
        "s": 12 if few else 5,
        "alpha": 0.7 if few else 0.5,
        "color": "black",
        "linewidths": 0,
        "zorder": 1,
        "label": "data",
    }


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

    turning_point : tuple of 4 floats, default=None
        ``(x, y, ci_lower, ci_upper)``: the vertex of the parabola and the
        interval of its ``x`` (:meth:`~QuadraticGDRegressor.turning_points`),
        drawn as a point with a horizontal bar. None draws none; an unbounded
        interval draws the point alone.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        The samples.

    line_ : matplotlib Line2D
        The fitted curve.

    initial_line_ : matplotlib Line2D or None
        The curve of the initial parameters, None without ``y_initial``.

    turning_point_ : matplotlib ErrorbarContainer or None
        The vertex and its interval, None without ``turning_point``.

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
        self,
        *,
        x,
        y,
        x_grid,
        y_pred,
        y_initial=None,
        feature_name="x",
        target_name="y",
        turning_point=None,
    ):
        self.x = x
        self.y = y
        self.x_grid = x_grid
        self.y_pred = y_pred
        self.y_initial = y_initial
        self.feature_name = feature_name
        self.target_name = target_name
        self.turning_point = turning_point

    def plot(
        self,
        ax=None,
        *,
        scatter_kwargs=None,
        line_kwargs=None,
        initial_line_kwargs=None,
        turning_point_kwargs=None,
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

        turning_point_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.errorbar` for the
            vertex and its interval.

        Returns
        -------
        display : FitDisplay
            Object that stores the computed values and the artists.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.collections import PathCollection
        from matplotlib.lines import Line2D

        ax = _axes(ax)
        self.scatter_ = ax.scatter(
            self.x,
            self.y,
            **_style(_data_style(np.shape(self.x)[0]), scatter_kwargs, PathCollection),
        )
        self.initial_line_ = None
        if self.y_initial is not None:
            (self.initial_line_,) = ax.plot(
                self.x_grid,
                self.y_initial,
                **_style(_INITIAL_STYLE, initial_line_kwargs, Line2D),
            )
        (self.line_,) = ax.plot(
            self.x_grid, self.y_pred, **_style(_FITTED_STYLE, line_kwargs, Line2D)
        )
        self.turning_point_ = None
        if self.turning_point is not None:
            x, y, lower, upper = self.turning_point
            bounded = np.isfinite(lower) and np.isfinite(upper)
            style = {
                **_VERTEX_STYLE,
                "label": "vertex and its interval" if bounded else "vertex",
                **(turning_point_kwargs or {}),
            }
            error = [[x - lower], [upper - x]] if bounded else None
            self.turning_point_ = ax.errorbar([x], [y], xerr=error, **style)
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
        show_turning_point=False,
        confidence_level=0.95,
        turning_point_kwargs=None,
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

        show_turning_point : bool, default=False
            Draw the vertex of the parabola on the curve, with Fieller's
            interval of its ``x`` (:meth:`~QuadraticGDRegressor.turning_points`:
            it needs a least-squares fit, certified and unpenalised).

        confidence_level : float, default=0.95
            Level of that interval.

        turning_point_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.errorbar` for the
            vertex and its interval.

        Returns
        -------
        display : FitDisplay
            Object that stores the computed values and the artists.
        """
        caller = f"{cls.__name__}.from_estimator"
        _check_matplotlib(caller)
        check_is_fitted(estimator)
        target = _check_target(estimator, target)
        _check_count(n_points, "n_points")
        j, feature_name = _check_feature(estimator, feature)
        X = _check_X(estimator, X, caller)
        y = _check_y(y, X.shape[0], target, caller)
        theta = _parameters(estimator, estimator.coef_, estimator.intercept_, target)
        if initial is not None:
            theta_initial = _check_initial(initial, estimator.n_features_in_)
        elif show_initial:
            theta_initial = _recorded_path(estimator, target, caller)[0]
        else:
            theta_initial = None

        curves = _compute_fit_curves(
            X, j, theta, n_points=n_points, theta_initial=theta_initial
        )
        turning = None
        if show_turning_point:
            turning = _turning_point(estimator, X, j, target, theta, confidence_level)
        display = cls(
            x=X[:, j],
            y=y,
            **curves,
            feature_name=feature_name,
            target_name="y" if _n_targets(estimator) == 1 else f"y{target}",
            turning_point=turning,
        )
        return display.plot(
            ax=ax,
            scatter_kwargs=scatter_kwargs,
            line_kwargs=line_kwargs,
            initial_line_kwargs=initial_line_kwargs,
            turning_point_kwargs=turning_point_kwargs,
        )


def _check_feature(estimator, feature):
    """Index and name of the feature drawn, given by index or by name."""
    # The linear terms are named after the features themselves.
    names = list(estimator.get_term_names()[estimator.n_features_in_ :])
    if isinstance(feature, str) and feature in names:
        j = names.index(feature)
    elif (
        isinstance(feature, Integral)
        and not isinstance(feature, bool)
        and 0 <= feature < estimator.n_features_in_
    ):
        j = int(feature)
    else:
        raise ValueError(
            f"feature={feature!r} is neither the index nor the name of one of "
            f"the estimator's features {names}."
        )
    return j, names[j]


def _turning_point(estimator, X, feature, target, theta, confidence_level):
    """``(x, y, ci_lower, ci_upper)`` of the vertex drawn, or None.

    ``y`` is the curve's own value there (the other features at their mean in
    ``X``, as the curve is drawn); None where the feature has no curvature.
    """
    points = estimator.turning_points(confidence_level)
    row = points.iloc[target * estimator.n_features_in_ + feature]
    if row["kind"] == "none":
        return None
    at = X.mean(axis=0)
    at[feature] = row["x"]
    return (
        row["x"],
        float(_quadratic(at[None], theta)[0]),
        row["ci_lower"],
        row["ci_upper"],
    )


def _check_initial(initial, n_features):
    """``[*coef, intercept]`` from a pair ``(coef, intercept)``."""
    try:
        coef, intercept = initial
    except (TypeError, ValueError):
        raise ValueError(
            "initial must be a pair (coef, intercept) of initial parameters."
        ) from None
    theta = np.append(
        np.asarray(coef, dtype=float).ravel(), np.asarray(intercept, float)
    )
    if theta.shape != (2 * n_features + 1,):
        raise ValueError(
            f"initial: coef must hold {2 * n_features} values (quadratic terms, "
            f"then linear ones) and intercept one, got {theta.shape[0] - 1} and 1."
        )
    return theta


def _compute_fit_curves(X, feature, theta, *, n_points, theta_initial=None):
    """The model's curves against one feature, the other features at their mean.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Samples; the grid spans the range of ``X[:, feature]``.
    feature : int
        Index of the feature on the horizontal axis.
    theta : ndarray of shape (2 * n_features + 1,)
        Parameters ``[*coef, intercept]`` in the data's units.
    n_points : int
        Number of grid points.
    theta_initial : ndarray of shape (2 * n_features + 1,), default=None
        Parameters of the curve before training; None computes no such curve.

    Returns
    -------
    curves : dict
        ``x_grid``, ``y_pred`` and ``y_initial`` (None without
        ``theta_initial``), each of shape (n_points,).
    """
    x_grid = np.linspace(X[:, feature].min(), X[:, feature].max(), n_points)
    X_grid = np.tile(X.mean(axis=0), (n_points, 1))
    X_grid[:, feature] = x_grid
    return {
        "x_grid": x_grid,
        "y_pred": _quadratic(X_grid, theta),
        "y_initial": None
        if theta_initial is None
        else _quadratic(X_grid, theta_initial),
    }
