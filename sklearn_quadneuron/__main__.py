# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Command line: ``python -m sklearn_quadneuron`` (or ``quadneuron``).

Subcommands: ``demo`` re-runs the article, ``fit`` fits a CSV file and ``predict``
applies a saved model to one. Errors in the input print one line,
``quadneuron: error: ...``, and exit with status 2, as argparse does for bad
arguments.
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

from .datasets import make_quadratic

TRUE_PARAMETERS = {"a": 10.0, "b": 5.0, "c": 12.0}
ARTICLE_INIT = {"a": 15.0, "b": -2.0, "c": 10.0}
PROG = "quadneuron"
_PLOT_EXTRA = "pip install 'sklearn-quadneuron[plot]'"


class CommandError(Exception):
    """An error in the user's input, reported as one line without a traceback."""


def _positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {text}")
    return value


def _learning_rate(text):
    if text == "auto":
        return text
    try:
        return _positive_float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number > 0 or 'auto', got {text!r}"
        ) from None


def build_parser():
    """The argument parser of the command line."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A quadratic neuron trained by gradient descent.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="re-run the article: fit a*x**2 + b*x + c by gradient descent",
        description=(
            "Re-run the article 'The hello, world of Deep Learning': 1000 points "
            "of y = 10x^2 + 5x + 12, start from a=15, b=-2, c=10, and descend on "
            "the raw features with the article's exact gradients."
        ),
    )
    demo.add_argument("--epochs", type=_positive_int, default=50)
    demo.add_argument("--learning-rate", type=_positive_float, default=0.1)
    demo.add_argument("--seed", type=int, default=0, help="seed of the data")
    demo.add_argument(
        "--plot-dir",
        type=Path,
        metavar="DIR",
        help=(
            "write the article's four figures as PNG files in DIR (created if "
            f"needed): fit, loss_curve, parameters, loss_surface. Needs matplotlib: "
            f"{_PLOT_EXTRA}"
        ),
    )
    demo.set_defaults(handler=run_demo)

    fit = commands.add_parser(
        "fit",
        help="fit the quadratic model to the columns of a CSV file",
        description=(
            "Fit y = sum_j (a_j*x_j^2 + b_j*x_j) + c to a CSV file by gradient "
            "descent; print the equation, R^2 on the training data, and the epochs "
            "used."
        ),
    )
    fit.add_argument("file", metavar="FILE.csv", help="CSV file with a header row")
    fit.add_argument("--target", required=True, metavar="COLUMN", help="column of y")
    fit.add_argument(
        "--features",
        nargs="+",
        metavar="COLUMN",
        help="feature columns (default: every other numeric column)",
    )
    fit.add_argument(
        "--learning-rate",
        type=_learning_rate,
        default="auto",
        metavar="X|auto",
        help="step size of gradient descent (default: auto, a safe step)",
    )
    fit.add_argument(
        "--max-iter", type=_positive_int, default=1000, metavar="N", help="max epochs"
    )
    fit.add_argument(
        "--no-standardize",
        action="store_true",
        help="descend on the raw features x^2, x as the article does",
    )
    fit.add_argument(
        "--save", type=Path, metavar="PATH", help="save the fitted model with joblib"
    )
    fit.set_defaults(handler=run_fit)

    predict = commands.add_parser(
        "predict",
        help="predict the rows of a CSV file with a saved model",
        description=(
            "Load a model saved by 'fit --save' and predict the rows of a CSV file "
            "from its columns named as the model's features. Loading runs the "
            "pickled file's code: load only models you trust."
        ),
    )
    predict.add_argument("model", metavar="MODEL", help="model file saved by fit")
    predict.add_argument("file", metavar="FILE.csv", help="CSV file with a header row")
    predict.add_argument(
        "--output",
        type=Path,
        metavar="OUT.csv",
        help="write the predictions here (default: standard output)",
    )
    predict.set_defaults(handler=run_predict)
    return parser


# -- demo ------------------------------------------------------------------------


def run_demo(args, out=sys.stdout):
    """Fit the article's data from the article's start, and report."""
    from ._regressor import QuadraticGDRegressor

    if args.plot_dir is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise CommandError(f"--plot-dir requires matplotlib: {_PLOT_EXTRA}")

    X, y = make_quadratic(1000, random_state=args.seed)
    model = QuadraticGDRegressor(
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
    print(
        f"from a=15, b=-2, c=10, learning rate {args.learning_rate}, "
        f"{args.epochs} epochs:",
        file=out,
    )
    model.fit(
        X,
        y,
        coef_init=[ARTICLE_INIT["a"], ARTICLE_INIT["b"]],
        intercept_init=ARTICLE_INIT["c"],
    )
    learned = {"a": model.coef_[0], "b": model.coef_[1], "c": model.intercept_}
    print(f"\n{'':9}{'learned':>12}{'true':>8}", file=out)
    for name, value in learned.items():
        print(f"{name:9}{value:12.6f}{TRUE_PARAMETERS[name]:8.1f}", file=out)
    print(f"\nfinal loss {model.loss_curve_[-1]:.6g}", file=out)
    if args.plot_dir is not None:
        paths = write_figures(model, X, y, args.plot_dir)
        print("\nFigures written:", file=out)
        for path in paths:
            print(f"  {path}", file=out)
    return model


def write_figures(model, X, y, directory):
    """Write the article's four figures of a demo model as PNG files.

    Returns the paths written, in the article's order.
    """
    # Figures made without pyplot render with Agg whatever the session's backend,
    # and leave no global state behind.
    from matplotlib.figure import Figure

    from .plotting import (
        FitDisplay,
        LossCurveDisplay,
        LossSurfaceDisplay,
        ParameterPathDisplay,
    )

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    n_epochs = model.n_iter_

    def new_axes():
        return Figure(figsize=(6.4, 4.8), layout="constrained").subplots()

    ax = new_axes()
    FitDisplay.from_estimator(model, X, y, show_initial=True, ax=ax)
    ax.set_xlabel("x")
    ax.set_title(
        f"The neuron a*x^2 + b*x + c before and after {n_epochs} epochs\n"
        "data: y = 10x^2 + 5x + 12"
    )
    figures = [("fit.png", ax.figure)]

    ax = new_axes()
    LossCurveDisplay.from_estimator(model, ax=ax)
    ax.set_title(f"Training loss over {n_epochs} epochs of gradient descent")
    ax.grid(True, which="major", alpha=0.3)
    figures.append(("loss_curve.png", ax.figure))

    ax = new_axes()
    path = model.coef_path_
    ParameterPathDisplay(
        parameter_paths={
            "a": path[:, 0],
            "b": path[:, 1],
            "c": model.intercept_path_,
        },
        true_values=TRUE_PARAMETERS,
    ).plot(ax=ax)
    ax.set_title("Parameters during training (dashed: true values)")
    ax.legend(ncols=2)
    figures.append(("parameters.png", ax.figure))

    ax = new_axes()
    LossSurfaceDisplay.from_estimator(model, X, y, params=("b", "c"), ax=ax)
    ax.set_title(
        f"Loss over (b, c), a held at its fitted value {model.coef_[0]:.3g},\n"
        "and the path of gradient descent from (b, c) = (-2, 10)"
    )
    figures.append(("loss_surface.png", ax.figure))

    paths = []
    for name, figure in figures:
        path = directory / name
        figure.savefig(path, dpi=100)
        paths.append(path)
    return paths


# -- fit and predict on CSV files ---------------------------------------------------


def _read_csv(path):
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not a CSV file") from None
    except pd.errors.EmptyDataError:
        raise CommandError(f"{path}: the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc)
        raise CommandError(f"{path}: not a readable CSV file ({reason})") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot read the file ({exc.strerror})") from None
    if frame.shape[0] == 0:
        raise CommandError(f"{path}: the file has a header but no rows")
    return frame


def _numeric_columns(frame, columns, path):
    """The named columns as floats; unknown, non-numeric or missing values fail."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    unknown = [column for column in columns if column not in frame.columns]
    if unknown:
        raise CommandError(
            f"{path}: no column {', '.join(map(repr, unknown))}; the columns are "
            f"{', '.join(map(repr, map(str, frame.columns)))}"
        )
    for column in columns:
        values = frame[column]
        if not is_numeric_dtype(values) or is_bool_dtype(values):
            raise CommandError(
                f"{path}: column {column!r} is not numeric (dtype {values.dtype}); "
                "choose numeric columns"
            )
        n_missing = int(values.isna().sum())
        if n_missing:
            raise CommandError(
                f"{path}: column {column!r} has {n_missing} missing or NaN "
                "value(s); remove or fill them first"
            )
    return frame[list(columns)].astype(np.float64)


