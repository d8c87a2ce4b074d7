# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Reading CSV files block by block: one reader for ``fit`` and ``predict``.

A file (or standard input) is read in blocks of bytes, each cut after the last
line end in it, and each block is parsed by pandas' C parser on one of a few
threads, ahead of the chunk in use: the parser releases the GIL while it splits
lines and converts numbers, so the file is parsed on every core while the
command works on the rows already parsed. Memory stays bounded whatever the
size of the file: a few blocks are read ahead, never more.

The first block is read with the header, as pandas reads a whole file. The
columns, the row labels and which columns are numeric are decided on the first
chunk, as they would be on the whole file; every later chunk is checked against
that decision. Each later block is parsed after a line of as many fields as
the first rows have, dropped once parsed: a line with more fields is an error
wherever it is, as in one read of the whole file. A block cut inside a quoted
field that spans lines is joined to the next one. Rows are named in messages by
their data row: the n-th row after the header, counting from 1; pandas names
a line it cannot split by its line in the file.
"""

import os
import re
import sys
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_integer_dtype, is_numeric_dtype

from .errors import CommandError, report

# pandas' name for a header cell left empty: DataFrame.to_csv leaves the index's
# cell empty unless the index has a name.
_UNNAMED_FIRST = "Unnamed: 0"
#: Bytes of the first block, read with the header: small, so that the other
#: blocks are parsed on every core as soon as possible.
FIRST_BLOCK_BYTES = 1 << 20
#: Bytes of each later block (a few megabytes of text: 220,000 rows of two
#: numbers), parsed on one thread.
BLOCK_BYTES = 8 << 20
#: Bytes read ahead of the chunk in use, at most (blocks of BLOCK_BYTES, at
#: least one more than there are threads).
AHEAD_BYTES = 48 << 20
#: Values (rows times columns) of the chunks ``fit`` gives the estimator: 16 MiB
#: once parsed as float64. A chunk holds at least ``2 * n_columns + 2`` rows, so
#: that a file of one chunk is one with too few rows for the statistics to have
#: full rank.
CHUNK_VALUES = 1 << 21
# Threads that parse blocks, at most.
_MAX_THREADS = 4
# Seconds a thread runs Python before the GIL goes to another that waits for it,
# while blocks are parsed (Python's default is 5 ms): the parsing threads need
# the GIL for every piece they read, and would otherwise wait up to 5 ms each
# time the command's thread runs Python (importing numba, say).
_SWITCH_INTERVAL = 0.001
# The bytes pandas' C parser reads at a time from a file (its chunksize).
_PIECE_BYTES = 1 << 18
# Numbers in pandas' messages that count lines from the start of what it read.
_LINE_NUMBER = re.compile(r"\b(line|row) (\d+)")
# pandas' message when the text ends inside a quoted field.
_OPEN_QUOTE = "EOF inside string"


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
        a note on stderr once the file is read (:meth:`finish`).
    when_large : callable, default=None
        Called once, without arguments, as soon as the file is known to hold
        more than its first block (before the rest of the first chunk is read).

    Attributes
    ----------
    name : str
        The file's name in messages.
    columns : list
        The data columns (the index column not among them).
    first : Chunk
        The first chunk, at least one row.
    """

    def __init__(self, source, index_col=None, when_large=None):
        self.name = source.name
        self.index_col = index_col
        self._when_large = when_large
        self._blocks = None
        self._parser = None
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
        _keep_freed_memory()
        with self._reading():
            self._blocks = _Blocks(source)
            head, block = self._first_block()
        n_columns = head.shape[1]
        self._min_rows = 2 * n_columns + 2
        # Standard input cannot be read again to number lines: they are counted.
        lines = None if self._blocks.rereadable else block.line_ends()
        self._parser = _Parser(head, _leading_fields(head, block), lines)
        if self._when_large is not None and not self._blocks.done:
            self._when_large()
        # The first chunk holds as many rows as a chunk of CHUNK_VALUES values.
        least = max(self._min_rows, CHUNK_VALUES // max(n_columns, 1))
        if len(head) < least:
            more = self._next_rows(least - len(head))
            if more is not None:
                head = _joined([head, more]) if len(head) else more
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

    def _first_block(self):
        """The first block's rows, read with the header, and the block.

        The block is joined to the next while it holds no row (pandas decides on
        the first row whether leading fields are row labels), or ends inside a
        quoted field.
        """
        block = self._blocks.next(FIRST_BLOCK_BYTES)
        if block is None:
            raise pd.errors.EmptyDataError
        while True:
            try:
                frame = _parse(block)
            except pd.errors.ParserError as exc:
                if _OPEN_QUOTE not in str(exc):
                    raise
                more = self._blocks.next(BLOCK_BYTES)
                if more is None:
                    raise
            else:
                more = None if len(frame) else self._blocks.next(BLOCK_BYTES)
                if more is None:
                    return frame, block
            block = block.joined(more)

    def __iter__(self):
        yield self.first
        while True:
            frame = self._next_rows(self._min_rows)
            if frame is None:
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
        """Stop the threads, close the file (not standard input, the process's)."""
        if self._parser is not None:
            self._parser.close()
            self._parser = None
        if self._blocks is not None:
            self._blocks.close()
            self._blocks = None

    def _next_rows(self, least):
        """The next rows of the file, ``least`` of them at the least (fewer at its
        end), as one frame; None once every row was read."""
        frames, rows = [], 0
        while rows < least:
            with self._reading():
                frame = self._parser.next(self._blocks)
            if frame is None:
                break
            if len(frame):
                frames.append(frame)
                rows += len(frame)
        return _joined(frames) if frames else None

    def _prepared(self, frame, start):
        """The chunk's frame with its row labels taken out of the data."""
        if isinstance(frame.index, pd.RangeIndex):
            frame.index = pd.RangeIndex(start, start + len(frame))
        if self.index_col is not None:
            frame = frame.set_index(self.index_col)
        elif self._written_index is not None:
            self._written_index.check(frame[_UNNAMED_FIRST], start, self.name)
            frame = frame.drop(columns=_UNNAMED_FIRST)
        return Chunk(frame, start)

    @contextmanager
    def _reading(self):
        """Errors of reading and of the CSV parser as one-line CommandErrors."""
        try:
            yield
        except pd.errors.EmptyDataError:
            raise CommandError(f"{self.name}: the file is empty") from None
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError, EOFError) as exc:
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


