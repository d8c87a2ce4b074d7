# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""``python -m sklearn_quadneuron``: the command line ``quadneuron``.

The entry point of the console script too (``sklearn_quadneuron.__main__:main``);
the command line itself lives in ``sklearn_quadneuron._cli``, imported inside
:func:`main` so that Ctrl-C while it is imported is handled as at any other
moment (and noted, should Python drop it). This module imports nothing else.
"""

import signal
import sys
import threading

__all__ = ["main"]

PROG = "quadneuron"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a process stopped by ^C
# Each SIGINT since main() began: Python drops a KeyboardInterrupt raised while
# a callback runs (one of the import system's, say), the note stays.
NOTICED = []


def on_interrupt(signum, frame):
    """Note the SIGINT, then raise KeyboardInterrupt as Python's own handler."""
    NOTICED.append(signum)
    raise KeyboardInterrupt


on_interrupt.noticed = NOTICED  # what the command line reads the notes from


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
        be used; 1 when the work failed (a fit that diverged, say); 130 on
        Ctrl-C, at any moment, imports included; 141 when the reader of the
        output closed it early. Errors are one line on stderr,
        ``quadneuron: error: ...``, and so is an interrupt, ``quadneuron:
        interrupted``: never a traceback.
    """
    # Only in place of Python's own handler: a SIGINT ignored (a job started
    # in the background) or handled by the caller stays so.
    ours = (
        signal.getsignal(signal.SIGINT) is signal.default_int_handler
        and threading.current_thread() is threading.main_thread()
    )
    if ours:
        NOTICED.clear()
        signal.signal(signal.SIGINT, on_interrupt)
    try:
        from ._cli.main import main as run

        status = None if NOTICED else run(argv)
        return _interrupted() if NOTICED else status
    except KeyboardInterrupt:
        return _interrupted()
    finally:
        if ours:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _interrupted():
    """Report Ctrl-C in one line; what was written to stdout goes out first."""
    try:
        try:
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            _quiet_stdout()
        print(f"{PROG}: interrupted", file=sys.stderr, flush=True)
    except KeyboardInterrupt:  # pressed again while this one is reported
        pass
    except OSError:  # stderr itself is gone: nothing can be said
        pass
    return EXIT_INTERRUPTED


def _quiet_stdout():
    """Point stdout at devnull, so that the exit's own flush cannot fail again."""
    import os

    try:
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
