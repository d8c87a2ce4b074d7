# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Time QuadraticGDRegressor.fit side by side with the usual quadratic fits.

All methods run in one process on the same data (``make_quadratic`` with noise),
so the ratios are fair even when the machine is busy. Each timing is the median
of ``--repeat`` runs after a warm-up run. Accuracy is measured against
``numpy.linalg.lstsq`` on ``[x**2, x, 1]``, the exact least-squares solution that
converged gradient descent must reach.

Run ``python benchmarks/bench_fit.py`` (several minutes: the 2000-feature
comparison alone takes about one) or ``python benchmarks/bench_fit.py --quick``
(under a minute, printed only). Full runs write ``benchmarks/results/fit.md`` and
``fit.rst``.
"""

import argparse
import math
import time

import numpy as np
from _common import (
    Report,
    fmt_float,
    fmt_ratio,
    fmt_seconds,
    interleaved,
    measure,
    output_directory,
    paired_ratio,
    peak_memory,
    quiet,
)
from sklearn.linear_model import LinearRegression, SGDRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_quadratic

# The article's step size on the raw [x**2, x, 1]: stable on standard normal x,
# whose loss Hessian has largest eigenvalue about 7.1 (steps below 2 / 7.1).
ARTICLE_LEARNING_RATE = 0.1


# -- the reference implementations ------------------------------------------------


def per_sample_loop(x, y, n_epochs, learning_rate=ARTICLE_LEARNING_RATE):
    """Full-batch gradient descent as the article writes it: a loop over samples.

    ``x`` and ``y`` are Python lists of floats (pure Python arithmetic is the
    fastest way to run such a loop; numpy scalars would be slower still).
    Returns ``(a, b, c)`` after ``n_epochs`` epochs from zero.
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


def numpy_gd_loop(x, y, n_epochs, learning_rate=ARTICLE_LEARNING_RATE):
    """The same gradient descent, vectorised: every epoch reads the whole data."""
    a = b = c = 0.0
    n = x.shape[0]
    x2 = x * x
    for _ in range(n_epochs):
        r = a * x2 + b * x + c - y
        step = 2.0 * learning_rate / n
        a -= step * float(x2 @ r)
        b -= step * float(x @ r)
        c -= step * float(r.sum())
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


# -- the benchmark ----------------------------------------------------------------


