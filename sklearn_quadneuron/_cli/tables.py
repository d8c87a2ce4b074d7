# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Reading CSV files chunk by chunk: one reader for ``fit`` and ``predict``.

A file (or standard input) is read a chunk of rows at a time, so that memory
stays bounded whatever its size. The columns, the row labels and which columns
are numeric are decided on the first chunk, as they would be on the whole file;
every later chunk is checked against that decision. Rows are named in messages
by their data row: the n-th row after the header, counting from 1.
"""

from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_integer_dtype, is_numeric_dtype

from .errors import CommandError, report

# pandas' name for a header cell left empty: DataFrame.to_csv leaves the index's
# cell empty unless the index has a name.
_UNNAMED_FIRST = "Unnamed: 0"
#: Values (rows times columns) read per chunk: 16 MiB once parsed as float64.
#: The chunk holds at least ``2 * n_columns + 2`` rows, so that a file of one
#: chunk is one with too few rows for the statistics to have full rank.
CHUNK_VALUES = 1 << 21
# Rows read first, to learn the number of columns that sets the chunk's rows.
_FIRST_ROWS = 1024


class Chunk(NamedTuple):
    """Rows of a CSV file: the frame, and the data row before its first row."""

    frame: pd.DataFrame
    start: int


class CsvChunks:
    """The data rows of a CSV file, a chunk at a time; iterate for the chunks.

    Parameters
    ----------
    source : Input
        The file, or standard input.
    index_col : str, default=None
        The column of row labels, made each chunk's index. None recognises the
        index written by :meth:`pandas.DataFrame.to_csv` (first column without
        a name, holding distinct integers in the first chunk) and drops it, with
        a note on stderr once the file is read (:meth:`close`).

    Attributes
    ----------
    name : str
        The file's name in messages.
    columns : list
        The data columns (the index column not among them).
    first : Chunk
        The first chunk, at least one row.
    rows_per_chunk : int
    """

    def __init__(self, source, index_col=None):
        self.name = source.name
        self.index_col = index_col
        self._reader = None
        try:
            self._start(source)
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        self.close()

    def _start(self, source):
        """Read the first chunk and decide, on it, the columns and the labels."""
        index_col = self.index_col
        with self._reading():
            self._reader = pd.read_csv(source.source(), iterator=True)
            head = self._reader.get_chunk(_FIRST_ROWS)
            self.rows_per_chunk = max(
                CHUNK_VALUES // max(head.shape[1], 1),
                2 * head.shape[1] + 2,
                _FIRST_ROWS,
            )
            if len(head) == _FIRST_ROWS and self.rows_per_chunk > _FIRST_ROWS:
                more = self._next_frame(self.rows_per_chunk - _FIRST_ROWS)
                if more is not None:
                    head = pd.concat([head, more])
        self._written_index = None
        if index_col is not None:
            if index_col not in head.columns:
                raise CommandError(
                    f"{self.name}: no column {index_col!r} for --index-col; the "
                    f"columns are {listed(head.columns)}"
                )
        elif _holds_written_index(head):
            self._written_index = _WrittenIndex()
        if head.shape[0] == 0:
            raise CommandError(f"{self.name}: the file has a header but no rows")
        self.first = self._prepared(head, 0)
        self.columns = list(self.first.frame.columns)
        self._rows = len(head)
        self._done = False

    def __iter__(self):
        yield self.first
        while not self._done:
            with self._reading():
                frame = self._next_frame(self.rows_per_chunk)
            if frame is None:
                self._done = True
                return
            chunk = self._prepared(frame, self._rows)
            self._rows += len(frame)
            yield chunk

    @property
    def rows(self):
        """The data rows read so far."""
        return self._rows

    def finish(self):
        """Say what was assumed of the file, now that all of it was read."""
        if self._written_index is not None:
            self._written_index.report(self.name, self._rows)

    def close(self):
        """Close the file (not standard input, which the process owns)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def _next_frame(self, rows):
        try:
            return self._reader.get_chunk(rows)
        except StopIteration:
            return None

    def _prepared(self, frame, start):
        """The chunk's frame with its row labels taken out of the data."""
        if self.index_col is not None:
            frame = frame.set_index(self.index_col)
        elif self._written_index is not None:
            self._written_index.check(frame[_UNNAMED_FIRST], start, self.name)
            frame = frame.drop(columns=_UNNAMED_FIRST)
        return Chunk(frame, start)

    @contextmanager
    def _reading(self):
        """Errors of the CSV parser as one-line CommandErrors."""
        try:
            yield
        except pd.errors.EmptyDataError:
            raise CommandError(f"{self.name}: the file is empty") from None
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            lines = str(exc).strip().splitlines()
            reason = lines[0] if lines else type(exc).__name__
            raise CommandError(
                f"{self.name}: not a readable CSV file ({reason})"
            ) from None
        except IsADirectoryError:
            raise CommandError(f"{self.name}: is a directory, not a CSV file") from None
        except FileNotFoundError:
            raise CommandError(f"{self.name}: no such file") from None
        except OSError as exc:
            raise CommandError(
                f"{self.name}: cannot read the file ({exc.strerror or exc})"
            ) from None


