# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The article's fourth figure: the loss surface and the descent path on it."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import (
    _ARTICLE_NAMES,
    _article_labels,
    _axes,
    _check_count,
    _check_matplotlib,
    _check_target,
    _check_X,
    _check_y,
    _parameter_index,
    _parameter_names,
    _parameters,
    _recorded_path,
    _style,
)
from ._surface import _compute_loss_surface


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

    paths : dict of str to ndarray of shape (n_steps, 2), default=None
        Several models' paths by name, each drawn in a color of its own and
        named in the legend (see :meth:`from_estimators`).

    paths_loss : dict of str to ndarray of shape (n_steps,), default=None
        The loss of the surface along each of ``paths``, for
        ``kind="surface"``.

    Attributes
    ----------
    surface_ : matplotlib QuadContourSet or Poly3DCollection
        The filled contours (``kind="contour"``) or the 3-D surface.

    colorbar_ : matplotlib Colorbar or None
        Color scale of the contours; None for ``kind="surface"``.

    path_line_ : matplotlib Line2D or None
        The descent path, None without ``path``.

    path_lines_ : dict of str to matplotlib Line2D
        The line of each of ``paths``, by name (empty without them).

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
        self,
        *,
        grid_x,
        grid_y,
        loss,
        params,
        path=None,
        path_loss=None,
        fitted=None,
        paths=None,
        paths_loss=None,
    ):
        self.grid_x = grid_x
        self.grid_y = grid_y
        self.loss = loss
        self.params = params
        self.path = path
        self.path_loss = path_loss
        self.fitted = fitted
        self.paths = paths
        self.paths_loss = paths_loss

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
        _check_count(levels, "levels")
        ax = _surface_axes(ax, kind)
        GX, GY = np.meshgrid(self.grid_x, self.grid_y)
        loss = np.asarray(self.loss, dtype=float)
        if kind == "contour":
            self.surface_, self.colorbar_ = _draw_contours(
                ax, GX, GY, loss, levels, surface_kwargs
            )
        else:
            options = {"cmap": "viridis", "alpha": 0.8, "linewidth": 0}
            self.surface_ = ax.plot_surface(
                GX, GY, loss, **{**options, **(surface_kwargs or {})}
            )
            self.colorbar_ = None
            ax.set_zlabel("loss (mean squared error)")
        self.path_line_ = None
        if self.path is not None:
            self.path_line_ = _draw_path(
                ax, kind, self.path, self.path_loss, path_kwargs
            )
        self.path_lines_ = {}
        for k, (name, path) in enumerate((self.paths or {}).items()):
            style = {
                "label": name,
                "color": _PATH_COLORS[k % len(_PATH_COLORS)],
                "marker": _PATH_MARKERS[k % len(_PATH_MARKERS)],
                "markeredgecolor": "black",
                "markeredgewidth": 0.5,
                **(path_kwargs or {}),
            }
            path_loss = None if self.paths_loss is None else self.paths_loss[name]
            self.path_lines_[name] = _draw_path(ax, kind, path, path_loss, style)
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
        if self.path_line_ is not None or self.path_lines_ or self.fitted_marker_:
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
            b. The axes of a one-feature model are labelled a, b, c, those of a
            larger one with the term names.

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
        recorded = [estimator] if hasattr(estimator, "coef_path_") else []
        display = cls._from_fitted(
            estimator, recorded, X, y, params, target, ranges, n_grid, caller
        )
        return display.plot(
            ax=ax,
            kind=kind,
            levels=levels,
            surface_kwargs=surface_kwargs,
            path_kwargs=path_kwargs,
        )

    @classmethod
    def from_estimators(
        cls,
        estimators,
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
        """Several fitted models' descent paths on one loss surface.

        To compare optimizers: every model fitted to the same data with
        ``record_path=True``, each path in a color of its own, named in the
        legend. The surface is that of :meth:`from_estimator` for the first
        model (its fitted values hold the other parameters fixed); the range
        spans every path.

        Parameters
        ----------
        estimators : dict of str to QuadraticGDRegressor
            Fitted estimators by name, in the legend's order, all with the
            same features and targets.

        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Samples the loss is computed on, usually the training data.

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Their targets.

        params : tuple of two str, default=None
            The two parameters of the axes (see :meth:`from_estimator`).

        target : int, default=0
            Index of the target, for multi-output estimators.

        ranges : tuple of two (min, max) pairs, default=None
            Ranges of the two parameters; None spans every path.

        n_grid : int, default=60
            Number of grid values of each parameter.

        kind : {"contour", "surface"}, default="contour"
            Filled contours of the loss, or a 3-D surface.

        levels : int, default=20
            Number of contour levels.

        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        surface_kwargs : dict, default=None
            Keyword arguments of the contours or of the surface.

        path_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for every
            path.

        Returns
        -------
        display : LossSurfaceDisplay
            Object that stores the computed values and the artists.
        """
        caller = f"{cls.__name__}.from_estimators"
        _check_matplotlib(caller)
        estimators = _check_estimators(estimators, caller)
        first = next(iter(estimators.values()))
        display = cls._from_fitted(
            first, estimators, X, y, params, target, ranges, n_grid, caller
        )
        return display.plot(
            ax=ax,
            kind=kind,
            levels=levels,
            surface_kwargs=surface_kwargs,
            path_kwargs=path_kwargs,
        )

    @classmethod
    def _from_fitted(
        cls, estimator, recorded, X, y, params, target, ranges, n_grid, caller
    ):
        """The display of ``estimator``'s surface with the recorded paths.

        ``recorded``: a list holding the estimator itself, whose path is drawn
        as the display's ``path``, or a dict of estimators by name, whose paths
        are its ``paths``; empty draws no path.
        """
        target = _check_target(estimator, target)
        _check_count(n_grid, "n_grid")
        i, j = _check_params(estimator, params)
        if ranges is not None:
            ranges = _check_ranges(ranges)
        X = _check_X(estimator, X, caller)
        y = _check_y(y, X.shape[0], target, caller)
        theta = _parameters(estimator, estimator.coef_, estimator.intercept_, target)
        paths = {}
        if isinstance(recorded, dict):
            paths["paths"] = {
                name: _recorded_path(other, target, caller)
                for name, other in recorded.items()
            }
        elif recorded:
            paths["path"] = _recorded_path(estimator, target, caller)
        surface = _compute_loss_surface(
            X, y, theta, (i, j), ranges=ranges, n_grid=n_grid, **paths
        )
        labels = _article_labels(_parameter_names(estimator))
        return cls(**surface, params=(labels[i], labels[j]))


def _check_estimators(estimators, caller):
    """A non-empty dict of fitted estimators with the same parameters."""
    if not isinstance(estimators, dict) or not estimators:
        raise ValueError(
            f"{caller} needs a dict of fitted estimators by name, such as "
            "{'gd': model, 'nesterov': other}; got "
            f"{type(estimators).__name__}."
        )
    names = None
    for name, estimator in estimators.items():
        check_is_fitted(estimator)
        if names is None:
            names = _parameter_names(estimator)
        elif _parameter_names(estimator) != names:
            raise ValueError(
                f"{caller}: estimator {name!r} has the parameters "
                f"{_parameter_names(estimator)}, the first has {names}: fit "
                "them all on the same features."
            )
    return estimators


def _check_params(estimator, params):
    """Positions in ``[*coef, intercept]`` of the two parameters of the axes.

    None means the quadratic and linear terms of the first feature, the
    article's a and b.
    """
    if params is None:
        return 0, estimator.n_features_in_
    if isinstance(params, str) or len(params) != 2:
        raise ValueError(
            f"params must name two parameters, for example ('a', 'b'); got {params!r}."
        )
    i, j = (_parameter_index(estimator, name, "params") for name in params)
    if i == j:
        raise ValueError(f"params must name two different parameters: {params}.")
    return i, j


def _check_ranges(ranges):
    try:
        (x_low, x_high), (y_low, y_high) = ranges
    except (TypeError, ValueError):
        raise ValueError(
            f"ranges must be two (min, max) pairs, got {ranges!r}."
        ) from None
    return (float(x_low), float(x_high)), (float(y_low), float(y_high))


# -- drawing ---------------------------------------------------------------------


def _surface_axes(ax, kind):
    """The given axes, checked to be 3-D for ``kind="surface"``, or new ones."""
    if kind == "contour":
        return _axes(ax)
    ax = _axes(ax, projection="3d")
    if getattr(ax, "name", None) != "3d":
        raise ValueError(
            "kind='surface' needs 3-D axes: create them with "
            "fig.add_subplot(projection='3d'), or pass ax=None."
        )
    return ax


def _draw_contours(ax, GX, GY, loss, levels, surface_kwargs):
    """Filled contours of the loss and their colorbar."""
    from matplotlib.colors import LogNorm
    from matplotlib.ticker import LogFormatterSciNotation, LogLocator

    top, bottom = loss.max(), loss.min()
    options = {"cmap": "viridis", "levels": levels}
    if bottom > 0 and top > 100 * bottom:
        options["levels"] = np.geomspace(bottom, top, levels)
        options["norm"] = LogNorm(bottom, top)
    options.update(surface_kwargs or {})
    contours = ax.contourf(GX, GY, loss, **options)
    colorbar = ax.figure.colorbar(contours, ax=ax)
    if isinstance(options.get("norm"), LogNorm):
        # Ticks at the decades: the log-spaced levels themselves would be
        # left unlabelled by the logarithmic formatter.
        colorbar.locator = LogLocator()
        colorbar.formatter = LogFormatterSciNotation()
        colorbar.update_ticks()
    colorbar.set_label("loss (mean squared error)")
    return contours, colorbar


# Colors and markers of several paths, readable on the viridis contours and in
# the legend.
_PATH_COLORS = ("tab:red", "black", "tab:orange", "magenta", "tab:blue", "white")
_PATH_MARKERS = ("o", "s", "^", "D", "v", "P")


def _draw_path(ax, kind, path, path_loss, path_kwargs):
    """The descent path: on the plane for contours, at its loss in 3-D."""
    from matplotlib.lines import Line2D

    path = np.asarray(path, dtype=float)
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
    if kind == "contour":
        (line,) = ax.plot(path[:, 0], path[:, 1], **style)
        return line
    if path_loss is None:
        raise ValueError(
            "kind='surface' draws the path at its loss: give path_loss with path."
        )
    # The path lies on the surface: without a fixed drawing order matplotlib's
    # depth sorting hides it behind the surface.
    ax.computed_zorder = False
    (line,) = ax.plot(
        path[:, 0], path[:, 1], np.asarray(path_loss), **{"zorder": 3, **style}
    )
    return line


def _axis_label(name):
    if name in ("intercept", *_ARTICLE_NAMES):
        return name
    return f"coefficient of {name}"
