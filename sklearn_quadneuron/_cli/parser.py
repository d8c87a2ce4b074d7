# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The argument parser: options, their help, and the form of their values.

The value types below only check the *form* of a value (a number, an integer,
``auto``, ``none``). Ranges are checked by the estimator's own parameter
validation when it fits, so that the command line cannot drift from it; see
:func:`.errors.reported_as_options`.
"""

import argparse
from pathlib import Path

from .. import __version__

PROG = "quadneuron"
PICKLE_WARNING = (
    "A model file is a pickle: loading it can run any code, so load only model "
    "files from a trusted source."
)


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, as every error of the command."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}; see '{self.prog} --help'\n")


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show every option's default; options unset by default say so in words."""

    def _get_help_string(self, action):
        # "(default: None)" tells the reader nothing: these options say in their
        # own help what happens when they are left out.
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


# -- value types: argparse names a type in its errors, so each has a message -----


def integer(text):
    """An integer."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def positive_integer(text):
    """An integer >= 1."""
    value = integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {text}")
    return value


def seed(text):
    """A seed for numpy: an integer >= 0."""
    value = integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text}")
    return value


def number(text):
    """A float."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def positive_integer_or_none(text):
    """An integer >= 1, or ``none`` for Python's None."""
    if text.lower() == "none":
        return None
    try:
        return positive_integer(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected an integer >= 1 or 'none', got {text!r}"
        ) from None


def number_or_auto(text):
    """A float, or the string ``auto``."""
    if text.lower() == "auto":
        return "auto"
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number or 'auto', got {text!r}"
        ) from None


def number_or_none(text):
    """A float, or ``none`` for Python's None."""
    if text.lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number or 'none', got {text!r}"
        ) from None


def auto_or_boolean(text):
    """``auto``, or a boolean spelled ``true`` or ``false``."""
    value = {"auto": "auto", "true": True, "false": False}.get(text.lower())
    if value is None:
        raise argparse.ArgumentTypeError(
            f"expected 'auto', 'true' or 'false', got {text!r}"
        )
    return value


# -- the parser ---------------------------------------------------------------------


