# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Reading CSV files chunk by chunk: one reader for ``fit`` and ``predict``.

A file (or standard input) is read a chunk of rows at a time, so that memory
stays bounded whatever its size. The columns, the row labels and which columns
are numeric are decided on the first chunk, as they would be on the whole file;
every later chunk is checked against that decision. Rows are named in messages
by their data row: the n-th row after the header, counting from 1.
"""

import io
import os
import re
from collections import deque
from concurrent.futures import ThreadPoolExecutor
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
# A file of at least two ranges of this many bytes is read and parsed a range at
# a time on two threads (pandas' parser lets go of the GIL), as pandas reads a
# whole file: 4e6 rows of two columns (146 MB) served in chunks in 1.5 times
# pandas' read of the whole file, against 2.1 times in its chunks (one thread).
# Ranges of 2 MiB took 1.7 times, for 35 MiB less memory; of 1 MiB, 1.9 times.
RANGE_BYTES = 1 << 22
# Ranges in flight: as many as hold a chunk's rows (by the last range served, or
# the first's rows per byte), so that the threads parse the next chunk while one
# is fitted (5% less time on the file above than 2), within _RANGES_AHEAD and
# _MOST_AHEAD: memory stays bounded (at most 8 ranges parsed, the bytes of the
# two being parsed, each thread's buffers). The first range, read with the
# header before the threads start, is short: they wait on it (19 ms at 4 MiB).
# A range runs on past RANGE_BYTES to the next newline, within _LONGEST_LINE.
_RANGES_AHEAD = 2
_MOST_AHEAD = 8
_FIRST_RANGE_BYTES = 1 << 16
_LONGEST_LINE = 1 << 26
# Suffixes pandas reads as compressed: such files are read by its own reader.
_COMPRESSED = (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar", ".tgz", ".tbz2", ".txz")


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
            self._reader = _reader(source)
            head = self._reader.get_chunk(_FIRST_ROWS)
            self.rows_per_chunk = max(
                CHUNK_VALUES // max(head.shape[1], 1),
                2 * head.shape[1] + 2,
                _FIRST_ROWS,
            )
            if len(head) == _FIRST_ROWS and self.rows_per_chunk > _FIRST_ROWS:
                more = self._next_frame(self.rows_per_chunk - _FIRST_ROWS)
                if more is not None:
                    # As one block (_joined) where rows are numbered 0.. as read.
                    ranged = isinstance(more.index, pd.RangeIndex)
                    head = (_joined if ranged else pd.concat)([head, more])
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


def _reader(source):
    """What serves a file's rows a chunk at a time (``get_chunk`` and ``close``):
    :class:`_RangeReader` for a file large enough, pandas' iterator otherwise."""
    path = None if source.stdin else source.path
    if (
        path is None
        or not os.path.isfile(path)
        or path.lower().endswith(_COMPRESSED)
        or os.path.getsize(path) < 2 * RANGE_BYTES
    ):
        return pd.read_csv(source.source(), iterator=True)
    reader = _RangeReader(path)
    if reader.columns is None:
        reader.close()
        return pd.read_csv(source.source(), iterator=True)
    return reader


