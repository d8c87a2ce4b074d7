# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Many features: both engines of QuadraticGDRegressor against the linear algebra.

For 1, 20, 100, 1000 and 2000 features, on additive quadratic data, one process
times in interleaved rounds:

- ``fit(max_iter=1000, tol=None, precompute=True)``: exactly 1000 epochs on
  the gathered statistics; and the statistics pass alone (``gather``);
- ``fit(precompute=False)`` and ``fit(precompute=True)`` at the default
  ``tol``, and what ``precompute="auto"`` picks;
- numpy's ``Z.T @ Z`` of ``Z = [X**2, X, y]`` (built beforehand, not timed),
  with BLAS's own threads and with one thread: the Gram any least-squares
  method on the expanded matrix must form;
- ``Ridge(solver="cholesky")``, ``LinearRegression`` and ``StandardScaler +
  SGDRegressor`` on ``[X**2, X]`` (their times include building it);
- the spectral step of a symmetric matrix of the Gram's size, as the statistics
  engine performs it once: below ``TRIDIAGONAL_FROM`` parameters numpy's
  ``eigh`` (from 64 columns on one BLAS thread), from there on the reduction
  to tridiagonal form (LAPACK's ``sytrd``, on BLAS's own threads), with
  ``eigh`` beside it for comparison.

Run ``python benchmarks/bench_wide.py`` (10 to 15 minutes: the 2000-feature
problem alone takes several) or ``--quick`` (smaller problems, up to 100
features; prints only, a smoke test). Full runs write
``benchmarks/results/wide.md`` and ``wide.rst``.
"""

import argparse
import sys

import numpy as np
from _common import (
    Report,
    benchmark_parser,
    conclude,
    fmt_float,
    fmt_ratio,
    fmt_seconds,
    interleaved,
    linear,
    on_numpy_kernels,
    ridge,
    sgd,
    wide_data,
)
from threadpoolctl import threadpool_limits

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron._linalg import TRIDIAGONAL_FROM, Tridiagonal, eigen
from sklearn_quadneuron._statistics import choose_engine, gather

# The 1000-epoch fit may take this many times the faster Z.T @ Z, per width;
# at these widths it must also be faster than Ridge. 2000 features has none:
# it shows where the direct engine takes over.
GRAM_TARGETS = {20: 2.0, 100: 2.0, 1000: 1.5}
RIDGE_TARGETS = {20, 100}

# (n_features, n_samples, rounds) of a full run; of a quick one.
FULL = [(1, 1_000_000, 7), (20, 200_000, 7), (100, 100_000, 5), (1000, 20_000, 3)]
FULL_WIDEST = (2000, 10_000, 1)
QUICK = [(1, 100_000, 3), (20, 20_000, 3), (100, 5_000, 3)]


def ours(X, y, **params):
    model = QuadraticGDRegressor(**params).fit(X, y)
    return np.r_[model.coef_, model.intercept_], model


def gram(Z):
    return Z.T @ Z


def gram_one_thread(Z):
    with threadpool_limits(1, user_api="blas"):
        return Z.T @ Z


def spd_of_size(q, seed=0):
    A = np.random.default_rng(seed).standard_normal((q, q))
    return A @ A.T / q


def eigh_name(p):
    return f"numpy.linalg.eigh, {2 * p + 1}x{2 * p + 1}"


def spectral_name(p):
    """The name of the fit's own spectral step at p features."""
    q = 2 * p + 1
    if q >= TRIDIAGONAL_FROM:
        return f"the fit's tridiagonal reduction, {q}x{q}"
    return f"the fit's {eigh_name(p)}"


def error(params, reference):
    return float(np.max(np.abs(params - reference)) / np.max(np.abs(reference)))


STATS = "fit, statistics, 1000 epochs"
PASS = "statistics pass (gather)"
NUMPY_PASS = "statistics pass, numpy kernels (without numba)"
STATS_TOL = "fit, statistics, default tol"
DIRECT_TOL = "fit, direct, default tol"
GRAM = "Z.T @ Z"
GRAM1 = "Z.T @ Z, 1 BLAS thread"


def one_width(p, n, rounds, budget):
    print(f"{p} features, n={n:,}, up to {rounds} rounds:", flush=True)
    X, y = wide_data(n, p)
    Z = np.column_stack([X**2, X, y])
    Y = y[:, None]
    methods = {
        STATS: lambda: ours(X, y, max_iter=1000, tol=None, precompute=True),
        PASS: lambda: gather(X, Y),
        NUMPY_PASS: on_numpy_kernels(lambda: gather(X, Y)),
        STATS_TOL: lambda: ours(X, y, precompute=True),
        DIRECT_TOL: lambda: ours(X, y, precompute=False),
        GRAM: lambda: gram(Z),
        GRAM1: lambda: gram_one_thread(Z),
        'Ridge(solver="cholesky") on [X**2, X]': lambda: ridge(X, y),
        "LinearRegression on [X**2, X]": lambda: linear(X, y),
        "StandardScaler + SGDRegressor on [X**2, X]": lambda: sgd(X, y),
    }
    H = spd_of_size(2 * p + 1)
    if 2 * p + 1 >= TRIDIAGONAL_FROM:
        methods[spectral_name(p)] = lambda: Tridiagonal(H)
        methods[eigh_name(p)] = lambda: eigen(H)
    else:
        methods[spectral_name(p)] = lambda: eigen(H)
    if p >= 1000:
        # Nearly the 1000-epoch fit again: epochs cost nothing next to the pass.
        del methods[STATS_TOL]
    # Calls of many seconds: no warm-up call.
    times = interleaved(methods, rounds=rounds, budget=budget, warmup=p < 1000)
    for name in methods:
        print(f"  {name}: {fmt_seconds(times.median(name))}", flush=True)
    return X, y, times


