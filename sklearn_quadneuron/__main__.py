# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Command line: ``python -m sklearn_quadneuron demo`` (or ``quadneuron demo``)."""

import argparse
import sys

from .datasets import make_quadratic

TRUE_PARAMETERS = {"a": 10.0, "b": 5.0, "c": 12.0}
ARTICLE_INIT = {"a": 15.0, "b": -2.0, "c": 10.0}


def _positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {text}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="quadneuron",
        description="A quadratic neuron trained by gradient descent.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="re-run the article: fit a*x**2 + b*x + c by gradient descent",
        description=(
            "Re-run the article 'The hello, world of Deep Learning': 1000 points "
            "of y = 10x^2 + 5x + 12, start from a=15, b=-2, c=10, and descend on "
            "the raw features with the article's exact gradients."
        ),
    )
    demo.add_argument("--epochs", type=_positive_int, default=50)
    demo.add_argument("--learning-rate", type=_positive_float, default=0.1)
    demo.add_argument("--seed", type=int, default=0, help="seed of the data")
    demo.set_defaults(handler=run_demo)
    return parser


def run_demo(args, out=sys.stdout):
    from ._regressor import QuadraticGDRegressor

    X, y = make_quadratic(1000, random_state=args.seed)
    model = QuadraticGDRegressor(
        learning_rate=args.learning_rate,
        max_iter=args.epochs,
        tol=None,
        standardize=False,
        verbose=5,
        record_path=True,
    )
    print(
        f"Fitting y = a*x^2 + b*x + c to {X.shape[0]} points of y = 10x^2 + 5x + 12,",
        file=out,
    )
    print(
        f"from a=15, b=-2, c=10, learning rate {args.learning_rate}, "
        f"{args.epochs} epochs:",
        file=out,
    )
    model.fit(
        X,
        y,
        coef_init=[ARTICLE_INIT["a"], ARTICLE_INIT["b"]],
        intercept_init=ARTICLE_INIT["c"],
    )
    learned = {"a": model.coef_[0], "b": model.coef_[1], "c": model.intercept_}
    print(f"\n{'':9}{'learned':>12}{'true':>8}", file=out)
    for name, value in learned.items():
        print(f"{name:9}{value:12.6f}{TRUE_PARAMETERS[name]:8.1f}", file=out)
    print(f"\nfinal loss {model.loss_curve_[-1]:.6g}", file=out)
    return model


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    args.handler(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