class _RangeReader:
    """A CSV file's rows, parsed on two threads from ranges of its bytes.

    The file is cut at newlines into ranges of about ``RANGE_BYTES``; the first,
    shorter, is read with its header, as the whole file would be, and gives the
    columns; each later range is read with those names, on a thread, up to a
    chunk's rows ahead of the one served. A range is cut only where no quoted
    field is open (a newline after an even number of quotes since the range's
    start): where a quoted field may hold a newline, or a range cannot be read,
    the rest of the file, from that range's first byte, is read by pandas' own
    iterator, whose errors then count lines from the file's start. ``columns``
    is None where the first range cannot serve (an index column implied by the
    header, a header alone): the file is then read by pandas' iterator from its
    start.
    """

    def __init__(self, path):
        self._file = open(path, "rb")
        self._fd = self._file.fileno()
        self._size = os.fstat(self._fd).st_size
        self._pool = ThreadPoolExecutor(max_workers=2)
        self._pending = deque()  # (start, future) of ranges in order
        self._frames = deque()  # parsed rows not served yet
        self._next = 0  # the first byte of the next range
        self._served = 0
        self._wanted = 0  # the rows of the chunk asked for last
        self._serial = None
        self._uncut = None  # the first byte of a range with no newline in reach
        self.columns = None
        try:
            # The header's line, then a short range of rows past it.
            _, header = self._range(1)
            self._next, first = 0, min(_FIRST_RANGE_BYTES, RANGE_BYTES)
            start, stop = (0, None) if header is None else self._range(header + first)
            frame = None if stop is None else self._read(start, stop, None)
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
            frame = None  # pandas' iterator reads it, and says why it cannot
        except BaseException:
            self.close()
            raise
        if frame is None or not len(frame):
            return
        self.columns = list(frame.columns)
        # The rows of a range, as the first range's bytes of rows hold them.
        self._range_rows = max(len(frame) * RANGE_BYTES // (stop - header), 1)
        self._frames.append(frame)
        self._ahead()

    def _range(self, length=None):
        """The next range: its first byte and the byte past its last, the first
        newline from ``length`` bytes on (``RANGE_BYTES``; None where none comes
        within ``_LONGEST_LINE``: a file of no or rare newlines)."""
        length = RANGE_BYTES if length is None else length
        start, size = self._next, self._size
        offset = stop = min(start + length, size)
        while offset < size:
            window = os.pread(self._fd, 1 << 16, offset)
            found = window.find(b"\n")
            if found >= 0:
                stop = offset + found + 1
                break
            offset += len(window)
            if offset - start > length + _LONGEST_LINE:
                self._next = size
                return start, None
            stop = size
        self._next = stop
        return start, stop

    def _ahead(self):
        """Start reading and parsing ranges ahead: as many as hold the rows of
        a chunk, within ``_RANGES_AHEAD`` and ``_MOST_AHEAD``."""
        ahead = -(-self._wanted // self._range_rows)  # (a ceiling)
        ahead = min(max(_RANGES_AHEAD, ahead), _MOST_AHEAD)
        while len(self._pending) < ahead and self._next < self._size:
            start, stop = self._range()
            if stop is None:
                self._uncut = start
                return
            future = self._pool.submit(self._read, start, stop, self.columns)
            self._pending.append((start, future))

    def _read(self, start, stop, names):
        """The rows of bytes ``start`` to ``stop`` (see :func:`_parse`)."""
        return _parse(os.pread(self._fd, stop - start, start), names)

    def _next_frame(self):
        if self._frames:
            return self._frames.popleft()
        if self._serial is not None:
            return self._serial.next_frame()
        if not self._pending:
            if self._uncut is None:
                return None
            self._to_serial(self._uncut)
            return self._next_frame()
        start, future = self._pending.popleft()
        try:
            frame = future.result()
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
            frame = None
        if frame is None:
            self._to_serial(start)
            return self._next_frame()
        self._range_rows = max(len(frame), 1)  # as the file's rows go now
        self._ahead()
        return frame

    def _to_serial(self, start):
        """Read the rest, from byte ``start``, with pandas' iterator.

        It starts a row early, on the last row served (dropped again): a first
        row of one field too many would be read as one of row labels where a
        read of the whole file finds it has a field too many.
        """
        for _, future in self._pending:
            future.cancel()
        self._pending.clear()
        self._next = self._size
        window = os.pread(
            self._fd, min(start, _LONGEST_LINE), start - min(start, _LONGEST_LINE)
        )
        line = window.rstrip(b"\r\n").rfind(b"\n") + 1
        early = line > 0  # (0: the header, or a line past reach)
        if early:
            start -= len(window) - line
        lines = sum(
            os.pread(self._fd, min(RANGE_BYTES, start - offset), offset).count(b"\n")
            for offset in range(0, start, RANGE_BYTES)
        )
        self._file.seek(start)
        self._serial = _SerialRest(self._file, self.columns, lines, skip=int(early))

    def get_chunk(self, rows):
        """The next ``rows`` rows (fewer at the end), numbered on from the last."""
        self._wanted = rows
        parts, count = [], 0
        while count < rows:
            frame = self._next_frame()
            if frame is None:
                break
            if len(frame) > rows - count:
                self._frames.appendleft(frame.iloc[rows - count :])
                frame = frame.iloc[: rows - count]
            parts.append(frame)
            count += len(frame)
        if not count:
            raise StopIteration
        chunk = _joined(parts) if len(parts) > 1 else parts[0]
        chunk.index = pd.RangeIndex(self._served, self._served + count)
        self._served += count
        return chunk

    def close(self):
        for _, future in self._pending:
            future.cancel()
        self._pool.shutdown(wait=True)
        self._pending.clear()
        self._frames.clear()
        if self._serial is not None:
            self._serial.close()
        self._file.close()


def _joined(parts):
    """The frames' rows, one after the other: where every column has one dtype,
    copied once into the one block of the frame (pandas would copy them again
    to consolidate them); where the frames' dtypes agree, column by column;
    else by pandas, which settles the dtype."""
    dtypes = parts[0].dtypes
    if not all(part.dtypes.equals(dtypes) for part in parts[1:]):
        return pd.concat(parts)
    if (dtypes == dtypes.iloc[0]).all() and not isinstance(
        dtypes.iloc[0], pd.api.extensions.ExtensionDtype
    ):
        block = np.empty((len(dtypes), sum(map(len, parts))), dtype=dtypes.iloc[0])
        start = 0
        for part in parts:
            for i in range(len(dtypes)):
                block[i, start : start + len(part)] = part.iloc[:, i].to_numpy()
            start += len(part)
        return pd.DataFrame(block.T, columns=parts[0].columns, copy=False)
    columns = {
        i: np.concatenate([part.iloc[:, i].to_numpy() for part in parts])
        for i in range(len(dtypes))
    }
    if all(column.dtype == dtype for column, dtype in zip(columns.values(), dtypes)):
        joined = pd.DataFrame(columns, copy=False)
        joined.columns = parts[0].columns
        return joined
    return pd.concat(parts)


def _parse(data, names):
    """The rows of a range of a CSV file's bytes (with its header if ``names`` is
    None), or None where a quoted field may hold one of its newlines, or the
    rows have a field more than the names (labels, or an error serially)."""
    if b'"' in data and not _quotes_closed(data):
        return None
    text = io.BytesIO(data)
    if names is None:
        frame = pd.read_csv(text)
    else:
        frame = pd.read_csv(text, header=None, names=names)
    # Rows of one field more than the header: pandas takes the first for labels.
    return frame if frame.index.equals(pd.RangeIndex(len(frame))) else None


def _quotes_closed(data):
    """Whether an even number of quotes precedes each newline of ``data``."""
    values = np.frombuffer(data, dtype=np.uint8)
    quotes = np.cumsum(values == ord('"'), dtype=np.int64)
    return bool((quotes[values == ord("\n")] % 2 == 0).all())


class _SerialRest:
    """The rest of a file read by pandas' iterator from the current position of
    ``handle`` (a line's start), its errors' line numbers counted from the
    file's start (``lines`` before the position), its first ``skip`` rows not
    served."""

    def __init__(self, handle, names, lines, skip=0):
        self.lines = lines
        self._skip = skip  # rows read again, not to be served
        self._reader = pd.read_csv(handle, header=None, names=names, iterator=True)

    def next_frame(self):
        try:
            frame = self._reader.get_chunk(1 << 20)
            frame, self._skip = frame.iloc[self._skip :], 0
            return frame
        except StopIteration:
            return None
        except pd.errors.ParserError as exc:

            def moved(match):
                return f"line {int(match.group(1)) + self.lines}"

            raise pd.errors.ParserError(
                re.sub(r"line (\d+)", moved, str(exc))
            ) from None

    def close(self):
        self._reader.close()


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
            row = start + int(np.argmax(~labels.map(_is_integer).to_numpy())) + 1
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
    """The named columns of a chunk as a float64 array of shape (rows, columns),
    each column contiguous (Fortran order).

    Raises CommandError for a column that is not numeric or has a missing or
    infinite value, naming the first data row at fault.
    """
    frame = chunk.frame
    if frame.columns.equals(pd.Index(columns)) and (frame.dtypes == np.float64).all():
        # The frame's own one block (a chunk of ranges: _joined), read-only.
        block = frame.to_numpy(copy=False)
    else:
        # A copy, each column contiguous: the features' columns one array.
        block = np.empty((len(columns), len(frame))).T
        for i, column in enumerate(columns):
            values = frame[column]
            if not is_numeric(values):
                values = _numbers(values, column, chunk.start, name)
            block[:, i] = values
    with np.errstate(over="ignore", invalid="ignore"):
        # Not finite where a value is not (or the sum passes the float limit).
        bad = not np.isfinite(block.sum()) and ~np.isfinite(block)
    if np.any(bad):
        row, position = divmod(int(np.argmax(bad)), block.shape[1])
        value = block[row, position]
        what, advice = (
            ("a missing or NaN value", "remove or fill the missing values")
            if np.isnan(value)
            else (f"an infinite value ({value})", "remove the row or replace the value")
        )
        raise CommandError(
            f"{name}: column {columns[position]!r} has {what} in data row "
            f"{chunk.start + row + 1}; {advice} first"
        )
    return block


def _numbers(values, column, start, name):
    """A column of numbers and words written as numbers, as numbers.

    A file read in ranges (:class:`_RangeReader`) types each range's columns
    on its own: rows a chunk shares with a range holding a word come as words
    even where they are numbers, which a chunk read whole would type as
    numbers. Booleans and any other word are not numbers.
    """
    flags = values.map(lambda value: isinstance(value, (bool, np.bool_)))
    if not is_bool_dtype(values) and not flags.any():
        numbers = pd.to_numeric(values, errors="coerce")
        if not (numbers.isna() & values.notna()).any():
            return numbers.to_numpy(dtype=np.float64)
    raise CommandError(_not_numeric(values, column, start, name))


def _not_numeric(values, column, start, name):
    """Why a column is not numeric: its first value that is not a number."""
    numbers = pd.to_numeric(values, errors="coerce")
    words = (numbers.isna() & values.notna()).to_numpy()
    if is_bool_dtype(values) or not words.any():
        why = f"dtype {values.dtype}"
    else:
        row = int(np.argmax(words))
        why = f"{values.iloc[row]!r} in data row {start + row + 1}"
    return f"{name}: column {column!r} is not numeric ({why}); choose numeric columns"