def _fit_quietly(model, X, y):
    """Fit, turning warnings into one-line notes on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    for warning in caught:
        message = " ".join(str(warning.message).split())
        print(f"{PROG}: warning: {message}", file=sys.stderr)
    return model


def run_fit(args, out=sys.stdout):
    """Fit a CSV file's columns and report the equation and the fit."""
    from ._regressor import QuadraticGDRegressor

    frame = _read_csv(args.file)
    _numeric_columns(frame, [args.target], args.file)
    if args.features is None:
        from pandas.api.types import is_bool_dtype, is_numeric_dtype

        features = [
            column
            for column in frame.columns
            if column != args.target
            and is_numeric_dtype(frame[column])
            and not is_bool_dtype(frame[column])
        ]
        if not features:
            raise CommandError(
                f"{args.file}: no numeric column besides the target "
                f"{args.target!r}; name the features with --features"
            )
    else:
        features = list(args.features)
        if args.target in features:
            raise CommandError(
                f"the target {args.target!r} cannot also be a feature; remove it "
                "from --features"
            )
    X = _numeric_columns(frame, features, args.file)
    # String column names, so that the model's terms are named after them.
    X.columns = [str(column) for column in X.columns]
    y = frame[args.target].to_numpy(dtype=np.float64)

    model = QuadraticGDRegressor(
        learning_rate=args.learning_rate,
        max_iter=args.max_iter,
        standardize=not args.no_standardize,
    )
    _fit_quietly(model, X, y)
    equation = model.equation()
    if equation.startswith("y = "):
        equation = f"{args.target} = {equation[4:]}"
    print(equation, file=out)
    print(f"R^2 on the training data: {model.score(X, y):.6f}", file=out)
    print(f"epochs: {model.n_iter_} (stopped: {model.stop_reason_})", file=out)
    if args.save is not None:
        import joblib

        try:
            joblib.dump(model, args.save)
        except OSError as exc:
            raise CommandError(
                f"{args.save}: cannot write the model ({exc.strerror or exc})"
            ) from None
        print(f"model saved to {args.save}", file=out)
    return model