def main(argv=None):
    parser = benchmark_parser(
        __doc__,
        "up to 100 features on small data; prints only; targets not checked",
        budget=120.0,
        per="width",
    )
    parser.add_argument(
        "--widest",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the 2000-feature problem (several minutes)",
    )
    args = parser.parse_args(argv)
    widths = QUICK if args.quick else FULL + ([FULL_WIDEST] if args.widest else [])

    command = "python benchmarks/bench_wide.py" + (" --quick" if args.quick else "")
    report = Report("Benchmark: many features", command)
    report.paragraph(
        "Data: `X` standard normal, `y = X**2 @ a + X @ b + 1 + noise`. Each "
        "width runs its methods in interleaved rounds (each round times every "
        "method once, in turn); times are medians over the rounds, ratios "
        "medians of the per-round ratios. `Z = [X**2, X, y]` is built before "
        "the rounds; the scikit-learn estimators' times include building "
        "`[X**2, X]`. Error: largest coefficient difference from "
        "LinearRegression's, relative to its largest coefficient."
    )
    summary, checks = [], []
    for p, n, rounds in widths:
        X, y, times = one_width(p, n, rounds, args.budget)
        reference = times.result["LinearRegression on [X**2, X]"]
        auto = choose_engine("auto", n, p, 1)
        rows = []
        for name in times.wall:
            result = times.result[name]
            note, err = "", "-"
            if isinstance(result, tuple) and isinstance(
                result[1], QuadraticGDRegressor
            ):
                params, model = result
                err = fmt_float(error(params, reference))
                note = f"{model.n_iter_} epochs ({model.stop_reason_})"
            elif name.endswith("[X**2, X]"):
                err = fmt_float(error(result, reference))
            rows.append(
                [
                    name,
                    fmt_seconds(times.median(name)),
                    fmt_ratio(times.ratio(name, STATS)),
                    fmt_ratio(times.ratio_to_best(name, [GRAM, GRAM1])),
                    err,
                    note,
                ]
            )
        report.section(f"{p} features, {n:,} samples ({times.rounds} rounds)")
        report.paragraph(
            f'`precompute="auto"` picks `precompute_={auto == "statistics"}` here.'
        )
        report.table(
            [
                "method",
                "median time",
                "ratio to the 1000-epoch fit",
                "ratio to the faster Z.T @ Z",
                "rel. error",
                "note",
            ],
            rows,
        )
        best_gram = times.ratio_to_best(STATS, [GRAM, GRAM1])
        ridge_ratio = times.ratio('Ridge(solver="cholesky") on [X**2, X]', STATS)
        pass_share = times.ratio(PASS, STATS)
        spectral = spectral_name(p)
        summary.append(
            [
                p,
                f"{n:,}",
                auto,
                fmt_seconds(times.median(STATS)),
                fmt_seconds(times.median(DIRECT_TOL)),
                fmt_seconds(times.median(STATS_TOL))
                if STATS_TOL in times.wall
                else "-",
                fmt_ratio(best_gram),
                fmt_ratio(ridge_ratio),
                f"{pass_share:.0%}",
                f"{times.ratio(spectral, STATS):.0%}",
            ]
        )
        if p in GRAM_TARGETS:
            checks.append(
                (
                    best_gram <= GRAM_TARGETS[p],
                    f"{p} features: fit(max_iter=1000, tol=None, "
                    f"precompute=True) <= {GRAM_TARGETS[p]}x the faster Z.T @ Z",
                    f"{fmt_ratio(best_gram)} (the statistics pass: "
                    f"{pass_share:.0%} of the fit)",
                )
            )
        if p in RIDGE_TARGETS:
            checks.append(
                (
                    ridge_ratio > 1,
                    f'{p} features: faster than Ridge(solver="cholesky")',
                    f"Ridge takes {fmt_ratio(ridge_ratio)} the fit's time",
                )
            )
    report.section("Summary: the crossover")
    report.paragraph(
        'Per width: what `precompute="auto"` picks (the statistics engine whenever '
        "eight Grams of (2p + 2)**2 floats fit in 512 MiB and there are at "
        "least 2p + 1 samples), the times of both engines at the default "
        "`tol`, and the 1000-epoch statistics fit against the faster of the "
        "two `Z.T @ Z` and against Ridge. The last two columns are the shares "
        "of the 1000-epoch fit taken by the statistics pass and by the solve's "
        "one spectral step on a matrix of the Gram's size: numpy's eigh (from "
        f"64 columns on one BLAS thread) below {TRIDIAGONAL_FROM} parameters, "
        "the reduction to tridiagonal form from there on."
    )
    report.table(
        [
            "features",
            "samples",
            "auto",
            "statistics, 1000 epochs",
            "direct, default tol",
            "statistics, default tol",
            "fit / Z.T @ Z",
            "Ridge / fit",
            "pass / fit",
            "spectral step / fit",
        ],
        summary,
    )
    return conclude(report, "wide", checks, args)


if __name__ == "__main__":
    sys.exit(main())