def _holds_written_index(frame):
    if frame.shape[1] < 2 or frame.columns[0] != _UNNAMED_FIRST:
        return False
    labels = frame[_UNNAMED_FIRST]
    # Not only 0..n-1: a frame that was shuffled, split or filtered keeps its
    # labels, and they are no more a feature than 0..n-1 are.
    return is_integer_dtype(labels) and labels.is_unique


class _WrittenIndex:
    """The labels of a written index, followed chunk by chunk for the note."""

    def __init__(self):
        self.counting = True  # 0, 1, 2, ... so far
        self.chunks = 0

    def check(self, labels, start, name):
        if not is_integer_dtype(labels):
            row = start + _first(~labels.map(_is_integer).to_numpy()) + 1
            raise CommandError(
                f"{name}: the first column, unnamed, holds integers in the first "
                f"rows, taken for row labels, but not in data row {row}; name the "
                "index column with --index-col, or name the column in the header"
            )
        self.chunks += 1
        if self.counting:
            expected = np.arange(start, start + len(labels))
            self.counting = np.array_equal(labels.to_numpy(), expected)

    def report(self, name, rows):
        if self.counting:
            held = f"0..{rows - 1}"
        else:
            # Distinct within the first chunk, where the column was recognised.
            held = "distinct integers" if self.chunks == 1 else "integers"
        report(
            "note",
            f"{name}: ignoring the first column, unnamed and holding {held}: row "
            "labels, as DataFrame.to_csv writes its index. Use --index-col COLUMN "
            "to name the index column instead.",
        )


def _is_integer(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _first(mask):
    """The position of the first True in a boolean array (0 if none)."""
    return int(np.argmax(mask))


def listed(columns):
    """Column names as a message lists them: 'a', 'b'."""
    return ", ".join(repr(str(column)) for column in columns)


def is_numeric(values):
    """Whether a column can be a feature or a target (numbers, not booleans)."""
    return is_numeric_dtype(values) and not is_bool_dtype(values)


def check_columns(chunk, columns, name):
    """Fail unless every column named is a data column of the file."""
    frame = chunk.frame
    unknown = [column for column in columns if column not in frame.columns]
    if frame.index.name is not None and frame.index.name in unknown:
        raise CommandError(
            f"{name}: column {frame.index.name!r} is the index (--index-col), not data"
        )
    if unknown:
        raise CommandError(
            f"{name}: no column {listed(unknown)}; the columns are "
            f"{listed(frame.columns)}"
        )


def numeric_values(chunk, columns, name):
    """The named columns of a chunk as a float64 array of shape (rows, columns).

    Raises CommandError for a column that is not numeric or has a missing
    value, naming the first data row at fault.
    """
    frame = chunk.frame
    for column in columns:
        values = frame[column]
        if not is_numeric(values):
            raise CommandError(_not_numeric(values, column, chunk.start, name))
    block = frame[list(columns)].to_numpy(dtype=np.float64)
    missing = np.isnan(block)
    if missing.any():
        row, position = divmod(int(np.argmax(missing)), block.shape[1])
        raise CommandError(
            f"{name}: column {columns[position]!r} has a missing or NaN value in "
            f"data row {chunk.start + row + 1}; remove or fill the missing values "
            "first"
        )
    return block


def _not_numeric(values, column, start, name):
    """Why a column is not numeric: its first value that is not a number."""
    numbers = pd.to_numeric(values, errors="coerce")
    words = (numbers.isna() & values.notna()).to_numpy()
    if is_bool_dtype(values) or not words.any():
        why = f"dtype {values.dtype}"
    else:
        row = _first(words)
        why = f"{values.iloc[row]!r} in data row {start + row + 1}"
    return f"{name}: column {column!r} is not numeric ({why}); choose numeric columns"
