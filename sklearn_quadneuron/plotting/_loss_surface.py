# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The article's fourth figure: the loss surface and the descent path on it."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._loss import Moments
from ._common import (
    _ARTICLE_NAMES,
    _article_labels,
    _axes,
    _check_count,
    _check_matplotlib,
    _check_target,
    _check_X,
    _check_y,
    _expanded,
    _parameter_index,
    _parameter_names,
    _parameters,
    _recorded_path,
    _style,
)


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
        target = _check_target(estimator, target)
        _check_count(n_grid, "n_grid")
        i, j = _check_params(estimator, params)
        if ranges is not None:
            ranges = _check_ranges(ranges)
        X = _check_X(estimator, X, caller)
        y = _check_y(y, X.shape[0], target, caller)
        theta = _parameters(estimator, estimator.coef_, estimator.intercept_, target)
        path = None
        if hasattr(estimator, "coef_path_"):
            path = _recorded_path(estimator, target, caller)

        surface = _compute_loss_surface(
            X, y, theta, (i, j), path=path, ranges=ranges, n_grid=n_grid
        )
        labels = _article_labels(_parameter_names(estimator))
        display = cls(**surface, params=(labels[i], labels[j]))
        return display.plot(
            ax=ax,
            kind=kind,
            levels=levels,
            surface_kwargs=surface_kwargs,
            path_kwargs=path_kwargs,
        )


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


def _compute_loss_surface(X, y, theta, axes, *, path=None, ranges=None, n_grid=60):
    """The mean squared error over a grid of two parameters, the others fixed.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Samples the loss is computed on.
    y : ndarray of shape (n_samples,)
        Their targets.
    theta : ndarray of shape (2 * n_features + 1,)
        Parameters ``[*coef, intercept]`` in the data's units; the grid replaces
        two of them and holds the others.
    axes : tuple of two int
        Positions in ``theta`` of the parameters of the horizontal and vertical
        axes.
    path : ndarray of shape (n_steps, 2 * n_features + 1), default=None
        The parameters along gradient descent.
    ranges : tuple of two (min, max) pairs, default=None
        Ranges of the two parameters; None spans ``path`` and ``theta`` (see
        :func:`_auto_range`).
    n_grid : int, default=60
        Number of grid values of each parameter.

    Returns
    -------
    surface : dict
        ``grid_x``, ``grid_y`` (n_grid,), ``loss`` (n_grid, n_grid) with
        ``loss[i, j]`` at ``(grid_x[j], grid_y[i])``, and, with ``path``, the
        two parameters along it, ``path`` (n_steps, 2), and the surface's loss
        there, ``path_loss`` (n_steps,), else None; ``fitted``: the two values
        of ``theta``.
    """
    i, j = axes
    losses, G = _mse_from_moments(X, y)
    if ranges is None:
        ranges = [
            _auto_range(theta[k], None if path is None else path[:, k], G[k, k], y)
            for k in axes
        ]
    (x_low, x_high), (y_low, y_high) = ranges
    grid_x = np.linspace(x_low, x_high, n_grid)
    grid_y = np.linspace(y_low, y_high, n_grid)
    # Every grid point is theta with two of its values replaced.
    thetas = np.broadcast_to(theta, (n_grid, n_grid, theta.shape[0])).copy()
    thetas[..., i] = grid_x[None, :]
    thetas[..., j] = grid_y[:, None]
    loss = losses(thetas.reshape(-1, theta.shape[0])).reshape(n_grid, n_grid)
    path_2d = path_loss = None
    if path is not None:
        on_path = np.broadcast_to(theta, path.shape).copy()
        on_path[:, [i, j]] = path_2d = path[:, [i, j]]
        path_loss = losses(on_path)
    return {
        "grid_x": grid_x,
        "grid_y": grid_y,
        "loss": loss,
        "path": path_2d,
        "path_loss": path_loss,
        "fitted": theta[[i, j]],
    }


def _mse_from_moments(X, y):
    """The MSE of many parameter vectors after one pass over the data.

    Returns a function of ``thetas`` of shape (n_thetas, n_params) giving the
    MSE of each row, and ``G = mean(phi phi^T)``.

    The model is linear in ``theta``, so the MSE only needs the moments of
    ``phi = [X**2, X, 1]`` and y. They are taken around a least-squares
    solution ``theta*``: the MSE of ``theta`` is that of ``theta - theta*``
    against the residuals ``y - phi @ theta*``, which are small near the
    minimum, where the moments of y themselves would cancel the digits of a
    small loss (on noiseless data the minimum is 0).
    """
    Phi = _expanded(X)
    theta_star = np.linalg.lstsq(Phi, y, rcond=None)[0]
    moments = Moments.from_samples(Phi, y - Phi @ theta_star)

    def losses(thetas):
        return moments.mse_per_column((thetas - theta_star).T)

    return losses, moments.gram()[0]


def _auto_range(fitted, path, curvature, y):
    """A range of one parameter spanning its path and fitted value, with margins.

    Without a path to span, the range reaches where the loss has risen by about
    the variance of y (the loss of the best constant model): far enough to show
    the valley, whatever the units of the parameter. ``curvature`` is the
    parameter's diagonal entry of ``G = mean(phi phi^T)``, half the loss's second
    derivative along it.
    """
    values = [fitted] if path is None else [*path, fitted]
    low, high = min(values), max(values)
    if high > low:
        margin = 0.15 * (high - low)
    elif curvature > 0:
        margin = np.sqrt(max(np.var(y), 1e-12) / curvature)
    else:
        margin = 1.0
    return low - margin, high + margin


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
