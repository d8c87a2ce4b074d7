# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Readable forms of a fitted model: term names and the equation."""

from sklearn_quadneuron._outputs import format_equation, term_names


def test_term_names_and_equation():
    assert list(term_names(["x0"])) == ["x0^2", "x0"]
    assert list(term_names(["age", "bmi"])) == ["age^2", "bmi^2", "age", "bmi"]
    text = format_equation([10.0, -5.0], 12.0, ["x0"])
    assert text == "y = 10*x0^2 - 5*x0 + 12"
    assert format_equation([-1.5, 0.25], -3.0, ["t"], "z", 3) == (
        "z = -1.5*t^2 + 0.25*t - 3"
    )
