# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Time solver="newton-cholesky" against LinearRegression on [X**2, X].

Both fit the same least-squares model: ``QuadraticGDRegressor`` reads the data
once into its statistics and takes one Newton step on them; scikit-learn's
``LinearRegression`` is given the expanded ``[X**2, X]``, whose construction
is timed with it (it is part of fitting the quadratic model that way). The
data: scikit-learn's diabetes (442 x 10), and synthetic standard normal
features with a quadratic target and noise (1e6 x 1, 2e5 x 20, 1e5 x 100).

Every pair runs in one process, interleaved: each round times both once, in
turn; times are medians over the rounds, the ratio the median of the per-round
ratios. Accuracy: the R^2 of both against that of least squares solved on the
standardized design with ``numpy.linalg.lstsq``.

Run ``python benchmarks/bench_newton.py`` (a few minutes; writes
``benchmarks/results/newton.md`` and ``newton.rst``) or ``--quick`` (smaller
data, prints only: a smoke test, the targets are not checked).
"""

import sys
import warnings

import numpy as np
from _common import (
    Report,
    benchmark_parser,
    conclude,
    fmt_ratio,
    fmt_seconds,
    interleaved,
)
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression

from sklearn_quadneuron import QuadraticGDRegressor

# The Newton fit may take this many times LinearRegression's time ("about" it).
# On data as small as diabetes's both take milliseconds, mostly the cost of a
# call (parameter validation, checks of the input), and the ratio swings with
# the load of a shared machine: from 0.7x to 2x between runs here.
TIME_RATIO_TARGET = 1.5
# Its R^2 is least squares's to this.
R2_TARGET = 1e-8


def synthetic(n_samples, n_features, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    a, b = rng.normal(size=(2, n_features))
    y = 3.0 + X**2 @ a + X @ b + rng.normal(size=n_samples)
    return X, y


def least_squares_r2(X, y):
    """R^2 of least squares on [X**2, X, 1], solved on standardized columns."""
    Z = np.hstack([X**2, X])
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)
    coef = np.linalg.lstsq(Z, y - y.mean(), rcond=None)[0]
    residual = y - y.mean() - Z @ coef
    return 1.0 - residual @ residual / np.sum((y - y.mean()) ** 2)


def r2(y, y_pred):
    return 1.0 - np.sum((y - y_pred) ** 2) / np.sum((y - y.mean()) ** 2)


def compare(name, X, y, args):
    def newton():
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return QuadraticGDRegressor(solver="newton-cholesky").fit(X, y)

    def linear_regression():
        return LinearRegression().fit(np.hstack([X**2, X]), y)

    rounds = interleaved(
        {"newton": newton, "linear": linear_regression},
        rounds=args.rounds,
        budget=args.budget,
    )
    exact = least_squares_r2(X, y)
    model, linear = rounds.result["newton"], rounds.result["linear"]
    return {
        "name": name,
        "shape": X.shape,
        "newton": rounds.median("newton"),
        "linear": rounds.median("linear"),
        "ratio": rounds.ratio("newton", "linear"),
        "rounds": rounds.rounds,
        "newton_r2": abs(r2(y, model.predict(X)) - exact),
        "linear_r2": abs(r2(y, linear.predict(np.hstack([X**2, X]))) - exact),
        "stop": model.stop_reason_,
    }


def main(argv=None):
    parser = benchmark_parser(
        __doc__,
        "a tenth of the samples, 3 rounds; prints only; targets not checked",
        budget=60.0,
        per="dataset",
    )
    parser.add_argument("--rounds", type=int, default=None, help="rounds (9; 3 quick)")
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 3 if args.quick else 9
    shrink = 10 if args.quick else 1

    X, y = load_diabetes(return_X_y=True)
    results = [compare("diabetes", X, y, args)]
    for n, p in [(1_000_000, 1), (200_000, 20), (100_000, 100)]:
        X, y = synthetic(n // shrink, p)
        results.append(compare("synthetic", X, y, args))

    command = "python benchmarks/bench_newton.py" + (" --quick" if args.quick else "")
    report = Report("Benchmark: newton-cholesky against LinearRegression", command)
    report.section("Fit time and accuracy")
    report.paragraph(
        "QuadraticGDRegressor(solver='newton-cholesky').fit(X, y) against "
        "LinearRegression().fit(np.hstack([X**2, X]), y), the expansion timed "
        "with it. Medians of interleaved rounds; the ratio is the median of the "
        "per-round ratios. R^2 gap: the distance from the R^2 of least squares "
        "solved on the standardized design, R^2*."
    )
    headers = [
        "data",
        "samples x features",
        "newton-cholesky",
        "LinearRegression",
        "ratio",
        "rounds",
        "newton R^2 gap",
        "LinearRegression R^2 gap",
    ]
    rows = [
        [
            r["name"],
            f"{r['shape'][0]:,} x {r['shape'][1]}",
            fmt_seconds(r["newton"]),
            fmt_seconds(r["linear"]),
            fmt_ratio(r["ratio"]),
            str(r["rounds"]),
            f"{r['newton_r2']:.1e}",
            f"{r['linear_r2']:.1e}",
        ]
        for r in results
    ]
    report.table(headers, rows)
    checks = []
    for r in results:
        label = f"{r['name']} {r['shape'][0]:,} x {r['shape'][1]}"
        checks.append(
            (
                r["newton_r2"] <= R2_TARGET and r["stop"] == "tol",
                f"{label}: R^2 within {R2_TARGET:g} of least squares, certified",
                f"{r['newton_r2']:.1e} (stop_reason_={r['stop']!r})",
            )
        )
        checks.append(
            (
                r["ratio"] <= TIME_RATIO_TARGET,
                f"{label}: at most {TIME_RATIO_TARGET:g} times LinearRegression's time",
                fmt_ratio(r["ratio"]),
            )
        )
    return conclude(report, "newton", checks, args)


if __name__ == "__main__":
    sys.exit(main())
