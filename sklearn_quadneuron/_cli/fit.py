# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""``quadneuron fit``: fit the columns of a CSV file, report, save."""

from .. import QuadraticGDRegressor
from .._outputs import format_summary
from .errors import CommandError, reported_as_options
from .tables import is_numeric, numeric_columns, read_csv

# Each estimator parameter the command line sets, and the option that sets it.
OPTIONS = {
    "solver": "--solver",
    "learning_rate": "--learning-rate",
    "momentum": "--momentum",
    "batch_size": "--batch-size",
    "random_state": "--random-state",
    "max_iter": "--max-iter",
    "tol": "--tol",
    "alpha": "--alpha",
    "standardize": "--standardize",
    "precompute": "--precompute",
    "verbose": "--verbose",
}


def run_fit(args, out):
    """Fit a CSV file's columns and report the equation and the fit."""
    frame = read_csv(args.file, args.index_col)
    y = numeric_columns(frame, [args.target], args.file)[args.target].to_numpy()
    X = numeric_columns(frame, _features(frame, args), args.file)
    # String column names, so that the model's terms are named after them.
    X.columns = [str(column) for column in X.columns]

    model = QuadraticGDRegressor(
        **{parameter: getattr(args, parameter) for parameter in OPTIONS}
    )
    with reported_as_options(OPTIONS):
        model.fit(X, y)

    equation = model.equation()
    if equation.startswith("y = "):
        equation = f"{args.target} = {equation[4:]}"
    print(equation, file=out)
    print(f"R^2 on the training data: {model.score(X, y):.6f}", file=out)
    print(f"epochs: {model.n_iter_} (stopped: {model.stop_reason_})", file=out)
    if args.summary:
        print(file=out)
        text = format_summary(model.summary(), dependent={"y": args.target})
        print(text, file=out)
    if args.save is not None:
        _save(model, args.save)
        print(f"model saved to {args.save}", file=out)
    return model


def _features(frame, args):
    """The feature columns: those named, or every numeric column but the target."""
    if args.features is not None:
        if args.target in args.features:
            raise CommandError(
                f"the target {args.target!r} cannot also be a feature; remove it "
                "from --features"
            )
        return list(args.features)
    features = [
        column
        for column in frame.columns
        if column != args.target and is_numeric(frame[column])
    ]
    if not features:
        raise CommandError(
            f"{args.file}: no numeric column besides the target {args.target!r}; "
            "name the features with --features"
        )
    return features


def _save(model, path):
    import joblib

    try:
        joblib.dump(model, path)
    except OSError as exc:
        raise CommandError(
            f"{path}: cannot write the model ({exc.strerror or exc})"
        ) from None
