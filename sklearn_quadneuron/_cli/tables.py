# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Reading CSV files: one reader for ``fit`` and ``predict``, one set of checks."""

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_integer_dtype, is_numeric_dtype

from .errors import CommandError, report

# pandas' name for a header cell left empty: DataFrame.to_csv leaves the index's
# cell empty unless the index has a name.
_UNNAMED_FIRST = "Unnamed: 0"


def read_csv(path, index_col=None):
    """The data rows of a CSV file, its row labels (if any) as the index.

    Parameters
    ----------
    path : path-like
        A CSV file with a header row.
    index_col : str, default=None
        The column of row labels. None recognises the index written by
        :meth:`pandas.DataFrame.to_csv` (first column without a name, distinct
        integers) and drops it with a note on stderr.

    Returns
    -------
    frame : pandas.DataFrame
        At least one row.
    """
    frame = _parse(path)
    if index_col is not None:
        if index_col not in frame.columns:
            raise CommandError(
                f"{path}: no column {index_col!r} for --index-col; the columns are "
                f"{_listed(frame.columns)}"
            )
        frame = frame.set_index(index_col)
    elif _holds_written_index(frame):
        labels = frame[_UNNAMED_FIRST]
        if np.array_equal(labels, np.arange(len(labels))):
            held = f"0..{len(labels) - 1}"
        else:
            held = "distinct integers"
        report(
            "note",
            f"{path}: ignoring the first column, unnamed and holding {held}: row "
            "labels, as DataFrame.to_csv writes its index. Use --index-col COLUMN "
            "to name the index column instead.",
        )
        frame = frame.drop(columns=_UNNAMED_FIRST)
    if frame.shape[0] == 0:
        raise CommandError(f"{path}: the file has a header but no rows")
    return frame


def _parse(path):
    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not a CSV file") from None
    except pd.errors.EmptyDataError:
        raise CommandError(f"{path}: the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        lines = str(exc).strip().splitlines()
        reason = lines[0] if lines else type(exc).__name__
        raise CommandError(f"{path}: not a readable CSV file ({reason})") from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot read the file ({exc.strerror})") from None


def _holds_written_index(frame):
    if frame.shape[1] < 2 or frame.columns[0] != _UNNAMED_FIRST:
        return False
    labels = frame[_UNNAMED_FIRST]
    # Not only 0..n-1: a frame that was shuffled, split or filtered keeps its
    # labels, and they are no more a feature than 0..n-1 are.
    return is_integer_dtype(labels) and labels.is_unique


def _listed(columns):
    return ", ".join(repr(str(column)) for column in columns)


def is_numeric(values):
    """Whether a column can be a feature or a target (numbers, not booleans)."""
    return is_numeric_dtype(values) and not is_bool_dtype(values)


def numeric_columns(frame, columns, path):
    """The named columns as float64; unknown, non-numeric or missing values fail."""
    unknown = [column for column in columns if column not in frame.columns]
    if frame.index.name is not None and frame.index.name in unknown:
        raise CommandError(
            f"{path}: column {frame.index.name!r} is the index (--index-col), not data"
        )
    if unknown:
        raise CommandError(
            f"{path}: no column {_listed(unknown)}; the columns are "
            f"{_listed(frame.columns)}"
        )
    for column in columns:
        values = frame[column]
        if not is_numeric(values):
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