class _Block(NamedTuple):
    """Text of a CSV file that ends at the end of a line (or of the file)."""

    # Bytes-like pieces, one after the other in the file; no copy of them is made.
    pieces: tuple
    # Where the block starts: bytes of the file before it.
    start: int

    def joined(self, other):
        """This block and the one after it, as one."""
        return self._replace(pieces=self.pieces + other.pieces)

    def line_ends(self):
        """How many lines end in the block (its ``\\n``)."""
        return sum(
            int(np.count_nonzero(np.frombuffer(piece, dtype=np.uint8) == 10))
            for piece in self.pieces
        )


class _Blocks:
    """A file's bytes as blocks of about the size asked for, each ending at the
    end of a line; read on the calling thread, so that Ctrl-C stops a wait for
    input.

    The bytes are read in pieces of the size pandas' parser reads at a time, and
    handed to it as they are: never copied but by the system's read.
    """

    def __init__(self, source):
        self._path = None if source.stdin else source.path
        self._stream = sys.stdin.buffer if source.stdin else _open(source.path)
        self._carry = b""  # the start of a line that the last block cut off
        self._start = 0  # where the next block starts
        self.done = False

    def next(self, size):
        """The next block (about ``size`` bytes after the line cut off before it,
        up to its last line end), or None after the last one."""
        if self.done:
            return None
        pieces = [self._carry] if self._carry else []
        read = 0
        while True:
            piece = self._read(min(size, _PIECE_BYTES))
            if not piece:  # the end of the file
                self.done = True
                self._carry = b""
                break
            pieces.append(piece)
            read += len(piece)
            if read < size:
                continue
            cut = piece.rfind(b"\n") + 1 or piece.rfind(b"\r") + 1
            if cut:
                pieces[-1], self._carry = piece[:cut], piece[cut:]
                break
            # No line end in the last piece: the block ends at the next one.
        pieces = tuple(piece for piece in pieces if piece)
        if not pieces:
            return None
        block = _Block(pieces, self._start)
        self._start += sum(len(piece) for piece in pieces)
        return block

    @property
    def rereadable(self):
        """Whether the file can be read again (a path, not standard input)."""
        return self._path is not None

    def line_ends_before(self, start):
        """How many lines end before byte ``start``: the file is read again."""
        count = 0
        with _open(self._path) as stream:
            while start > 0:
                data = stream.read(min(start, 1 << 20))
                if not data:
                    break
                count += data.count(b"\n")
                start -= len(data)
        return count

    def _read(self, size):
        """The next ``size`` bytes of the file, fewer only at its end."""
        data = self._stream.read(size)
        if len(data) in (0, size):
            return data
        parts, got = [data], len(data)
        while got < size:
            more = self._stream.read(size - got)
            if not more:
                break
            parts.append(more)
            got += len(more)
        return b"".join(parts)

    def close(self):
        if self._path is not None:
            self._stream.close()


