# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The command line's entry point: exit statuses, warnings, closed pipes.

Only the argument parser is imported here: ``--version`` and ``--help`` need
nothing else, and each command imports what it needs (the estimator,
scikit-learn, pandas) when it runs.
"""

import os
import signal
import sys
import warnings
from contextlib import contextmanager
from importlib import import_module

from .errors import CommandError, report
from .files import discard_pending
from .parser import build_parser

EXIT_OK = 0
EXIT_FAILURE = 1  # the work failed: the fit diverged, a warning raised as an error
EXIT_USAGE = 2  # the arguments or the input cannot be used, as argparse exits
# 128 + SIGPIPE: what the shell reports for `yes | head -1` or `cat big | head`,
# whose writers die of SIGPIPE. A reader that stops early truncates the output;
# with `set -o pipefail` a script sees this as it would for those tools.
EXIT_BROKEN_PIPE = 141

# The function each command runs, as "module:function" of this package.
HANDLERS = {
    "demo": "demo:run_demo",
    "fit": "fit:run_fit",
    "predict": "predict:run_predict",
}


def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name. None reads ``sys.argv``.

    Returns
    -------
    status : int
        The exit status: 0 on success; 2 when the arguments or the input cannot
        be used; 1 when the work failed (a fit that diverged, say); 141 when the
        reader of the output closed it early. Errors are one line on stderr,
        ``quadneuron: error: ...``, never a traceback. Ctrl-C raises
        KeyboardInterrupt, once the command has cleaned up after itself: see
        :func:`sklearn_quadneuron.__main__.main`, which exits with 130.
    """
    try:
        with _warnings_on_one_line(), _interrupts_noticed() as interrupted:
            status = _run(argv, interrupted)
        # Written out now, so that a reader gone by now is noticed here.
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    finally:
        discard_pending()
    return status


def _run(argv, interrupted):
    parser = build_parser(HANDLERS)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or an argument error reported
        return EXIT_OK if exc.code is None else exc.code
    try:
        try:
            module, function = args.handler.split(":")
            handler = getattr(import_module(f".{module}", __package__), function)
            handler(args, sys.stdout)
        except Exception:
            # pandas' reader reports Ctrl-C during a read as a failed read.
            if interrupted():
                raise KeyboardInterrupt from None
            raise
    except CommandError as exc:
        report("error", exc)
        return EXIT_USAGE
    except BrokenPipeError:
        raise
    except ValueError as exc:  # the estimator's errors, DivergenceError among them
        report("error", exc)
        return EXIT_FAILURE
    except Exception as exc:  # a warning raised as an error, or a bug
        report("error", f"{type(exc).__name__}: {exc}")
        return EXIT_FAILURE
    return EXIT_OK


@contextmanager
def _interrupts_noticed():
    """Yield a function that tells whether Ctrl-C was pressed.

    A library that catches the KeyboardInterrupt and raises an error of its
    own in its place cannot hide it: the entry point's handler
    (``sklearn_quadneuron.__main__``) notes each SIGINT in the list it
    carries. Where it is not in place (a SIGINT ignored or handled by the
    caller, a thread other than the main one), nothing is noted.
    """
    notes = getattr(signal.getsignal(signal.SIGINT), "noticed", None)
    yield (lambda: bool(notes)) if notes is not None else (lambda: False)


@contextmanager
def _warnings_on_one_line():
    """Show each warning as ``quadneuron: warning: <message>`` on one line."""
    with warnings.catch_warnings():
        # Filters given with python -W or PYTHONWARNINGS stay in force (the user
        # may want ConvergenceWarning as an error); otherwise every warning that
        # tells the user something is shown once, wherever it comes from.
        if not sys.warnoptions:
            warnings.simplefilter("default")
            for category in (DeprecationWarning, PendingDeprecationWarning):
                warnings.simplefilter("ignore", category)
        warnings.showwarning = _show_warning
        yield


def _show_warning(message, category, filename, lineno, file=None, line=None):
    report("warning", message)


def _discard_stdout():
    """Point stdout at devnull, so that the exit's flush cannot fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file: nothing is flushed
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
