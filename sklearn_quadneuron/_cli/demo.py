# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""``quadneuron demo``: the article's run, and its four figures."""

import sys
from contextlib import nullcontext, redirect_stdout
from pathlib import Path

from .errors import CommandError, reported_as_options
from .files import Output, is_stdio, make_directory

TRUE_PARAMETERS = {"a": 10.0, "b": 5.0, "c": 12.0}
ARTICLE_INIT = {"a": 15.0, "b": -2.0, "c": 10.0}
OPTIONS = {
    "max_iter": "--epochs",
    "learning_rate": "--learning-rate",
    "solver": "--solver",
}
PLOT_EXTRA = "pip install 'sklearn-quadneuron[plot]'"


def run_demo(args, out):
    """Fit the article's data from the article's start, and report."""
    animate = args.animate
    if animate is not None and not is_stdio(animate):
        if animate.suffix.lower() != ".gif":
            raise CommandError(
                f"--animate writes a GIF: name the file FILE.gif, got {animate}"
            )
    for option, value in (("--plot-dir", args.plot_dir), ("--animate", animate)):
        if value is None:
            continue
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise CommandError(f"{option} requires matplotlib: {PLOT_EXTRA}")
    # Where the figures go is checked before the descent runs.
    if args.plot_dir is not None:
        make_directory("--plot-dir", args.plot_dir)
    gif = None
    if animate is not None:
        gif = Output("--animate", animate, "the animation", binary=True)
    with gif or nullcontext():
        # A GIF written to stdout leaves it to the GIF alone.
        if gif is not None and gif.stdout:
            out = sys.stderr
        model = _run(args, out)
        if gif is not None:
            _animate(model, args, gif)
    return model


def _run(args, out):
    """The article's fit, its report, and its figures."""
    from .._messages import counted
    from .._regressor import QuadraticGDRegressor
    from ..datasets import make_quadratic

    X, y = make_quadratic(1000, random_state=args.seed)
    model = QuadraticGDRegressor(
        solver=args.solver,
        learning_rate=args.learning_rate,
        max_iter=args.epochs,
        tol=None,
        standardize=False,
        verbose=5,
        record_path=True,
    )
    print(
        f"Fitting y = a*x^2 + b*x + c to {X.shape[0]} points of y = 10x^2 + 5x + 12,",
        file=out,
    )
    if args.solver == "newton-cholesky":
        how = "one Newton step to the exact minimum (newton-cholesky)"
    else:
        how = f"learning rate {args.learning_rate}, {counted(args.epochs, 'epoch')}"
        how += "" if args.solver == "gd" else f" of {args.solver}"
    print(f"from a=15, b=-2, c=10, {how}:", file=out)
    # The epochs the estimator prints are the demo's report, wherever it goes.
    with reported_as_options(OPTIONS), redirect_stdout(out):
        model.fit(
            X,
            y,
            coef_init=[ARTICLE_INIT["a"], ARTICLE_INIT["b"]],
            intercept_init=ARTICLE_INIT["c"],
        )
    _report(model, args, out)
    if args.plot_dir is not None:
        paths = write_figures(model, X, y, args.plot_dir)
        print("Figures written:", file=sys.stderr)
        for path in paths:
            print(f"  {path}", file=sys.stderr)
    return model


def _animate(model, args, gif):
    """Write the animation of the descent, then say where it went."""
    from ..datasets import make_quadratic
    from .animation import write_animation

    X, y = make_quadratic(1000, random_state=args.seed)
    step = (
        "one Newton step"
        if args.solver == "newton-cholesky"
        else f"learning rate {model.learning_rate_:.3g}"
    )
    title = (
        f"{args.solver}, {step}: "
        "the neuron a*x^2 + b*x + c learning y = 10x^2 + 5x + 12"
    )
    with gif.named(".gif") as path:
        frames = write_animation(model, X, y, path, title=title)
    gif.commit()
    print(f"Animation written: {gif.name} ({frames} frames)", file=sys.stderr)


def _report(model, args, out):
    learned = {"a": model.coef_[0], "b": model.coef_[1], "c": model.intercept_}
    print(f"\n{'':9}{'learned':>12}{'true':>8}", file=out)
    for name, value in learned.items():
        print(f"{name:9}{value:12.6f}{TRUE_PARAMETERS[name]:8.1f}", file=out)
    if args.learning_rate == "auto":
        print(f"\nlearning rate 'auto': {model.learning_rate_:.10g}", file=out)
    if args.solver in ("momentum", "nesterov"):
        print(f"momentum 'auto': {model.momentum_:.10g}", file=out)
    print(f"\nfinal loss {model.loss_curve_[-1]:.6g}", file=out)


def write_figures(model, X, y, directory):
    """Write the article's four figures of a demo model as PNG files.

    Returns the paths written, in the article's order.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    figures = {
        "fit.png": _fit_figure(model, X, y),
        "loss_curve.png": _loss_figure(model),
        "parameters.png": _parameters_figure(model),
        "loss_surface.png": _surface_figure(model, X, y),
    }
    paths = []
    for name, figure in figures.items():
        path = directory / name
        figure.savefig(path, dpi=100)
        paths.append(path)
    return paths


def _new_axes():
    # Figures made without pyplot render with Agg whatever the session's backend,
    # and leave no global state behind.
    from matplotlib.figure import Figure

    return Figure(figsize=(6.4, 4.8), layout="constrained").subplots()


def _fit_figure(model, X, y):
    from .._messages import counted
    from ..plotting import FitDisplay

    ax = _new_axes()
    FitDisplay.from_estimator(model, X, y, show_initial=True, ax=ax)
    ax.set_xlabel("x")
    ax.set_title(
        "The neuron a*x^2 + b*x + c before and after "
        f"{counted(model.n_iter_, 'epoch')}\n"
        "data: y = 10x^2 + 5x + 12"
    )
    return ax.figure


def _loss_figure(model):
    from .._messages import counted
    from ..plotting import LossCurveDisplay

    ax = _new_axes()
    LossCurveDisplay.from_estimator(model, ax=ax)
    ax.set_title(
        f"Training loss over {counted(model.n_iter_, 'epoch')} of gradient descent"
    )
    ax.grid(True, which="major", alpha=0.3)
    return ax.figure


def _parameters_figure(model):
    from ..plotting import ParameterPathDisplay

    ax = _new_axes()
    path = model.coef_path_
    ParameterPathDisplay(
        parameter_paths={"a": path[:, 0], "b": path[:, 1], "c": model.intercept_path_},
        true_values=TRUE_PARAMETERS,
    ).plot(ax=ax)
    ax.set_title("Parameters during training (dashed: true values)")
    return ax.figure


def _surface_figure(model, X, y):
    from ..plotting import LossSurfaceDisplay

    ax = _new_axes()
    LossSurfaceDisplay.from_estimator(model, X, y, params=("b", "c"), ax=ax)
    ax.set_title(
        f"Loss over (b, c), a held at its fitted value {model.coef_[0]:.3g},\n"
        "and the path of gradient descent from (b, c) = (-2, 10)"
    )
    return ax.figure
