# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Time QuadraticGDRegressor and its peers as the rows and the features grow.

Two sweeps, each point timing every method in interleaved rounds, in one
process on the same data (times: medians over the rounds; ratios: medians of
the per-round ratios to the default fit):

- n_samples from 1e3 to 1e7, one feature (``make_quadratic(n, noise=1.0)``,
  the article's ``10 x**2 + 5 x + 12`` with noise);
- n_features from 1 to 200 at n_samples=1e5 (``wide_data``: standard normal
  ``X``, an additive quadratic target with noise).

The methods: ``QuadraticGDRegressor()`` with its defaults and with
``solver="newton-cholesky"``; the article's full-batch gradient descent in
vectorised numpy (its learning rate, 0.1, and its 50 epochs; over the columns
``[X**2, X]`` for several features); ``LinearRegression`` and
``Ridge(alpha=1e-10, solver="cholesky")`` on ``np.hstack([X**2, X])``, and
``StandardScaler`` + ``SGDRegressor`` on it (the expansion timed with each);
``QuadraticGDRegressor()`` on a ``dask.array`` of the same data, persisted in
blocks of 8 to 20 MB on a ``LocalCluster`` of two single-threaded workers in
this process (``processes=False``, as the Dask pages of the documentation set
up one machine). A method whose fastest round at the previous size, scaled
to this one (linearly in the rows; in the features, as their square for the
methods that form a Gram and linearly for the article's descent and SGD), would
pass 10 s is not run at that size nor above, and shows as skipped.

Run ``python benchmarks/bench_peers.py`` (a few minutes on two cores) or
``--quick`` (smaller sweeps, prints only: a smoke test). Full runs write
``benchmarks/results/peers.md``, ``peers.rst`` and the figure ``peers.png``.
No targets: the figures are for reading.
"""

import math
import sys
import warnings

import dask
import dask.array as da
import numpy as np
from _common import (
    ARTICLE_EPOCHS,
    Report,
    article_procedure,
    benchmark_parser,
    expanded,
    fmt_ratio,
    fmt_seconds,
    interleaved,
    linear,
    output_directory,
    quiet,
    ridge,
    sgd,
    wide_data,
)
from distributed import Client, LocalCluster, wait

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_quadratic

# Labels of the tables and the figure (the report spells out each method).
OURS = "QuadraticGDRegressor()"
NEWTON = 'solver="newton-cholesky"'
DASK = "QuadraticGDRegressor() on Dask"
ARTICLE = "article's descent, numpy"
LINEAR = "LinearRegression"
RIDGE = "Ridge (cholesky)"
SGD = "SGDRegressor pipeline"
METHODS = [OURS, NEWTON, DASK, ARTICLE, LINEAR, RIDGE, SGD]
# Seconds: a method predicted to take longer is not run at that size.
LIMIT = 10.0
# Seconds: a method predicted to take less is called once before the rounds
# (a first Dask fit of a new shape takes several times the next ones); longer
# calls are not, their first-call costs being noise.
WARMUP_BELOW = 2.0


def ours(X, y, **params):
    model = QuadraticGDRegressor(**params).fit(X, y)
    return np.r_[model.coef_, model.intercept_]


def block_rows(n_features):
    """Rows per Dask block: 8 to 20 MB of X, as in bench_dask.py."""
    return min(10**6, 25 * 10**5 // n_features)


def methods_for(X, y, client):
    """The callables of every method on ``X`` and ``y``, and a Dask copy of them."""
    rows = block_rows(X.shape[1])
    X_dask = da.from_array(X, chunks=(rows, -1))
    y_dask = da.from_array(y, chunks=rows)
    with warnings.catch_warnings():
        # "Sending large graph": the blocks come from this process's memory.
        warnings.simplefilter("ignore", UserWarning)
        X_dask, y_dask = client.persist([X_dask, y_dask])
    wait([X_dask, y_dask])
    # One feature as the article has it: a 1-d x and scalar a, b.
    x = X[:, 0] if X.shape[1] == 1 else X
    return {
        OURS: lambda: ours(X, y),
        NEWTON: lambda: ours(X, y, solver="newton-cholesky"),
        DASK: lambda: ours(X_dask, y_dask),
        ARTICLE: lambda: article_procedure(x, y, ARTICLE_EPOCHS),
        LINEAR: lambda: linear(X, y),
        RIDGE: lambda: ridge(X, y),
        SGD: lambda: sgd(X, y),
    }


def r2(params, X, y):
    """R^2 on the training data of coefficients ``[a..., b..., c]``."""
    with np.errstate(all="ignore"):
        residual = y - expanded(X) @ params[:-1] - params[-1]
        return 1.0 - float(residual @ residual) / float(((y - y.mean()) ** 2).sum())


# How each method's work grows with the number of features: the statistics and
# the least-squares solvers form a Gram, O(n p**2); the article's descent and
# SGD step through the data, O(n p) an epoch. Every method is O(n) in the rows.
FEATURE_GROWTH = {OURS: 2, NEWTON: 2, DASK: 2, ARTICLE: 1, LINEAR: 2, RIDGE: 2, SGD: 1}


def predicted(last, size, growth):
    """Seconds a method would take at ``size``, from its ``last`` point.

    ``last`` is ``(size, fastest round)`` or None; the time is scaled by the
    ratio of the sizes to the power ``growth``. The fastest round, not the
    median: one slow round of a shared machine should not skip a method.
    """
    if last is None:
        return 0.0
    return last[1] * (size / last[0]) ** growth


def sweep(sizes, data, rounds, budget, client, label, growth):
    """One point per size: the medians, ratios and R^2 of every method run.

    ``data(size)`` returns ``X, y``; ``growth`` maps a method to the power of
    the size its time grows as (1 if absent). A method skipped at one size
    (predicted over ``LIMIT``) stays skipped at the larger ones.
    """
    last = dict.fromkeys(METHODS)
    skipped = set()
    points = []
    for size in sizes:
        X, y = data(size)
        funcs = methods_for(X, y, client)
        guess = {
            name: predicted(last[name], size, growth.get(name, 1)) for name in METHODS
        }
        skipped |= {name for name in METHODS if guess[name] > LIMIT}
        funcs = {name: f for name, f in funcs.items() if name not in skipped}
        for name, func in funcs.items():
            if guess[name] < WARMUP_BELOW:
                quiet(func)
        times = interleaved(funcs, rounds=rounds, budget=budget, warmup=False)
        point = {"size": size, "rounds": times.rounds, "median": {}, "ratio": {}}
        point["r2"] = {}
        for name in funcs:
            point["median"][name] = times.median(name)
            point["ratio"][name] = times.ratio(name, OURS)
            point["r2"][name] = r2(times.result[name], X, y)
            last[name] = (size, float(times.wall[name].min()))
        points.append(point)
        print(
            f"  {label}={size:,} ({times.rounds} rounds): "
            + ", ".join(
                f"{name} {fmt_seconds(point['median'].get(name, math.nan))}"
                for name in METHODS
            ),
            flush=True,
        )
    return points


def short(size):
    """1000 -> 1e3, 3000 -> 3e3: a column heading."""
    exponent = int(math.floor(math.log10(size)))
    mantissa = size / 10**exponent
    return f"{mantissa:g}e{exponent}" if exponent >= 3 else str(size)


def fmt_shortfall(r2_value, best):
    """How far an R^2 falls below the best at its point: 0 within 1e-12."""
    if r2_value < 0:
        return "R^2<0"
    gap = best - r2_value
    return "0" if gap < 1e-12 else f"{gap:.1e}"


def tables(report, points, what):
    """Three tables of one sweep: median times, ratios, R^2 (methods as rows)."""
    headers = ["method", *(short(p["size"]) for p in points)]

    def cell(point, name, key, fmt):
        return fmt(point[key][name]) if name in point[key] else "skipped"

    report.paragraph(f"Median time of one fit, by {what}:")
    report.table(
        headers,
        [
            [name, *(cell(p, name, "median", fmt_seconds) for p in points)]
            for name in METHODS
        ]
        + [["interleaved rounds", *(p["rounds"] for p in points)]],
    )
    report.paragraph(f"Ratio to `{OURS}` (above 1: slower), by {what}:")
    report.table(
        headers,
        [
            [name, *(cell(p, name, "ratio", fmt_ratio) for p in points)]
            for name in METHODS
        ],
    )
    report.paragraph(
        "How far each method's R^2 on the training data falls below the best at "
        "that point (the least-squares optimum, which several methods reach), "
        f"by {what}:"
    )
    best = [max(v for v in p["r2"].values() if v == v) for p in points]
    report.table(
        headers,
        [
            [
                name,
                *(
                    fmt_shortfall(p["r2"][name], b) if name in p["r2"] else "skipped"
                    for p, b in zip(points, best)
                ),
            ]
            for name in METHODS
        ],
    )


# (colour, marker, line style, line width): this project's fits in blue shades.
STYLE = {
    OURS: ("C0", "o", "-", 2.5),
    NEWTON: ("C0", "s", "--", 2.0),
    DASK: ("C9", "D", "-", 2.0),
    ARTICLE: ("C3", "v", "-", 1.5),
    LINEAR: ("C2", "^", "-", 1.5),
    RIDGE: ("C1", "P", "-", 1.5),
    SGD: ("C4", "X", "-", 1.5),
}


def seconds_tick(value, _=None):
    """A tick of the time axis in the unit that reads best: 10 ms, 1 s."""
    if value >= 1:
        return f"{value:g} s"
    if value >= 1e-3:
        return f"{value * 1e3:g} ms"
    return f"{value * 1e6:g} \u00b5s"


def count_tick(value, _=None):
    """A tick of the rows axis: 1k, 10k, 1M."""
    for scale, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"


def figure(samples, features, n_samples_features, path):
    """Two log-log panels, time vs rows and vs features, a line per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    with plt.rc_context({"font.size": 13}):
        fig, axes = plt.subplots(1, 2, figsize=(11, 5.6), layout="constrained")
        panels = [
            (axes[0], samples, "rows (n_samples), one feature"),
            (
                axes[1],
                features,
                f"features (n_features), {count_tick(n_samples_features)} rows",
            ),
        ]
        for ax, points, xlabel in panels:
            for name in METHODS:
                run = [p for p in points if name in p["median"]]
                color, marker, linestyle, linewidth = STYLE[name]
                ax.loglog(
                    [p["size"] for p in run],
                    [p["median"][name] for p in run],
                    label=name,
                    color=color,
                    marker=marker,
                    linestyle=linestyle,
                    linewidth=linewidth,
                    markersize=7,
                )
            ax.set_xlabel(xlabel)
            ax.set_ylabel("time of one fit (log scale)")
            ax.yaxis.set_major_formatter(FuncFormatter(seconds_tick))
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.grid(True, which="major", alpha=0.4)
            ax.grid(True, which="minor", alpha=0.12)
        axes[0].xaxis.set_major_formatter(FuncFormatter(count_tick))
        axes[1].xaxis.set_major_locator(FixedLocator([p["size"] for p in features]))
        axes[1].xaxis.set_major_formatter(FuncFormatter(count_tick))
        axes[1].xaxis.set_minor_formatter(NullFormatter())
        axes[0].set_title("Time vs rows")
        axes[1].set_title("Time vs features")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=3, frameon=False)
        fig.savefig(path, dpi=100)
        plt.close(fig)


def main(argv=None):
    parser = benchmark_parser(
        __doc__, "smaller sweeps, 2 rounds; prints only", budget=10.0, per="point"
    )
    parser.add_argument("--rounds", type=int, default=None, help="rounds (5)")
    args = parser.parse_args(argv)
    rounds = args.rounds or (2 if args.quick else 5)
    if args.quick:
        sizes = [10**3, 10**4, 10**5]
        widths, n_samples_features = [1, 5, 20], 10**4
    else:
        sizes = [int(m * 10**e) for e in range(3, 7) for m in (1, 3)] + [10**7]
        widths, n_samples_features = [1, 2, 5, 10, 20, 50, 100, 200], 10**5

    def rows_data(n):
        return make_quadratic(n, noise=1.0, random_state=0)

    def width_data(p):
        return wide_data(n_samples_features, p)

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        print("Time vs n_samples (one feature):", flush=True)
        samples = sweep(sizes, rows_data, rounds, args.budget, client, "n", {})
        print(f"Time vs n_features ({n_samples_features:,} rows):", flush=True)
        features = sweep(
            widths, width_data, rounds, args.budget, client, "p", FEATURE_GROWTH
        )

    command = "python benchmarks/bench_peers.py" + (" --quick" if args.quick else "")
    report = Report("Benchmark: QuadraticGDRegressor and its peers", command)
    report.paragraph(
        "Every method runs in one process on the same data, in interleaved "
        f"rounds (up to {rounds}, fewer once a point has taken {args.budget:g} s; "
        "each round times every method once, in turn, after an untimed call of "
        f"each expected to take under {WARMUP_BELOW:g} s); times are medians over "
        f"the rounds, ratios medians of the per-round ratios to `{OURS}`. "
        "*skipped*: not run, the method's fastest round at the previous size, "
        "scaled to this one (as n; as p^2 for the methods that form a Gram, as p "
        f"for the article's descent and SGD), passing {LIMIT:g} s. The methods:"
    )
    report.paragraph(
        "\n".join(
            [
                f"- `{OURS}`: this project's estimator with its default parameters "
                "(`tol=1e-6`).",
                f'- `{NEWTON}`: `QuadraticGDRegressor(solver="newton-cholesky")`, '
                "one Newton step on the same statistics: the exact least-squares "
                "optimum.",
                f"- `{DASK}`: the default fit on the same data as a `dask.array`, "
                "in blocks of 8 to 20 MB persisted beforehand on a `LocalCluster` "
                "of 2 single-threaded workers in this process (`processes=False`; "
                f"dask {dask.__version__}).",
                f"- `{ARTICLE}`: the article's full-batch gradient descent in "
                f"vectorised numpy, with its learning rate (0.1) and its "
                f"{ARTICLE_EPOCHS} epochs, from zero; for several features the "
                "same arithmetic over the columns `[X**2, X]`. With 0.1 it "
                "diverges from 8 standard normal features on, where the loss's "
                "largest curvature passes 2 / 0.1.",
                f"- `{LINEAR}`, `{RIDGE}`: `LinearRegression()` and "
                '`Ridge(alpha=1e-10, solver="cholesky")` on `np.hstack([X**2, '
                "X])`, built within the timed call.",
                f"- `{SGD}`: `make_pipeline(StandardScaler(), "
                "SGDRegressor(random_state=0))` on the same `np.hstack([X**2, "
                "X])`, built within the timed call.",
            ]
        )
    )
    report.section("Time vs n_samples")
    report.paragraph(
        "One feature: `make_quadratic(n, noise=1.0, random_state=0)`, "
        "y = 10 x^2 + 5 x + 12 + N(0, 1)."
    )
    tables(report, samples, "n_samples")
    report.section("Time vs n_features")
    report.paragraph(
        f"n_samples={n_samples_features:,}: `wide_data(n, p)`, X standard normal, "
        "y = X^2 a + X b + 1 + N(0, 0.1^2)."
    )
    tables(report, features, "n_features")
    report.image("peers.png", "Time of each method vs n_samples and n_features")
    directory = output_directory(args)
    report.write("peers", directory)
    if directory is not None:
        figure(samples, features, n_samples_features, directory / "peers.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