def build_parser(handlers):
    """The argument parser of the command line.

    Parameters
    ----------
    handlers : dict of str to callable
        The function run by each subcommand, ``handler(args, out)``.
    """
    parser = Parser(
        prog=PROG,
        description="A quadratic neuron trained by gradient descent.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, add_arguments in [("demo", _demo), ("fit", _fit), ("predict", _predict)]:
        subparser = add_arguments(commands)
        subparser.set_defaults(handler=handlers[name])
    return parser


def _demo(commands):
    demo = commands.add_parser(
        "demo",
        formatter_class=HelpFormatter,
        help="re-run the article: fit a*x**2 + b*x + c by gradient descent",
        description=(
            "Re-run the article 'The hello, world of Deep Learning': 1000 points "
            "of y = 10x^2 + 5x + 12, start from a=15, b=-2, c=10, and descend on "
            "the raw features with the article's exact gradients."
        ),
    )
    demo.add_argument(
        "--epochs", type=positive_integer, default=50, metavar="N", help="epochs to run"
    )
    demo.add_argument(
        "--learning-rate",
        type=number_or_auto,
        default=0.1,
        metavar="X|auto",
        help="step size; 'auto' picks a step that provably converges",
    )
    demo.add_argument(
        "--solver",
        type=str,
        default="gd",
        metavar="{gd,momentum,nesterov,adam,newton-cholesky}",
        help=(
            "the optimizer; the article's is gd, plain gradient descent; "
            "newton-cholesky takes one Newton step to the exact minimum"
        ),
    )
    demo.add_argument(
        "--seed", type=seed, default=0, metavar="N", help="seed of the data"
    )
    demo.add_argument(
        "--plot-dir",
        type=Path,
        metavar="DIR",
        help=(
            "write the article's four figures as PNG files in DIR (created if "
            "needed): fit, loss_curve, parameters, loss_surface. Needs matplotlib, "
            "from the 'plot' extra (default: no figures)"
        ),
    )
    demo.add_argument(
        "--animate",
        type=Path,
        metavar="FILE.gif",
        help=(
            "write an animated GIF of the descent: the curve moving over the data "
            "and the path on the loss surface; '-' writes it to standard output, "
            "and the report to standard error. Needs matplotlib, from the 'plot' "
            "extra (default: no animation)"
        ),
    )
    return demo


def _add_index_col(parser):
    parser.add_argument(
        "--index-col",
        metavar="COLUMN",
        help=(
            "column holding the row labels, not data (default: none; a first "
            "column without a name holding distinct integers, as DataFrame.to_csv "
            "writes its index, is recognised and dropped with a note)"
        ),
    )


def _fit(commands):
    fit = commands.add_parser(
        "fit",
        formatter_class=HelpFormatter,
        help="fit the quadratic model to the columns of a CSV file",
        description=(
            "Fit y = sum_j (a_j*x_j^2 + b_j*x_j) + c to a CSV file by gradient "
            "descent; print the equation, R^2 on the training data, and the epochs "
            "used. The file is read once, a chunk at a time, whatever its size; "
            "'--precompute false' and '--batch-size' read the data every epoch, "
            "and hold it in memory. The options are QuadraticGDRegressor's "
            "parameters of the same name, checked by it."
        ),
    )
    fit.add_argument(
        "file",
        metavar="FILE.csv",
        help=(
            "CSV file with a header row; '-' reads standard input (not with "
            "options that read the data every epoch)"
        ),
    )
    fit.add_argument(
        "--target", required=True, metavar="COLUMN", help="column of y (required)"
    )
    fit.add_argument(
        "--features",
        nargs="+",
        metavar="COLUMN",
        help="feature columns (default: every other numeric column)",
    )
    _add_index_col(fit)
    _add_estimator_options(fit)
    fit.add_argument(
        "--summary",
        action="store_true",
        default=None,
        help=(
            "also print the least-squares summary: standard errors, t tests, "
            "95%% confidence intervals and model figures, as statsmodels' OLS "
            "(needs --alpha 0 and a fit that reached its minimum; default: not "
            "printed)"
        ),
    )
    fit.add_argument(
        "--save",
        type=Path,
        metavar="PATH",
        help=(
            "save the fitted model to PATH with joblib, for 'predict'; '-' writes "
            "it to standard output, and the report to standard error (default: "
            f"not saved). {PICKLE_WARNING}"
        ),
    )
    return fit


def _add_estimator_options(fit):
    _add_optimizer_options(fit)
    fit.add_argument(
        "--max-iter", type=integer, default=1000, metavar="N", help="maximum epochs"
    )
    fit.add_argument(
        "--tol",
        type=number_or_none,
        default=1e-6,
        metavar="X|none",
        help=(
            "stop once the training loss is certified within this fraction of "
            "its minimum; 'none' runs exactly --max-iter epochs"
        ),
    )
    fit.add_argument(
        "--alpha",
        type=number,
        default=0.0,
        metavar="X",
        help="L2 penalty on the coefficients, never on the intercept",
    )
    fit.add_argument(
        "--standardize",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=(
            "descend on standardized features; --no-standardize descends on the "
            "raw x^2, x as the article does"
        ),
    )
    fit.add_argument(
        "--precompute",
        type=auto_or_boolean,
        default="auto",
        metavar="{auto,true,false}",
        help=(
            "'true' reads the data once and runs every epoch on its statistics, "
            "'false' reads the data every epoch (for thousands of features); "
            "'auto' picks the cheaper"
        ),
    )
    fit.add_argument(
        "--verbose",
        type=integer,
        default=0,
        metavar="N",
        help="print the loss every N epochs; 0 prints nothing",
    )


def _add_optimizer_options(fit):
    """The options of the optimizer: which one, its step, its batches."""
    fit.add_argument(
        "--solver",
        type=str,
        default="gd",
        metavar="{gd,momentum,nesterov,adam,newton-cholesky}",
        help=(
            "the optimizer: plain gradient descent, the heavy ball's momentum, "
            "Nesterov's accelerated gradient, Adam, or one Newton step to the "
            "exact minimum"
        ),
    )
    fit.add_argument(
        "--learning-rate",
        type=number_or_auto,
        default="auto",
        metavar="X|auto",
        help="step size; 'auto' tunes it to the curvature of the loss",
    )
    fit.add_argument(
        "--momentum",
        type=number_or_auto,
        default="auto",
        metavar="X|auto",
        help=(
            "momentum of --solver momentum or nesterov, in [0, 1); 'auto' tunes "
            "it with the learning rate"
        ),
    )
    fit.add_argument(
        "--batch-size",
        type=positive_integer_or_none,
        default=None,
        metavar="N|none",
        help=(
            "samples per update: mini-batch descent, reading the data every "
            "epoch (default: none, the full batch)"
        ),
    )
    fit.add_argument(
        "--random-state",
        type=seed,
        default=None,
        metavar="N",
        help=(
            "seed of the order of the samples with --batch-size (default: none, "
            "a different order every run)"
        ),
    )


def _predict(commands):
    predict = commands.add_parser(
        "predict",
        formatter_class=HelpFormatter,
        help="predict the rows of a CSV file with a saved model",
        description=(
            "Load a model saved by 'fit --save' and predict the rows of a CSV file "
            "from its columns named as the model's features, a chunk of rows at a "
            f"time, whatever the file's size. {PICKLE_WARNING}"
        ),
    )
    predict.add_argument(
        "model",
        metavar="MODEL",
        help=(
            "model file saved by 'fit --save'; '-' reads it from standard input. "
            f"{PICKLE_WARNING}"
        ),
    )
    predict.add_argument(
        "file",
        metavar="FILE.csv",
        help="CSV file with a header row; '-' reads standard input",
    )
    _add_index_col(predict)
    predict.add_argument(
        "--output",
        type=Path,
        metavar="OUT.csv",
        help=(
            "write the predictions here, '-' for standard output (default: "
            "standard output); with --index-col, the index column comes first"
        ),
    )
    return predict