class _Parser:
    """Blocks parsed on a few threads, ahead of the one asked for, in order.

    Each block is parsed after a guard line of as many fields as the first
    block's rows have (its columns, and the labels pandas took from leading
    fields beyond the header's), each a value of its column's type: that line
    sets the fields of every line, as the header does in one read of the whole
    file, and is dropped.
    """

    def __init__(self, head, leading, lines=None):
        self._names = list(head.columns)
        # The threads label the columns 0, 1, 2, ...: building the frame with the
        # names (strings) takes pandas through warnings.catch_warnings, which
        # swaps the filters of the whole process while the command's thread may
        # be in a catch_warnings of its own. The names are set on this thread.
        self._fields = list(range(len(self._names)))
        # A value of each column's type: True in a column of booleans.
        values = ["0"] * leading + [
            "True" if is_bool_dtype(head[name]) else "0" for name in self._names
        ]
        self._guard = ",".join(values).encode() + b"\n"
        self._threads = _threads()
        self._ahead = max(self._threads + 1, AHEAD_BYTES // BLOCK_BYTES)
        self._pool = None
        self._pending = deque()  # (future, block), in the order of the file
        # Line ends before the next block: counted as blocks are parsed when
        # ``lines`` (those of the first block) is given, for a file that cannot be
        # read again; else counted when a message needs them.
        self._counting = lines is not None
        self._lines = lines

    def next(self, blocks):
        """The rows of the next block (a frame), or None after the last."""
        self._read_ahead(blocks)
        if not self._pending:
            return None
        future, block = self._pending.popleft()
        try:
            frame, lines = future.result()
        except pd.errors.ParserError as exc:
            frame, lines = self._reparsed(blocks, block, exc)
        if self._counting:
            self._lines += lines
        self._read_ahead(blocks)
        frame.columns = self._names
        return frame

    def _reparsed(self, blocks, block, error):
        """A block cut inside a quoted field, joined to the next ones until it ends
        outside of one; any other error, with the file's line numbers."""
        while _OPEN_QUOTE in str(error):
            if self._pending:
                future, more = self._pending.popleft()
                wait_for([future])  # parsed from inside a field: of no use
            else:
                more = blocks.next(BLOCK_BYTES)
                if more is None:  # the file ends inside the field
                    break
            block = block.joined(more)
            try:
                return _parse_block(block, self._fields, self._guard, self._counting)
            except pd.errors.ParserError as exc:
                error = exc
        if self._counting:
            lines = self._lines
        else:
            lines = blocks.line_ends_before(block.start)
        raise pd.errors.ParserError(_in_file(str(error), lines)) from None

    def _read_ahead(self, blocks):
        """Read blocks and hand them to the threads, up to the blocks allowed ahead."""
        while len(self._pending) < self._ahead:
            block = blocks.next(BLOCK_BYTES)
            if block is None:
                return
            if self._pool is None:
                self._switch = sys.getswitchinterval()
                sys.setswitchinterval(min(self._switch, _SWITCH_INTERVAL))
                self._pool = ThreadPoolExecutor(
                    self._threads, thread_name_prefix="quadneuron-csv"
                )
            future = self._pool.submit(
                _parse_block, block, self._fields, self._guard, self._counting
            )
            self._pending.append((future, block))

    def close(self):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            sys.setswitchinterval(self._switch)
        self._pending.clear()


def _leading_fields(head, block):
    """How many leading fields of each row pandas took for row labels (0 or more).

    pandas does so when the first data row has more fields than the header
    (and calls a column of 0, 1, 2, ... a RangeIndex even then): the header's
    and the first data row's fields are counted with :mod:`csv`, which splits
    fields as pandas does.
    """
    default = pd.RangeIndex(len(head))
    if not head.index.equals(default) or type(head.index) is not type(default):
        return head.index.nlevels
    if len(head) == 0:
        return 0
    import csv
    import io

    text = io.TextIOWrapper(
        io.BytesIO(b"".join(block.pieces)), encoding="utf-8-sig", errors="replace",
        newline="",
    )  # fmt: skip
    # pandas skips lines of nothing but whitespace.
    records = (r for r in csv.reader(text) if len(r) > 1 or (r and r[0].strip()))
    header, first = next(records, []), next(records, [])
    return max(len(first) - len(header), 0)


def _parse(block):
    """The rows of the file's first block, under its header, as pandas reads it."""
    return pd.read_csv(_Pieces(block.pieces), low_memory=False)


def _parse_block(block, labels, guard, count):
    """The rows of a later block (after the guard line), columns labelled by
    ``labels``, and its line ends if ``count`` (else None)."""
    frame = pd.read_csv(
        _Pieces((guard, *block.pieces)), header=None, names=labels, low_memory=False
    )
    return frame.iloc[1:], block.line_ends() if count else None


def _in_file(message, lines_before):
    """pandas' message on a block with a guard line, numbered as in the file."""
    return _LINE_NUMBER.sub(
        lambda match: f"{match[1]} {int(match[2]) - 1 + lines_before}", message
    )


class _Pieces:
    """Pieces of bytes as a file that pandas' C parser reads with ``read``.

    Each read returns the next piece as it is (part of it if more than the size
    asked for). There is no ``mode``: pandas takes the bytes as they come,
    without decoding them to text and encoding them again, as it does those of
    a file it opens itself.
    """

    def __init__(self, pieces):
        self._pieces = deque(pieces)

    def read(self, size=-1):
        if not self._pieces:
            return b""
        piece = self._pieces.popleft()
        if size is not None and 0 <= size < len(piece):
            self._pieces.appendleft(piece[size:])
            return piece[:size]
        return piece

    def __iter__(self):  # a file-like object to pandas; it only reads
        return iter(())


def _joined(frames):
    """Consecutive frames of rows as one."""
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames)


