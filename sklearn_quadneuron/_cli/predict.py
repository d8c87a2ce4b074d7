# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""``quadneuron predict``: apply a saved model to the rows of a CSV file."""

import numpy as np
import pandas as pd

from .. import QuadraticGDRegressor
from .errors import CommandError
from .parser import PROG
from .tables import numeric_columns, read_csv


def run_predict(args, out):
    """Predict a CSV file's rows with a saved model; write them as CSV."""
    model = load_model(args.model)
    frame = read_csv(args.file, args.index_col)
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        # A model fitted on arrays has no names: the columns are taken in order.
        if frame.shape[1] != model.n_features_in_:
            raise CommandError(
                f"{args.file}: the model was fitted without column names on "
                f"{model.n_features_in_} feature(s); give exactly that many columns"
            )
        X = numeric_columns(frame, list(frame.columns), args.file).to_numpy()
    else:
        X = numeric_columns(frame, [str(name) for name in names], args.file)
    try:
        y_pred = np.asarray(model.predict(X))
    except AttributeError as exc:
        # Pickles hold the private state of the version that saved them.
        raise CommandError(
            f"{args.model}: this version of sklearn-quadneuron cannot use the model "
            f"({exc}); fit it again with '{PROG} fit --save'"
        ) from None
    if y_pred.ndim == 1:
        columns = ["prediction"]
    else:
        columns = [f"prediction_{t}" for t in range(y_pred.shape[1])]
    # Row labels named by --index-col go out with the predictions they label.
    result = pd.DataFrame(y_pred.reshape(len(frame), -1), columns=columns)
    index = args.index_col is not None
    if index:
        result.index = frame.index
    if args.output is None:
        result.to_csv(out, index=index)
        return y_pred
    try:
        result.to_csv(args.output, index=index)
    except OSError as exc:
        raise CommandError(
            f"{args.output}: cannot write the predictions ({exc.strerror or exc})"
        ) from None
    print(f"{y_pred.shape[0]} predictions written to {args.output}", file=out)
    return y_pred


def load_model(path):
    """The fitted QuadraticGDRegressor saved at ``path`` by ``fit --save``.

    Unpickling runs code from the file: the file must come from a trusted source.
    """
    import joblib

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
