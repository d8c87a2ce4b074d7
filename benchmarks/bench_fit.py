# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Time QuadraticGDRegressor.fit on one feature, side by side with its peers.

The headline peer is the article's own procedure, written here in vectorised
numpy: full-batch gradient descent, one pass of array arithmetic and ``np.dot``
per epoch for the prediction and the three gradients, for the same number of
epochs. The others: ``numpy.polyfit``, scikit-learn's least squares and SGD on
the expanded features, and one read of the data (``x.sum() + y.sum()``), the
floor of any method that reads it.

Every method runs in one process on the same data (``make_quadratic`` with
noise), interleaved: each round times every method once, in turn. Times are
medians over the rounds, ratios medians of the per-round ratios. Accuracy is
measured against ``numpy.linalg.lstsq`` on ``[x**2, x, 1]``, the exact
least-squares solution that converged gradient descent must reach.

Run ``python benchmarks/bench_fit.py`` (a few minutes; writes
``benchmarks/results/fit.md`` and ``fit.rst``) or ``--quick`` (under a minute,
1e5 samples, prints only: a smoke test, the targets are not checked).
"""

import sys
import time

import numpy as np
from _common import (
    ARTICLE_LEARNING_RATE,
    Report,
    article_procedure,
    benchmark_parser,
    conclude,
    fmt_float,
    fmt_ratio,
    fmt_seconds,
    interleaved,
    on_numpy_kernels,
    peak_memory,
    quiet,
)
from sklearn.linear_model import LinearRegression, SGDRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_quadratic

# -- the peers ---------------------------------------------------------------------


def per_sample_loop(x, y, n_epochs, learning_rate=ARTICLE_LEARNING_RATE):
    """The same descent as a plain-Python loop over samples (not the article's code).

    ``x`` and ``y`` are Python lists of floats. Returns ``(a, b, c)``.
    """
    a = b = c = 0.0
    n = len(x)
    for _ in range(n_epochs):
        grad_a = grad_b = grad_c = 0.0
        for xi, yi in zip(x, y):
            r = a * xi * xi + b * xi + c - yi
            grad_a += xi * xi * r
            grad_b += xi * r
            grad_c += r
        step = 2.0 * learning_rate / n
        a -= step * grad_a
        b -= step * grad_b
        c -= step * grad_c
    return np.array([a, b, c])


def fit_ours(X, y, **params):
    model = QuadraticGDRegressor(**params).fit(X, y)
    return np.array([*model.coef_, model.intercept_])


def fit_polyfit(x, y):
    return np.polyfit(x, y, 2)


def fit_polynomial_pipeline(X, y):
    pipe = make_pipeline(PolynomialFeatures(2), LinearRegression()).fit(X, y)
    # PolynomialFeatures orders the columns [1, x, x**2].
    coef = pipe[-1].coef_
    return np.array([coef[2], coef[1], pipe[-1].intercept_])


def fit_linear_expanded(x, y):
    lr = LinearRegression().fit(np.column_stack([x**2, x]), y)
    return np.array([*lr.coef_, lr.intercept_])


def fit_sgd(x, y):
    # Default SGDRegressor; only the seed is fixed, for reproducible figures.
    pipe = make_pipeline(StandardScaler(), SGDRegressor(random_state=0))
    pipe.fit(np.column_stack([x**2, x]), y)
    scaler, sgd = pipe
    coef = sgd.coef_ / scaler.scale_
    intercept = sgd.intercept_[0] - coef @ scaler.mean_
    return np.array([*coef, intercept])


def memory_floor(x, y):
    return x.sum() + y.sum()


def lstsq_reference(x, y):
    A = np.column_stack([x**2, x, np.ones_like(x)])
    return np.linalg.lstsq(A, y, rcond=None)[0]


def relative_error(params, reference):
    """Largest relative difference of each coefficient from the reference."""
    params = np.asarray(params, dtype=float)
    return float(np.max(np.abs(params - reference) / np.abs(reference)))


def r2(params, x, y):
    a, b, c = params
    residual = y - (a * x * x + b * x + c)
    return 1.0 - float(residual @ residual) / float(((y - y.mean()) ** 2).sum())


# -- the benchmark -----------------------------------------------------------------


OURS = "QuadraticGDRegressor(max_iter={k}, tol=None)"
ARTICLE = "the article's procedure, vectorised numpy"
FLOOR = "x.sum() + y.sum()"
NUMPY_KERNELS = "QuadraticGDRegressor(max_iter={k}, tol=None), numpy kernels"


def one_feature(args, report, checks):
    n, max_iter = args.n, args.max_iter
    X, y = make_quadratic(n, noise=1.0, random_state=0)
    x = X[:, 0]
    reference = lstsq_reference(x, y)
    ours = OURS.format(k=max_iter)
    tolerant = QuadraticGDRegressor(max_iter=max_iter)
    quiet(lambda: tolerant.fit(X, y))
    methods = {
        ours: (
            lambda: fit_ours(X, y, max_iter=max_iter, tol=None),
            "exactly max_iter epochs",
        ),
        NUMPY_KERNELS.format(k=max_iter): (
            on_numpy_kernels(lambda: fit_ours(X, y, max_iter=max_iter, tol=None)),
            "as without numba (the fast extra)",
        ),
        f"QuadraticGDRegressor(max_iter={max_iter}) (tol=1e-6)": (
            lambda: fit_ours(X, y, max_iter=max_iter),
            f"stops after {tolerant.n_iter_} epochs ({tolerant.stop_reason_})",
        ),
        ARTICLE: (
            lambda: article_procedure(x, y, max_iter),
            f"{max_iter} epochs, learning_rate=0.1; every epoch reads the data",
        ),
        "numpy.polyfit(x, y, 2)": (lambda: fit_polyfit(x, y), ""),
        "PolynomialFeatures(2) + LinearRegression": (
            lambda: fit_polynomial_pipeline(X, y),
            "pipeline on X",
        ),
        "LinearRegression on [x**2, x]": (
            lambda: fit_linear_expanded(x, y),
            "time includes building [x**2, x]",
        ),
        "StandardScaler + SGDRegressor on [x**2, x]": (
            lambda: fit_sgd(x, y),
            "default parameters (random_state=0); includes building [x**2, x]",
        ),
        FLOOR: (lambda: memory_floor(x, y), "one read of the data"),
    }
    print(f"One feature, n={n:,}, {max_iter} epochs, {args.rounds} rounds:", flush=True)
    rounds = interleaved(
        {name: func for name, (func, _) in methods.items()},
        rounds=args.rounds,
        budget=args.budget,
    )
    for name in methods:
        print(f"  {name}: {fmt_seconds(rounds.median(name))}", flush=True)

    # The per-sample loop is far too slow to run in full: a few epochs, scaled
    # up per sample and per epoch (not interleaved; it is not a target).
    loop_n = min(n, args.loop_samples)
    x_list, y_list = x[:loop_n].tolist(), y[:loop_n].tolist()
    start = time.perf_counter()
    loop_params = per_sample_loop(x_list, y_list, args.loop_epochs)
    per_epoch_sample = (time.perf_counter() - start) / (args.loop_epochs * loop_n)
    same = article_procedure(x[:loop_n], y[:loop_n], args.loop_epochs)
    assert np.allclose(loop_params, same, rtol=1e-9, atol=1e-9), (loop_params, same)
    loop_seconds = per_epoch_sample * n * max_iter

    headers = [
        "method",
        "median time",
        "ratio to ours",
        "ratio to one read",
        "max rel. error vs lstsq",
        "R^2",
        "note",
    ]
    table = []
    for name, (_, note) in methods.items():
        params = rounds.result[name]
        has_params = isinstance(params, np.ndarray) and params.ndim == 1
        table.append(
            [
                name,
                fmt_seconds(rounds.median(name)),
                fmt_ratio(rounds.ratio(name, ours)),
                fmt_ratio(rounds.ratio(name, FLOOR)),
                fmt_float(relative_error(params, reference)) if has_params else "-",
                f"{r2(params, x, y):.6f}" if has_params else "-",
                note,
            ]
        )
    ours_median = rounds.median(ours)
    table.append(
        [
            "per-sample Python loop (extrapolated; not the article's code)",
            fmt_seconds(loop_seconds),
            fmt_ratio(loop_seconds / ours_median),
            "-",
            "-",
            "-",
            f"a plain-Python loop over samples, timed for {args.loop_epochs} "
            f"epoch(s) on {loop_n:,} samples and scaled to {max_iter} epochs "
            f"on {n:,}; not interleaved",
        ]
    )
    report.section(f"One feature, {n:,} samples, {max_iter} epochs")
    report.paragraph(
        f"Data: `make_quadratic({n}, noise=1.0, random_state=0)`. "
        f"{rounds.rounds} interleaved rounds, each timing every method once in "
        "turn; times are medians over the rounds, ratios medians of the "
        "per-round ratios (above 1: slower). The article's procedure is its "
        "full-batch gradient descent written in vectorised numpy (one pass of "
        "array arithmetic and three dot products per epoch); the per-sample "
        "loop is a plain-Python rendering of the same descent, extrapolated "
        "from a few epochs, and checked to follow the same trajectory."
    )
    report.table(headers, table)

    floor_ratio = rounds.ratio(ours, FLOOR)
    floor_cpu = rounds.ratio(ours, FLOOR, clock="cpu")
    ours_error = relative_error(rounds.result[ours], reference)
    tol_name = list(methods)[1]
    tol_error = relative_error(rounds.result[tol_name], reference)
    article_ratio = rounds.ratio(ARTICLE, ours)
    checks += [
        (
            floor_ratio <= 5,
            "fit <= 5x one read of the data (x.sum() + y.sum())",
            f"{fmt_ratio(floor_ratio)} (process CPU time: {fmt_ratio(floor_cpu)}; "
            "the fit may use two threads, the read one)",
        ),
        (
            article_ratio >= 100,
            ">= 100x faster than the article's procedure in vectorised numpy",
            fmt_ratio(article_ratio),
        ),
        (
            rounds.ratio("numpy.polyfit(x, y, 2)", ours) >= 5,
            ">= 5x faster than numpy.polyfit",
            fmt_ratio(rounds.ratio("numpy.polyfit(x, y, 2)", ours)),
        ),
        (
            rounds.ratio("PolynomialFeatures(2) + LinearRegression", ours) >= 10,
            ">= 10x faster than PolynomialFeatures + LinearRegression",
            fmt_ratio(rounds.ratio("PolynomialFeatures(2) + LinearRegression", ours)),
        ),
        (
            ours_error <= 1e-7,
            "coefficients equal lstsq to 1e-7 relative",
            f"{ours_error:.2e} with tol=None; {tol_error:.2e} with the default tol",
        ),
    ]

    # Epochs cost nothing once the statistics are gathered; predict is the
    # polynomial. Each pair interleaved on its own.
    long_iter, short_iter = 10 * max_iter, 10
    epochs = interleaved(
        {
            "long": lambda: fit_ours(X, y, max_iter=long_iter, tol=None),
            "short": lambda: fit_ours(X, y, max_iter=short_iter, tol=None),
        },
        rounds=args.rounds,
    )
    model = quiet(lambda: QuadraticGDRegressor(max_iter=max_iter).fit(X, y))
    (a, b), c = model.coef_, model.intercept_
    predict = interleaved(
        {"predict": lambda: model.predict(X), "expr": lambda: a * x * x + b * x + c},
        rounds=args.rounds,
    )
    assert np.allclose(
        predict.result["predict"], predict.result["expr"], rtol=1e-9, atol=1e-9
    )
    checks += [
        (
            epochs.ratio("long", "short") <= 1.2,
            f"fit(max_iter={long_iter}) <= 1.2x fit(max_iter={short_iter})",
            f"{fmt_ratio(epochs.ratio('long', 'short'))} "
            f"({fmt_seconds(epochs.median('long'))} vs "
            f"{fmt_seconds(epochs.median('short'))})",
        ),
        (
            predict.ratio("predict", "expr") <= 1.5,
            "predict <= 1.5x the numpy expression a*x*x + b*x + c",
            f"{fmt_ratio(predict.ratio('predict', 'expr'))} "
            f"({fmt_seconds(predict.median('predict'))} vs "
            f"{fmt_seconds(predict.median('expr'))})",
        ),
    ]

    peaks = [
        (
            f"{ours}.fit",
            peak_memory(lambda: fit_ours(X, y, max_iter=max_iter, tol=None)),
        ),
        ("numpy.polyfit", peak_memory(lambda: fit_polyfit(x, y))),
        (
            "LinearRegression on [x**2, x]",
            peak_memory(lambda: fit_linear_expanded(x, y)),
        ),
        (
            "PolynomialFeatures(2) + LinearRegression",
            peak_memory(lambda: fit_polynomial_pipeline(X, y)),
        ),
    ]
    report.section("Peak memory (tracemalloc)")
    report.paragraph(
        f"Peak of the memory allocated during the call, over `X.nbytes` = "
        f"{X.nbytes / 2**20:.3g} MiB."
    )
    report.table(
        ["method", "peak", "peak / X.nbytes"],
        [
            [name, f"{peak / 2**20:.3g} MiB", f"{peak / X.nbytes:.3g}"]
            for name, peak in peaks
        ],
    )
    ours_peak = peaks[0][1] / X.nbytes
    checks.append(
        (
            ours_peak <= 0.5,
            "fit's tracemalloc peak <= 0.5x X.nbytes",
            f"{ours_peak:.3g}x",
        )
    )
    return {
        "floor_ratio": floor_ratio,
        "article_ratio": article_ratio,
        "loop_seconds": loop_seconds,
    }


def main(argv=None):
    parser = benchmark_parser(
        __doc__,
        "n=1e5, 3 rounds; prints without writing results; targets not checked",
        budget=300.0,
        per="run",
    )
    parser.add_argument("--n", type=int, default=None, help="samples (default 1e6)")
    parser.add_argument("--max-iter", type=int, default=1000, help="epochs")
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="interleaved rounds (15; 3 with --quick)",
    )
    args = parser.parse_args(argv)
    if args.n is None:
        args.n = 100_000 if args.quick else 1_000_000
    if args.rounds is None:
        args.rounds = 3 if args.quick else 15
    # The pure-Python loop runs about a microsecond per sample: two epochs of
    # a million samples normally, one epoch of a subsample in --quick mode.
    args.loop_samples = 20_000 if args.quick else args.n
    args.loop_epochs = 1 if args.quick else 2

    command = "python benchmarks/bench_fit.py" + (" --quick" if args.quick else "")
    report = Report("Benchmark: fit", command)
    checks = []
    one_feature(args, report, checks)
    return conclude(report, "fit", checks, args)


if __name__ == "__main__":
    sys.exit(main())
