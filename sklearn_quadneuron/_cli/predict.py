# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""``quadneuron predict``: apply a saved model to the rows of a CSV file.

The file is read a chunk at a time and each chunk's predictions are written
before the next is read: memory is bounded whatever the size of the file.
"""

import sys
from contextlib import nullcontext

from .errors import CommandError
from .files import Input, Output
from .parser import PROG


def run_predict(args, out):
    """Predict a CSV file's rows with a saved model; write them as CSV."""
    model_file = Input(args.model, "a model file")
    source = Input(args.file, "a CSV file")
    if model_file.stdin and source.stdin:
        raise CommandError(
            "MODEL and FILE.csv cannot both be '-': standard input holds one of them"
        )
    model_file.check()
    source.check()
    output = None
    if args.output is not None:
        output = Output("--output", args.output, "the predictions")
    with output or nullcontext():
        model = load_model(model_file)
        count = _predict(model, model_file.name, source, args, output, out)
        if output is not None:
            output.commit()
            if not output.stdout:
                print(f"{count} predictions written to {output.name}", file=sys.stderr)
    return count


def _predict(model, model_name, source, args, output, out):
    """Write the predictions of every chunk; return how many rows were read."""
    from .tables import CsvChunks

    index = args.index_col is not None
    with CsvChunks(source, args.index_col) as table:
        columns = _feature_columns(model, table)
        with output.open() if output is not None else nullcontext(out) as handle:
            for chunk in table:
                predictions = _chunk_predictions(
                    model, model_name, chunk, columns, table
                )
                if index:
                    predictions.index = chunk.frame.index
                predictions.to_csv(handle, index=index, header=chunk.start == 0)
        table.finish()
    return table.rows


def _feature_columns(model, table):
    """The columns the model reads, checked against the file's first chunk."""
    from .tables import check_columns

    names = getattr(model, "feature_names_in_", None)
    if names is None:
        # A model fitted on arrays has no names: the columns are taken in order.
        if len(table.columns) != model.n_features_in_:
            raise CommandError(
                f"{table.name}: the model was fitted without column names on "
                f"{model.n_features_in_} feature(s); give exactly that many columns"
            )
        return None
    columns = [str(name) for name in names]
    check_columns(table.first, columns, table.name)
    return columns


def _chunk_predictions(model, model_name, chunk, columns, table):
    """A chunk's predictions, as a frame of the columns written."""
    import numpy as np
    import pandas as pd

    from .tables import numeric_values

    if columns is None:
        X = numeric_values(chunk, table.columns, table.name)
    else:
        X = pd.DataFrame(numeric_values(chunk, columns, table.name), columns=columns)
    try:
        y_pred = np.asarray(model.predict(X))
    except AttributeError as exc:
        # Pickles hold the private state of the version that saved them.
        raise CommandError(
            f"{model_name}: this version of sklearn-quadneuron cannot use the model "
            f"({exc}); fit it again with '{PROG} fit --save'"
        ) from None
    if y_pred.ndim == 1:
        labels = ["prediction"]
    else:
        labels = [f"prediction_{t}" for t in range(y_pred.shape[1])]
    return pd.DataFrame(y_pred.reshape(X.shape[0], -1), columns=labels)


def load_model(model_file):
    """The fitted QuadraticGDRegressor saved by ``fit --save``, from an Input.

    Unpickling runs code from the file: the file must come from a trusted source.
    """
    import io

    import joblib

    from .._regressor import QuadraticGDRegressor

    name = model_file.name
    try:
        if model_file.stdin:
            # joblib reads a pickle with seeks: from memory, not from a pipe.
            model = joblib.load(io.BytesIO(sys.stdin.buffer.read()))
        else:
            model = joblib.load(model_file.path)
    except FileNotFoundError:
        raise CommandError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{name}: is a directory, not a model file") from None
    except Exception as exc:  # unpickling can fail in any way on a foreign file
        raise CommandError(
            f"{name}: not a model saved by '{PROG} fit --save' ({type(exc).__name__})"
        ) from None
    if not isinstance(model, QuadraticGDRegressor):
        raise CommandError(
            f"{name}: holds a {type(model).__name__}, not a QuadraticGDRegressor; "
            f"save one with '{PROG} fit --save'"
        )
    if not hasattr(model, "coef_"):
        raise CommandError(f"{name}: the model is not fitted")
    return model
