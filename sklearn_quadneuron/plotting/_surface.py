# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The numbers of the loss-surface figure: the loss over a grid, and the paths.

Plain numpy, from the data and fitted parameters in the data's units; the
display (``_loss_surface``) only draws them.
"""

import numpy as np

from .._statistics import Moments
from ._common import _expanded


def _compute_loss_surface(
    X, y, theta, axes, *, path=None, paths=None, ranges=None, n_grid=60
):
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
    paths : dict of str to ndarray of shape (n_steps, 2 * n_features + 1), \
            default=None
        Several models' parameters along their descent, by name.
    ranges : tuple of two (min, max) pairs, default=None
        Ranges of the two parameters; None spans the paths and ``theta`` (see
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
        of ``theta``; with ``paths``, ``paths`` and ``paths_loss``, the same
        for each, by name.
    """
    i, j = axes
    losses, G = _mse_from_moments(X, y)
    every = [p for p in [path, *(paths or {}).values()] if p is not None]
    if ranges is None:
        spanned = np.concatenate(every) if every else None
        ranges = [
            _auto_range(
                theta[k], None if spanned is None else spanned[:, k], G[k, k], y
            )
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

    def on_surface(path):
        """The path's two parameters, and the surface's loss along it."""
        on_path = np.broadcast_to(theta, path.shape).copy()
        on_path[:, [i, j]] = path[:, [i, j]]
        return path[:, [i, j]], losses(on_path)

    path_2d, path_loss = (None, None) if path is None else on_surface(path)
    surface = {
        "grid_x": grid_x,
        "grid_y": grid_y,
        "loss": loss,
        "path": path_2d,
        "path_loss": path_loss,
        "fitted": theta[[i, j]],
    }
    if paths is not None:
        drawn = {name: on_surface(p) for name, p in paths.items()}
        surface["paths"] = {name: d[0] for name, d in drawn.items()}
        surface["paths_loss"] = {name: d[1] for name, d in drawn.items()}
    return surface


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
