# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Progress of long work, printed when the estimator is verbose."""

import sys
import time


class Progress:
    """Prints what a long step does and how long it took, or nothing.

    Parameters
    ----------
    enabled : bool
        The estimator's ``verbose``: without it, every call is silent.
    """

    def __init__(self, enabled):
        self.enabled = bool(enabled)
        self._start = None

    def begin(self, what):
        """Announce a step."""
        if self.enabled:
            self._start = time.perf_counter()
            print(f"{what}...")
            sys.stdout.flush()

    def end(self, what):
        """Report the step done, with its time."""
        if self.enabled:
            elapsed = time.perf_counter() - (self._start or time.perf_counter())
            print(f"{what} in {elapsed:.2f} s.")
            sys.stdout.flush()

    def note(self, what):
        """One line about the work in progress."""
        if self.enabled:
            print(what)
            sys.stdout.flush()
