# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""``quadneuron demo --animate``: the descent as an animated GIF.

Two panels, one frame per epoch (thinned to at most ``MAX_FRAMES``): the
neuron's curve moving over the data, and the path of (b, c) walking down the
loss surface. Written with matplotlib's PillowWriter, which needs Pillow (a
dependency of matplotlib) and no external program.

What does not move (the data, the contours, the axes and their labels) is drawn
once, and every frame shows that picture with the moving parts drawn over it:
redrawing the axes' ticks and labels would cost most of each frame's time.
"""

import numpy as np

# Frames per second of the GIF, and the most frames it holds: longer runs show
# every k-th epoch, and always the first and the last.
FPS = 8
MAX_FRAMES = 120
DPI = 80
# The path's name in the legend.
SOLVER_NAMES = {
    "gd": "gradient descent",
    "momentum": "momentum",
    "nesterov": "Nesterov's momentum",
    "adam": "Adam",
    "newton-cholesky": "Newton's step",
}
# The colors of the moving parts: the curve, and the path on the surface.
CURVE = "tab:red"
PATH = "tab:red"


def frame_epochs(n_iter, max_frames=MAX_FRAMES):
    """The epochs shown, 0 to ``n_iter``, evenly thinned to ``max_frames``."""
    if n_iter + 1 <= max_frames:
        return np.arange(n_iter + 1)
    return np.unique(np.linspace(0, n_iter, max_frames).round().astype(int))


def write_animation(model, X, y, path, *, title):
    """Write the descent of a one-feature model fitted with ``record_path=True``.

    Parameters
    ----------
    model : QuadraticGDRegressor
    X, y : the data it was fitted on (one feature)
    path : str or Path
        The GIF to write.
    title : str
        What the run was, for the figure's title.

    Returns
    -------
    n_frames : int
    """
    from matplotlib.animation import PillowWriter

    theta = np.column_stack([model.coef_path_, model.intercept_path_])
    figure, panels, grid = _background(model, X, y, theta, title)
    fit_ax, surface_ax = panels
    curves = theta[:, :1] * grid**2 + theta[:, 1:2] * grid + theta[:, 2:]
    (curve,) = fit_ax.plot(grid, curves[0], color=CURVE, lw=2.5)
    (walked,) = surface_ax.plot([], [], color=PATH, marker="o", ms=3, lw=1.5)
    (here,) = surface_ax.plot([], [], "o", color="white", mec="black", ms=9)
    # Above the right arm of the parabola, where neither data nor curve pass.
    text = fit_ax.text(
        0.98,
        0.97,
        "",
        transform=fit_ax.transAxes,
        ha="right",
        va="top",
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
    )
    losses = model.loss_curve_

    def draw(k):
        curve.set_ydata(curves[k])
        walked.set_data(theta[: k + 1, 1], theta[: k + 1, 2])
        here.set_data([theta[k, 1]], [theta[k, 2]])
        a, b, c = theta[k]
        loss = f", loss {losses[k]:.4g}" if k < len(losses) else ""
        text.set_text(f"epoch {k}{loss}\na = {a:.4f}\nb = {b:.4f}\nc = {c:.4f}")

    epochs = frame_epochs(model.n_iter_)
    writer = PillowWriter(fps=FPS)
    with writer.saving(figure, str(path), dpi=DPI):
        for k in epochs:
            draw(k)
            writer.grab_frame()
    return len(epochs)


def _background(model, X, y, theta, title):
    """The still picture, and bare axes over it for the moving parts.

    Returns the figure (showing the picture), the two overlaid axes, with the
    limits of the panels under them, and the x grid of the curve.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from ..plotting import LossSurfaceDisplay

    figure = Figure(figsize=(10, 4.2), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # drawn without pyplot or a display
    fit_ax, surface_ax = figure.subplots(1, 2)
    figure.suptitle(title)
    x = X[:, 0]
    grid = np.linspace(x.min(), x.max(), 200)
    start = theta[0, 0] * grid**2 + theta[0, 1] * grid + theta[0, 2]
    end = theta[-1, 0] * grid**2 + theta[-1, 1] * grid + theta[-1, 2]
    fit_ax.scatter(x, y, s=6, color="0.6", alpha=0.5, label="data")
    fit_ax.plot(grid, start, color="tab:blue", linestyle=":", label="start")
    moving = Line2D([], [], color=CURVE, lw=2.5, label="a*x^2 + b*x + c")
    fit_ax.legend(handles=[*fit_ax.get_children()[:2], moving], loc="upper left")
    fit_ax.set_ylim(*_limits(np.concatenate([y, start, end])))
    fit_ax.set_xlabel("x")
    fit_ax.set_ylabel("y")
    display = LossSurfaceDisplay.from_estimator(
        model,
        X,
        y,
        params=("b", "c"),
        ax=surface_ax,
        path_kwargs={"color": PATH, "label": SOLVER_NAMES[model.solver_]},
    )
    display.path_line_.set_data([], [])  # the path walks in, frame by frame
    figure.canvas.draw()
    picture = np.asarray(figure.canvas.buffer_rgba()).copy()
    places = [
        (ax.get_position(), ax.get_xlim(), ax.get_ylim()) for ax in (fit_ax, surface_ax)
    ]

    figure.clear()
    figure.set_layout_engine("none")
    figure.figimage(picture, origin="upper", zorder=-1)
    panels = []
    for box, xlim, ylim in places:
        ax = figure.add_axes(box)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        ax.set_axis_off()
        panels.append(ax)
    return figure, panels, grid


def _limits(values):
    low, high = float(np.min(values)), float(np.max(values))
    margin = 0.05 * (high - low) or 1.0
    return low - margin, high + margin
