# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Errors and notes, each one line on stderr."""

import re
import sys
from contextlib import contextmanager

from .parser import PROG


class CommandError(Exception):
    """The user's arguments or input cannot be used: exit status 2.

    Failures of the work itself (a fit that diverges, say) are not
    CommandErrors: they exit with status 1.
    """


def one_line(text):
    """``text`` with every run of whitespace, newlines included, as one space."""
    return " ".join(str(text).split())


def report(kind, text):
    """Print ``quadneuron: <kind>: <text>`` on one line of stderr."""
    print(f"{PROG}: {kind}: {one_line(text)}", file=sys.stderr)


# scikit-learn's parameter validation words its errors this way (InvalidParameterError).
_INVALID_PARAMETER = re.compile(
    r"The '(?P<name>\w+)' parameter of QuadraticGDRegressor must be "
    r"(?P<expected>.+)\. Got (?P<got>.+) instead\.$",
    flags=re.S,
)


def _choices(match):
    choices = sorted(match[1].split(", "))
    return choices[0] if len(choices) == 1 else f"one of {', '.join(choices)}"


def _command_line_spelling(expected):
    """The estimator's description of a valid value, in the command line's words."""
    expected = re.sub(r"a str among \{(.+?)\}", _choices, expected)
    # Booleans cannot be typed where the command line takes a number.
    expected = re.sub(r"(, | or )?an instance of '[\w.]+'", "", expected)
    return re.sub(r" or None$", " or 'none'", expected)


@contextmanager
def reported_as_options(options):
    """Report the estimator's rejection of a parameter as an error in its option.

    Parameters
    ----------
    options : dict of str to str
        The option setting each estimator parameter, ``{"max_iter": "--max-iter"}``.

    Raises
    ------
    CommandError
        In place of scikit-learn's InvalidParameterError for those parameters,
        and of an IncompatibleParametersError between them.
    """
    # The estimator's module is imported by the caller already: no cost here.
    from .._validation import IncompatibleParametersError

    try:
        yield
    except IncompatibleParametersError as exc:
        named = [options[name] for name in exc.parameters if name in options]
        if len(named) != len(exc.parameters):
            raise
        raise CommandError(f"arguments {' and '.join(named)}: {exc}") from None
    except ValueError as exc:
        match = _INVALID_PARAMETER.match(str(exc))
        if match is None or match["name"] not in options:
            raise
        expected = _command_line_spelling(one_line(match["expected"]))
        raise CommandError(
            f"argument {options[match['name']]}: must be {expected}, got {match['got']}"
        ) from None