def _threads():
    """How many threads parse blocks: one a core this process may use, a few at most."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, _MAX_THREADS))


# glibc's mallopt parameters.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_KEPT = []


def _keep_freed_memory():
    """Have glibc's malloc keep freed memory for the next block.

    pandas' parser allocates its buffers afresh for each block and frees them at
    its end. By default glibc maps buffers of more than a few hundred kilobytes
    on their own and unmaps them when freed, and hands memory freed at the top of
    the heap back to the system: the next block's buffers are then new pages,
    each zeroed by the kernel on first use. Up to 32 MiB a buffer is kept in the
    heap, and up to 128 MiB freed at its top is kept for reuse instead. Once a
    process, on glibc only.
    """
    if _KEPT or not sys.platform.startswith("linux"):
        return
    _KEPT.append(True)
    import ctypes
    import platform

    if platform.libc_ver()[0] != "glibc":
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 32 << 20)
    mallopt(_M_TRIM_THRESHOLD, 128 << 20)


def _open(path):
    """A file's bytes, decompressed when its name says so (as pandas would)."""
    name = path.lower()
    if name.endswith((".tar", ".tar.gz", ".tar.bz2", ".tar.xz")):
        return _open_tar(path)
    if name.endswith(".gz"):
        import gzip

        return gzip.open(path, "rb")
    if name.endswith(".bz2"):
        import bz2

        return bz2.open(path, "rb")
    if name.endswith(".xz"):
        import lzma

        return lzma.open(path, "rb")
    if name.endswith(".zip"):
        return _open_zip(path)
    if name.endswith(".zst"):
        return _open_zstd(path)
    return open(path, "rb", buffering=0)


def _open_zip(path):
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ValueError(f"not a ZIP file ({exc})") from None
    names = [n for n in archive.namelist() if not n.startswith("__MACOSX/")]
    if len(names) != 1:
        archive.close()
        raise ValueError(f"a ZIP file of one file is read, not of {len(names)}")
    return archive.open(names[0])


def _open_tar(path):
    import tarfile

    try:
        archive = tarfile.open(path, "r:*")
    except tarfile.TarError as exc:
        raise ValueError(f"not a tar file ({exc})") from None
    files = [member for member in archive.getmembers() if member.isfile()]
    if len(files) != 1:
        archive.close()
        raise ValueError(f"a tar file of one file is read, not of {len(files)}")
    return archive.extractfile(files[0])


def _open_zstd(path):
    try:
        from compression import zstd  # Python 3.14

        return zstd.open(path, "rb")
    except ImportError:
        pass
    try:
        import zstandard
    except ImportError:
        raise CommandError(
            f"{path}: reading a .zst file needs the zstandard package"
        ) from None
    return zstandard.open(path, "rb")


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