def _load_model(path):
    import joblib

    from ._regressor import QuadraticGDRegressor

    try:
        model = joblib.load(path)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not a model file") from None
    except Exception as exc:  # unpickling can fail in any way on a foreign file
        raise CommandError(
            f"{path}: not a model saved by '{PROG} fit --save' ({type(exc).__name__})"
        ) from None
    if not isinstance(model, QuadraticGDRegressor):
        raise CommandError(
            f"{path}: holds a {type(model).__name__}, not a QuadraticGDRegressor; "
            f"save one with '{PROG} fit --save'"
        )
    if not hasattr(model, "coef_"):
        raise CommandError(f"{path}: the model is not fitted")
    return model


def run_predict(args, out=sys.stdout):
    """Predict a CSV file's rows with a saved model; write them as CSV."""
    import pandas as pd

    model = _load_model(args.model)
    frame = _read_csv(args.file)
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        # A model fitted on arrays has no names: the columns are taken in order.
        if frame.shape[1] != model.n_features_in_:
            raise CommandError(
                f"{args.file}: the model was fitted without column names on "
                f"{model.n_features_in_} feature(s); give exactly that many columns"
            )
        X = _numeric_columns(frame, list(frame.columns), args.file).to_numpy()
    else:
        X = _numeric_columns(frame, [str(name) for name in names], args.file)
    y_pred = np.asarray(model.predict(X))
    if y_pred.ndim == 1:
        result = pd.DataFrame({"prediction": y_pred})
    else:
        result = pd.DataFrame(
            y_pred, columns=[f"prediction_{t}" for t in range(y_pred.shape[1])]
        )
    if args.output is None:
        result.to_csv(out, index=False)
    else:
        try:
            result.to_csv(args.output, index=False)
        except OSError as exc:
            raise CommandError(
                f"{args.output}: cannot write the predictions ({exc.strerror or exc})"
            ) from None
        print(f"{y_pred.shape[0]} predictions written to {args.output}", file=out)
    return y_pred


def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name. None reads ``sys.argv``.

    Returns
    -------
    status : int
        The exit status: 0 on success, 2 on an error in the arguments or the
        input (reported on stderr as ``quadneuron: error: ...``).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or an argument error already reported
        return exc.code if isinstance(exc.code, int) else 2
    try:
        args.handler(args, out=sys.stdout)
    except (CommandError, ValueError, ImportError) as exc:
        # ValueError covers the estimator's own errors, DivergenceError included.
        message = " ".join(str(exc).split())
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