def one_feature(args, report, checks):
    n, max_iter, repeat = args.n, args.max_iter, args.repeat
    X, y = make_quadratic(n, noise=1.0, random_state=0)
    x = X[:, 0]
    reference = lstsq_reference(x, y)
    budget = args.budget

    rows = {}

    def run(name, func, note="", **kwargs):
        timing = measure(func, repeat=repeat, budget=budget, **kwargs)
        rows[name] = (timing.median, timing.best, timing.runs, timing.result, note)
        print(f"  {name}: {fmt_seconds(timing.median)} ({timing.runs} runs)")
        return timing.median

    print(f"One feature, n={n:,}, {max_iter} epochs:", flush=True)
    ours = run(
        f"QuadraticGDRegressor(max_iter={max_iter}, tol=None)",
        lambda: fit_ours(X, y, max_iter=max_iter, tol=None),
        "exactly max_iter epochs",
    )
    ours_tol = QuadraticGDRegressor(max_iter=max_iter)
    quiet(lambda: ours_tol.fit(X, y))
    run(
        f"QuadraticGDRegressor(max_iter={max_iter}) (tol=1e-6)",
        lambda: fit_ours(X, y, max_iter=max_iter),
        f"stops after {ours_tol.n_iter_} epochs ({ours_tol.stop_reason_})",
    )

    # The per-sample loop is far too slow to run max_iter epochs on this data:
    # time a few epochs (on a subsample in --quick mode) and extrapolate
    # linearly, per sample and per epoch.
    loop_n = min(n, args.loop_samples)
    x_list, y_list = x[:loop_n].tolist(), y[:loop_n].tolist()
    epochs = args.loop_epochs
    start = time.perf_counter()
    loop_params = per_sample_loop(x_list, y_list, epochs)
    per_epoch_sample = (time.perf_counter() - start) / (epochs * loop_n)
    # The loop and the vectorised loop are the same algorithm: check it, so that
    # the extrapolated figure is for a correct implementation.
    same = numpy_gd_loop(x[:loop_n], y[:loop_n], epochs)
    assert np.allclose(loop_params, same, rtol=1e-9, atol=1e-9), (loop_params, same)
    loop_seconds = per_epoch_sample * n * max_iter
    rows["per-sample Python loop (the article's)"] = (
        loop_seconds,
        math.nan,
        0,
        None,
        f"extrapolated from {epochs} epoch(s) on {loop_n:,} samples "
        f"(x {max_iter} epochs x {n // loop_n} data size); learning_rate=0.1",
    )
    print(f"  per-sample loop (extrapolated): {fmt_seconds(loop_seconds)}", flush=True)

    run(
        "numpy GD loop (vectorised, full batch)",
        lambda: numpy_gd_loop(x, y, max_iter),
        f"{max_iter} epochs, learning_rate=0.1, each epoch reads the data",
        warmup=0,
    )
    run("numpy.polyfit(x, y, 2)", lambda: fit_polyfit(x, y))
    run(
        "PolynomialFeatures(2) + LinearRegression",
        lambda: fit_polynomial_pipeline(X, y),
        "pipeline on X",
    )
    run(
        "LinearRegression on [x**2, x]",
        lambda: fit_linear_expanded(x, y),
        "time includes building [x**2, x]",
    )
    run(
        "StandardScaler + SGDRegressor on [x**2, x]",
        lambda: fit_sgd(x, y),
        "default parameters (random_state=0); includes building [x**2, x]",
    )
    floor = run("x.sum() + y.sum()", lambda: memory_floor(x, y), "memory floor")
    rows["numpy.linalg.lstsq on [x**2, x, 1] (reference)"] = (
        math.nan,
        math.nan,
        0,
        reference,
        "the exact least-squares solution",
    )

    headers = [
        "method",
        "median time",
        "best",
        "runs",
        "ratio to ours",
        "ratio to x.sum pass",
        "max rel. error vs lstsq",
        "R^2",
        "note",
    ]
    table = []
    for name, (seconds, best, runs, params, note) in rows.items():
        has_params = params is not None and np.ndim(params) == 1
        table.append(
            [
                name,
                fmt_seconds(seconds),
                fmt_seconds(best),
                runs or "-",
                fmt_ratio(seconds / ours),
                fmt_ratio(seconds / floor),
                fmt_float(relative_error(params, reference)) if has_params else "-",
                f"{r2(params, x, y):.6f}" if has_params else "-",
                note,
            ]
        )
    report.section(f"One feature, {n:,} samples, {max_iter} epochs")
    report.paragraph(
        "Data: `make_quadratic(n, noise=1.0, random_state=0)`. Ratios are times "
        "divided by the time of `QuadraticGDRegressor(max_iter="
        f"{max_iter}, tol=None)`, or of the memory-bandwidth floor `x.sum() + "
        "y.sum()`; above 1 means slower. The per-sample loop is not run in full: "
        "its time is extrapolated from a few epochs, and it follows exactly the "
        "trajectory of the numpy GD loop (checked on the epochs run)."
    )
    report.table(headers, table)

    ours_error = relative_error(rows[next(iter(rows))][3], reference)
    tol_error = relative_error(rows[list(rows)[1]][3], reference)
    ours_best = rows[next(iter(rows))][1]
    floor_best = rows["x.sum() + y.sum()"][1]
    # The ratio targets are checked on interleaved rounds: each round times
    # every competitor once, so all of them see the same load.
    rounds = interleaved(
        {
            "ours": lambda: fit_ours(X, y, max_iter=max_iter, tol=None),
            "polyfit": lambda: fit_polyfit(x, y),
            "pipeline": lambda: fit_polynomial_pipeline(X, y),
            "floor": lambda: memory_floor(x, y),
        },
        rounds=args.rounds,
    )
    polyfit_ratio = paired_ratio(rounds, "polyfit", "ours")
    pipeline_ratio = paired_ratio(rounds, "pipeline", "ours")
    floor_ratio = paired_ratio(rounds, "ours", "floor")
    report.paragraph(
        f"Ratio targets below: medians of per-round ratios over {args.rounds} "
        "interleaved rounds (each round times our fit, numpy.polyfit, the "
        "PolynomialFeatures pipeline and the x.sum() + y.sum() pass once, in "
        "turn), so that every competitor runs under the same load. Medians of "
        f"the rounds: ours {fmt_seconds(np.median(rounds['ours']))}, polyfit "
        f"{fmt_seconds(np.median(rounds['polyfit']))}, pipeline "
        f"{fmt_seconds(np.median(rounds['pipeline']))}, sum pass "
        f"{fmt_seconds(np.median(rounds['floor']))}."
    )
    checks += [
        (
            loop_seconds / ours >= 1000,
            ">= 1000x faster than the per-sample loop",
            f"{fmt_ratio(loop_seconds / ours)} (extrapolated)",
        ),
        (
            polyfit_ratio >= 5,
            ">= 5x faster than numpy.polyfit",
            f"{fmt_ratio(polyfit_ratio)} (interleaved; table medians: "
            f"{fmt_ratio(rows['numpy.polyfit(x, y, 2)'][0] / ours)})",
        ),
        (
            pipeline_ratio >= 10,
            ">= 10x faster than PolynomialFeatures + LinearRegression",
            f"{fmt_ratio(pipeline_ratio)} (interleaved; table medians: "
            f"{fmt_ratio(rows['PolynomialFeatures(2) + LinearRegression'][0] / ours)})",
        ),
        (
            floor_ratio <= 15,
            "fit <= 15x the x.sum() + y.sum() pass",
            f"{fmt_ratio(floor_ratio)} (interleaved; table medians: "
            f"{fmt_ratio(ours / floor)}, best runs: "
            f"{fmt_ratio(ours_best / floor_best)})",
        ),
        (
            ours_error <= 1e-7,
            "coefficients equal lstsq to 1e-7 relative",
            f"{ours_error:.2e} with tol=None; {tol_error:.2e} with the default tol",
        ),
    ]

    # Epochs are O(1) once the statistics are gathered: 10 and 10000 epochs
    # should cost about the same.
    long_iter, short_iter = 10 * max_iter, 10
    long = measure(
        lambda: fit_ours(X, y, max_iter=long_iter, tol=None),
        repeat=repeat,
        budget=budget,
    )
    short = measure(
        lambda: fit_ours(X, y, max_iter=short_iter, tol=None),
        repeat=repeat,
        budget=budget,
    )
    t_long, t_short = long.median, short.median
    ratio = t_long / t_short
    checks.append(
        (
            ratio <= 1.2,
            f"fit(max_iter={long_iter}) <= 1.2x fit(max_iter={short_iter})",
            f"{ratio:.3g}x ({fmt_seconds(t_long)} vs {fmt_seconds(t_short)}; "
            f"best runs: {long.best / short.best:.3g}x)",
        )
    )

    # predict against the bare numpy expression of the same polynomial.
    model = quiet(lambda: QuadraticGDRegressor(max_iter=max_iter).fit(X, y))
    (a, b), c = model.coef_, model.intercept_
    predict = measure(lambda: model.predict(X), repeat=repeat)
    expr = measure(lambda: a * x * x + b * x + c, repeat=repeat)
    t_predict, y_pred, t_expr, y_expr = (
        predict.median,
        predict.result,
        expr.median,
        expr.result,
    )
    assert np.allclose(y_pred, y_expr, rtol=1e-9, atol=1e-9)
    checks.append(
        (
            t_predict <= 1.5 * t_expr,
            "predict <= 1.5x the numpy expression a*x*x + b*x + c",
            f"{t_predict / t_expr:.3g}x ({fmt_seconds(t_predict)} vs "
            f"{fmt_seconds(t_expr)}; best runs: {predict.best / expr.best:.3g}x)",
        )
    )

    # Memory: peak of what fit allocates, next to the size of X.
    peaks = [
        (
            f"QuadraticGDRegressor(max_iter={max_iter}, tol=None).fit",
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


def many_features(n_samples, n_features, seed=0):
    """Additive quadratic data: ``y = X**2 @ a + X @ b + 1 + noise``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    a = rng.uniform(-2, 2, n_features)
    b = rng.uniform(-2, 2, n_features)
    y = X**2 @ a + X @ b + 1.0 + 0.1 * rng.standard_normal(n_samples)
    return X, y


def fit_ours_many(X, y, **params):
    model = QuadraticGDRegressor(**params).fit(X, y)
    return np.r_[model.coef_, model.intercept_], model


def fit_linear_many(X, y):
    lr = LinearRegression().fit(np.hstack([X**2, X]), y)
    return np.r_[lr.coef_, lr.intercept_]


def wide(args, report, checks, n_samples, n_features, target, repeat, warmup):
    print(f"{n_features} features, n={n_samples:,}:", flush=True)
    X, y = many_features(n_samples, n_features)
    ours = measure(
        lambda: fit_ours_many(X, y), repeat=repeat, warmup=warmup, budget=args.budget
    )
    t_ours, runs_ours, (params, model) = ours.median, ours.runs, ours.result
    note = f"precompute_={model.precompute_}"
    print(f"  ours: {fmt_seconds(t_ours)} ({note})", flush=True)
    lr = measure(
        lambda: fit_linear_many(X, y), repeat=repeat, warmup=warmup, budget=args.budget
    )
    t_lr, runs_lr, reference = lr.median, lr.runs, lr.result
    print(f"  LinearRegression: {fmt_seconds(t_lr)}", flush=True)
    error = float(np.max(np.abs(params - reference)) / np.max(np.abs(reference)))
    rows = [
        [
            f"QuadraticGDRegressor() (precompute_={model.precompute_!r})",
            fmt_seconds(t_ours),
            runs_ours,
            "1x",
            f"{model.n_iter_} epochs ({model.stop_reason_})",
            fmt_float(error),
        ],
        [
            "LinearRegression on [X**2, X]",
            fmt_seconds(t_lr),
            runs_lr,
            fmt_ratio(t_lr / t_ours),
            "time includes building [X**2, X]",
            "-",
        ],
    ]
    report.section(f"{n_features} features, {n_samples:,} samples")
    report.paragraph(
        "Data: `X` standard normal, `y = X**2 @ a + X @ b + 1 + noise`. Error: "
        "largest coefficient difference from LinearRegression's, relative to "
        "its largest coefficient."
    )
    report.table(
        ["method", "median time", "runs", "ratio to ours", "note", "rel. error"],
        rows,
    )
    if target == "faster":
        checks.append(
            (
                t_lr / t_ours >= 2,
                f"{n_features} features: >= 2x faster than LinearRegression",
                fmt_ratio(t_lr / t_ours),
            )
        )
    else:
        checks.append(
            (
                t_ours <= 2 * t_lr,
                f"{n_features} features: at most 2x LinearRegression's time "
                f"(precompute_={model.precompute_!r})",
                f"ours / LinearRegression = {t_ours / t_lr:.3g}x",
            )
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None, help="samples (default 1e6)")
    parser.add_argument("--max-iter", type=int, default=1000, help="epochs")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs (5)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="n=1e5, 3 runs, no 2000-feature run; prints without writing results",
    )
    parser.add_argument(
        "--many-features",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the 2000-feature comparison (about a minute; off with --quick)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=20.0,
        help="seconds of timed runs per method before fewer repeats are taken",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="interleaved rounds for the ratio targets (15; 5 with --quick)",
    )
    parser.add_argument("--output", default=None, help="directory for the results")
    args = parser.parse_args(argv)
    if args.n is None:
        args.n = 100_000 if args.quick else 1_000_000
    if args.repeat is None:
        args.repeat = 3 if args.quick else 5
    if args.rounds is None:
        args.rounds = 5 if args.quick else 15
    # The pure-Python loop runs about a microsecond per sample: a few epochs of
    # the full data normally, one epoch of a subsample in --quick mode.
    args.loop_samples = 20_000 if args.quick else args.n
    args.loop_epochs = 1 if args.quick else 2

    command = "python benchmarks/bench_fit.py" + (" --quick" if args.quick else "")
    report = Report("Benchmark: fit", command)
    checks = []
    one_feature(args, report, checks)
    if args.quick:
        wide(args, report, checks, 20_000, 20, "faster", args.repeat, 1)
    else:
        wide(args, report, checks, 200_000, 20, "faster", args.repeat, 1)
        if args.many_features:
            # About a minute per LinearRegression fit: one run each, no warm-up.
            wide(args, report, checks, 50_000, 2000, "within", 1, 0)
    report.section("Targets")
    report.checks(checks)
    report.write("fit", output_directory(args))
    failed = [target for ok, target, _ in checks if not ok]
    print(f"{len(checks) - len(failed)}/{len(checks)} targets passed.")


if __name__ == "__main__":
    main()
