# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""``python -m sklearn_quadneuron``: the command line ``quadneuron``.

The entry point of the console script too (``sklearn_quadneuron.__main__:main``);
the command line itself lives in ``sklearn_quadneuron._cli``, imported inside
:func:`main` so that Ctrl-C while it is imported is handled as at any other
moment. This module imports nothing else.
"""

import sys

__all__ = ["main"]

PROG = "quadneuron"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a process stopped by ^C


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
    try:
        from ._cli.main import main as run

        return run(argv)
    except KeyboardInterrupt:
        return _interrupted()


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
