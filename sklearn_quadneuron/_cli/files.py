# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Where the commands read and write: a path, or ``-`` for a standard stream.

Both are checked when the command starts, before anything is imported or read:
an input that cannot be opened, or an output whose directory is missing or
cannot be written, is an error at once. An output file is written to a
temporary file beside it and renamed over it when the command succeeds, so that
a command that fails or is interrupted leaves no partial file behind.

This module imports nothing heavy: it runs before the command's imports.
"""

import os
import shutil
import signal
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import CommandError

STDIO = "-"
# How an input or output of "-" is named in messages.
STDIN_NAME = "<stdin>"
STDOUT_NAME = "<stdout>"


def is_stdio(path):
    """Whether a path argument is ``-``, a standard stream."""
    return path is not None and str(path) == STDIO


class Input:
    """A file the command reads: a path, or standard input for ``-``.

    Parameters
    ----------
    path : str or path-like
    what : str
        What the file holds, for messages: "a CSV file", "a model file".
    """

    def __init__(self, path, what):
        self.stdin = is_stdio(path)
        self.path = STDIO if self.stdin else str(path)
        self.name = STDIN_NAME if self.stdin else self.path
        self.what = what

    def check(self):
        """Fail now, in one line, if the file cannot be opened for reading."""
        if self.stdin:
            return
        try:
            with open(self.path, "rb"):
                pass
        except FileNotFoundError:
            raise CommandError(f"{self.name}: no such file") from None
        except IsADirectoryError:
            raise CommandError(
                f"{self.name}: is a directory, not {self.what}"
            ) from None
        except OSError as exc:
            raise CommandError(
                f"{self.name}: cannot read the file ({exc.strerror or exc})"
            ) from None

    def source(self):
        """What a reader opens: the path, or standard input's byte stream."""
        return sys.stdin.buffer if self.stdin else self.path


class Output:
    """A file the command writes: a path, or standard output for ``-``.

    The path is checked when the Output is made: a temporary file is created in
    its directory, which proves that the directory exists and can be written.
    :meth:`open` writes to that temporary file, and :meth:`commit` renames it
    to the path; :meth:`discard` (or leaving the ``with`` block of the Output
    on an exception) removes it.

    Parameters
    ----------
    option : str
        The option naming the path, for messages: "--save".
    path : str or path-like
    what : str
        What is written, for messages: "the model", "the predictions".
    binary : bool, default=False
        Whether the content is bytes. Bytes are never written to a terminal.
    """

    def __init__(self, option, path, what, binary=False):
        self.option = option
        self.what = what
        self.binary = binary
        self.stdout = is_stdio(path)
        self.path = None if self.stdout else Path(path)
        self.name = STDOUT_NAME if self.stdout else str(path)
        self._temporary = None
        if self.stdout:
            if binary and sys.stdout.isatty():
                raise CommandError(
                    f"argument {option}: '-' writes {what} to standard output, "
                    "which is a terminal; redirect it to a file or a pipe"
                )
            return
        if self.path.is_dir():
            raise CommandError(f"{self.name}: cannot write {what} (Is a directory)")
        try:
            # Ctrl-C waits until the file is known to discard_pending.
            with _interrupts_held():
                # The name keeps the suffix: some writers pick the format by it.
                fd, temporary = tempfile.mkstemp(
                    prefix=f".{self.path.stem}.",
                    suffix=f".part{self.path.suffix}",
                    dir=self.path.parent,
                )
                self._temporary = Path(temporary)
                _PENDING.add(self._temporary)
                os.close(fd)
        except OSError as exc:
            self.discard()
            raise CommandError(
                f"{self.name}: cannot write {what} ({exc.strerror or exc})"
            ) from None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        self.discard()

    @contextmanager
    def open(self):
        """A file object to write the content to: text, or bytes if ``binary``."""
        if self.stdout:
            # Text already written must come out before bytes written past it.
            sys.stdout.flush()
            stream = sys.stdout.buffer if self.binary else sys.stdout
            yield stream
            stream.flush()
            return
        mode = "wb" if self.binary else "w"
        options = {} if self.binary else {"newline": "", "encoding": "utf-8"}
        try:
            with open(self._temporary, mode, **options) as handle:
                yield handle
        except OSError as exc:
            raise CommandError(
                f"{self.name}: cannot write {self.what} ({exc.strerror or exc})"
            ) from None

    @contextmanager
    def named(self, suffix):
        """A file name to write the content to, for writers that take a name.

        ``suffix`` is the name's suffix for standard output, whose content is
        written to a temporary file, then copied out.
        """
        if not self.stdout:
            yield self._temporary
            return
        with _interrupts_held():
            fd, name = tempfile.mkstemp(prefix="quadneuron-", suffix=suffix)
            _PENDING.add(Path(name))
            os.close(fd)
        try:
            yield Path(name)
            with self.open() as stream, open(name, "rb") as handle:
                shutil.copyfileobj(handle, stream)
        finally:
            _remove(Path(name))

    def commit(self):
        """Put the written content at the path (nothing to do for stdout)."""
        if self._temporary is None:
            return
        try:
            if self.path.exists():
                shutil.copymode(self.path, self._temporary)
            else:
                os.chmod(self._temporary, 0o666 & ~_umask())
            with _interrupts_held():
                os.replace(self._temporary, self.path)
                _PENDING.discard(self._temporary)
                self._temporary = None
        except OSError as exc:
            raise CommandError(
                f"{self.name}: cannot write {self.what} ({exc.strerror or exc})"
            ) from None

    def discard(self):
        """Remove what was written, if it was not committed."""
        if self._temporary is not None:
            _remove(self._temporary)
            self._temporary = None


# The temporary files of outputs neither committed nor discarded yet.
_PENDING = set()


def discard_pending():
    """Remove the temporary files of every output not committed.

    Run when a command ends, whichever way: Ctrl-C may come between the
    creation of an Output and the block that would discard it.
    """
    while _PENDING:
        _remove(_PENDING.pop())


def _remove(path):
    _PENDING.discard(path)
    try:
        os.unlink(path)
    except OSError:
        pass


@contextmanager
def _interrupts_held():
    """Hold SIGINT back while the block runs; it is delivered at its end."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:
        yield
        return
    held = mask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, held)


def _umask():
    """The process's umask (read by setting it, then set back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_directory(option, path):
    """Create the directory ``path`` (and its parents) now, or fail in one line."""
    if is_stdio(path):
        raise CommandError(
            f"argument {option}: names a directory for several files; '-' "
            "(standard output) cannot hold them"
        )
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(
            f"{path}: cannot create the directory ({exc.strerror or exc})"
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise CommandError(f"{path}: cannot write in the directory (Permission denied)")
