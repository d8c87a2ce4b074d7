# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""``quadneuron fit``: fit the columns of a CSV file, report, save.

The file is read once, a chunk at a time (:mod:`.tables`). With statistics
(``--precompute`` auto or true, no mini-batches), each chunk's statistics are
merged into the model's by ``partial_fit`` and the chunk is let go: memory is
bounded whatever the size of the file, and standard input can be read. The
fit is then the one of the whole data (:func:`_fit_chunks`). Options that
read the data every epoch (``--precompute false``, ``--batch-size``) hold the
data in memory, and need a file.

The equation, R^2 and the epochs are the command's output, on stdout; notes,
progress and warnings go to stderr.
"""

import sys
import warnings
from contextlib import nullcontext, redirect_stdout

from .errors import CommandError, report, reported_as_options
from .files import Input, Output

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
# A step so small that an epoch leaves the parameters at zero, to float64's
# precision: the chunks before the last only add their statistics.
_NO_STEP = 1e-300


def run_fit(args, out):
    """Fit a CSV file's columns and report the equation and the fit."""
    if args.features is not None and args.target in args.features:
        raise CommandError(
            f"the target {args.target!r} cannot also be a feature; remove it "
            "from --features"
        )
    source = Input(args.file, "a CSV file")
    source.check()
    save = None
    if args.save is not None:
        save = Output("--save", args.save, "the model", binary=True)
    with save or nullcontext():
        # A model written to stdout leaves it to the model alone.
        if save is not None and save.stdout:
            out = sys.stderr
        model, rsquared = _fit(args, source)
        _report(model, rsquared, args, out)
        if save is not None:
            _save(model, save)
    return model


def _fit(args, source):
    """The fitted model and its R^2 on the file, read once."""
    from .._regressor import QuadraticGDRegressor
    from .._validation import check_fit_settings
    from .tables import CsvChunks

    model = QuadraticGDRegressor(
        **{parameter: getattr(args, parameter) for parameter in OPTIONS}
    )
    # The parameters are checked before the data is read.
    with reported_as_options(OPTIONS):
        model._validate_params()
        precompute = check_fit_settings(model, "fit")
    with CsvChunks(source, args.index_col) as table:
        return _fit_table(model, table, precompute, args, source.stdin)


def _fit_table(model, table, precompute, args, stdin):
    """Fit the model to an open table; return it and its R^2."""
    from .._objective import training_rsquared
    from .tables import check_columns

    check_columns(table.first, [args.target], table.name)
    features = _features(table, args)
    check_columns(table.first, features, table.name)
    every_epoch = _reads_every_epoch(model, precompute, len(features))
    if every_epoch is not None and stdin:
        raise CommandError(
            f"{every_epoch} reads the data every epoch, and standard input can be "
            "read only once: give the file's name instead of '-'"
        )
    blocks = _blocks(table, args.target, features)
    # The estimator's progress (verbose) is not the command's output.
    with reported_as_options(OPTIONS), redirect_stdout(sys.stderr):
        if every_epoch is None:
            _fit_chunks(model, blocks)
            # From the statistics of every row, read once.
            rsquared = float(training_rsquared(model._stats, model._form)[0])
        else:
            X, y = _in_memory(blocks, features)
            model.fit(X, y)
            rsquared = model.score(X, y)
    table.finish()
    return model, rsquared


def _reads_every_epoch(model, precompute, n_features):
    """The option that makes the fit read the data every epoch, or None."""
    if precompute is False:
        return "--precompute false"
    if precompute is True:
        return None
    if model.batch_size is not None:
        return "--batch-size"
    from .._statistics import choose_engine

    # "auto" beyond the statistics' memory: the data every epoch, as fit does.
    if choose_engine("auto", 2 * n_features + 1, n_features, 1) == "direct":
        return f"--precompute auto with {n_features} features"
    return None


def _blocks(table, target, features):
    """``(X, y)`` of each chunk, X a DataFrame named by the features."""
    import pandas as pd

    from .tables import numeric_values

    names = [str(feature) for feature in features]
    for chunk in table:
        # The target last, as files usually hold it: the chunk's own array.
        values = numeric_values(chunk, [*features, target], table.name)
        X, y = values[:, :-1], values[:, -1]
        yield pd.DataFrame(X, columns=names, copy=False), y


def _fit_chunks(model, blocks):
    """Fit ``model`` to a stream of ``(X, y)`` blocks as ``fit`` would to all.

    One block is ``fit``'s. With more, ``partial_fit`` merges each block's
    statistics into those of the blocks before it, exactly; on all but the
    last it takes one epoch of a step that leaves the parameters at zero. The
    last call descends with the model's own parameters, from zero, on the
    statistics of every block: the descent ``fit`` takes on the whole data.
    A block is read while the one before it is merged, so that the last is
    known as such.
    """
    from sklearn.exceptions import ConvergenceWarning

    from .._solve import CollinearityWarning

    params = model.get_params()
    gather_only = {
        "solver": "gd",
        "learning_rate": _NO_STEP,
        "max_iter": 1,
        "batch_size": None,
        "verbose": 0,
    }
    last = next(blocks)
    merged = False
    for block in blocks:
        model.set_params(**gather_only)
        # An epoch of no step neither converges nor tells anything of the
        # data's collinearity, which the last call reports on all of it.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", CollinearityWarning)
            model.partial_fit(*last)
        last, merged = block, True
    model.set_params(**params)
    if merged:
        model.partial_fit(*last)
    else:
        model.fit(*last)


def _in_memory(blocks, features):
    """All the blocks as one ``(X, y)``, for a fit that reads them every epoch."""
    import numpy as np
    import pandas as pd

    Xs, ys = [], []
    for X, y in blocks:
        Xs.append(X.to_numpy())
        ys.append(y)
    names = [str(feature) for feature in features]
    return pd.DataFrame(np.concatenate(Xs), columns=names), np.concatenate(ys)


def _features(table, args):
    """The feature columns: those named, or every numeric column but the target."""
    from .tables import is_numeric, listed

    if args.features is not None:
        return list(args.features)
    frame = table.first.frame
    features, skipped = [], []
    for column in frame.columns:
        if column == args.target:
            continue
        (features if is_numeric(frame[column]) else skipped).append(column)
    if skipped:
        dtypes = ", ".join(str(frame[column].dtype) for column in skipped)
        one = len(skipped) == 1
        report(
            "note",
            f"{table.name}: leaving out {'the column' if one else 'the columns'} "
            f"{listed(skipped)}: not numeric (dtype{'' if one else 's'} {dtypes}); "
            "--features names the features",
        )
    if not features:
        raise CommandError(
            f"{table.name}: no numeric column besides the target {args.target!r}; "
            "name the features with --features"
        )
    return features


def _report(model, rsquared, args, out):
    from .._outputs import format_summary

    equation = model.equation()
    if equation.startswith("y = "):
        equation = f"{args.target} = {equation[4:]}"
    print(equation, file=out)
    print(f"R^2 on the training data: {rsquared:.6f}", file=out)
    print(f"epochs: {model.n_iter_} (stopped: {model.stop_reason_})", file=out)
    if args.summary:
        print(file=out)
        text = format_summary(model.summary(), dependent={"y": args.target})
        print(text, file=out)


def _save(model, output):
    import io

    import joblib

    # joblib seeks as it writes, which a pipe cannot: the bytes are made first.
    pickled = io.BytesIO()
    joblib.dump(model, pickled)
    with output.open() as handle:
        handle.write(pickled.getbuffer())
    output.commit()
    if not output.stdout:
        print(f"model saved to {output.name}", file=sys.stderr)
