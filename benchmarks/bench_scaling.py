# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""How the time and memory of QuadraticGDRegressor.fit grow with the problem.

Three sweeps, each point timed in interleaved rounds with what it is compared
to (times: medians over the rounds; ratios: medians of per-round ratios), and a
tracemalloc peak:

- n_samples from 1e4 to 1e7, one feature, 1000 epochs (``tol=None``), next to
  the ``x.sum() + y.sum()`` pass that bounds any method reading the data;
- n_features from 1 to 200 at n_samples=1e5, with ``precompute=True`` and
  ``precompute=False`` (default ``tol``);
- max_iter from 10 to 1e5 at n_samples=1e6 (``tol=None``).

Run ``python benchmarks/bench_scaling.py`` (a few minutes) or ``--quick`` (about
half a minute, printed only). Full runs write ``benchmarks/results/scaling.md``,
``scaling.rst`` and the figure ``scaling.png``.
"""

import numpy as np
from _common import (
    Report,
    benchmark_parser,
    fmt_seconds,
    interleaved,
    output_directory,
    peak_memory,
)

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_quadratic


def fit(X, y, **params):
    return QuadraticGDRegressor(**params).fit(X, y)


def mib(n_bytes):
    return f"{n_bytes / 2**20:.3g} MiB"


def sweep_samples(sizes, repeat, budget):
    rows = []
    for n in sizes:
        X, y = make_quadratic(n, noise=1.0, random_state=0)
        x = X[:, 0]
        times = interleaved(
            {
                "fit": lambda: fit(X, y, max_iter=1000, tol=None),
                "floor": lambda: x.sum() + y.sum(),
            },
            rounds=repeat,
            budget=budget,
        )
        peak = peak_memory(lambda: fit(X, y, max_iter=1000, tol=None))
        rows.append(
            (
                n,
                times.median("fit"),
                times.rounds,
                times.median("floor"),
                times.ratio("fit", "floor"),
                peak,
                X.nbytes,
            )
        )
        print(f"  n={n:,}: {fmt_seconds(rows[-1][1])}, peak {mib(peak)}", flush=True)
    return rows


def sweep_features(widths, n_samples, repeat, budget):
    rng = np.random.default_rng(0)
    rows = []
    for p in widths:
        X = rng.standard_normal((n_samples, p))
        y = X**2 @ rng.uniform(-2, 2, p) + X @ rng.uniform(-2, 2, p) + 1.0
        y += 0.1 * rng.standard_normal(n_samples)
        auto = fit(X, y).precompute_
        times = interleaved(
            {
                flag: (lambda flag=flag: fit(X, y, precompute=flag))
                for flag in (True, False)
            },
            rounds=repeat,
            budget=budget,
        )
        row = [p, auto]
        for flag in (True, False):
            peak = peak_memory(lambda: fit(X, y, precompute=flag))
            model = times.result[flag]
            row += [times.median(flag), times.rounds, model.n_iter_, peak]
        row.append(X.nbytes)
        rows.append(row)
        print(
            f"  p={p}: precompute=True {fmt_seconds(row[2])}, False "
            f"{fmt_seconds(row[6])} (auto: {auto})",
            flush=True,
        )
    return rows


def sweep_epochs(epochs, n_samples, repeat, budget):
    X, y = make_quadratic(n_samples, noise=1.0, random_state=0)
    rows = []
    for k in epochs:
        times = interleaved(
            {
                "k": lambda: fit(X, y, max_iter=k, tol=None),
                "10": lambda: fit(X, y, max_iter=10, tol=None),
            },
            rounds=repeat,
            budget=budget,
        )
        rows.append((k, times.median("k"), times.rounds, times.ratio("k", "10")))
        print(f"  max_iter={k:,}: {fmt_seconds(rows[-1][1])}", flush=True)
    return rows


def figure(samples, features, epochs, n_features_samples, n_epochs_samples, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
    ax = axes[0]
    n = [r[0] for r in samples]
    ax.loglog(n, [r[1] for r in samples], "o-", label="fit, 1000 epochs")
    ax.loglog(n, [r[3] for r in samples], "s--", label="x.sum() + y.sum()")
    ax.set_xlabel("n_samples")
    ax.set_ylabel("seconds")
    ax.set_title("One feature: time vs n_samples")
    ax.legend()

    ax = axes[1]
    p = [r[0] for r in features]
    ax.loglog(p, [r[2] for r in features], "o-", label="precompute=True")
    ax.loglog(p, [r[6] for r in features], "s-", label="precompute=False")
    ax.set_xlabel("n_features")
    ax.set_ylabel("seconds")
    ax.set_title(f"n_samples={n_features_samples:,}: time vs n_features")
    ax.legend()

    ax = axes[2]
    k = [r[0] for r in epochs]
    ax.loglog(k, [r[1] for r in epochs], "o-", label="fit, tol=None")
    ax.set_xlabel("max_iter (epochs run)")
    ax.set_ylabel("seconds")
    ax.set_title(f"n_samples={n_epochs_samples:,}: time vs epochs")
    ax.legend()
    for ax in axes:
        ax.grid(True, which="both", alpha=0.3)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    parser = benchmark_parser(
        __doc__, "smaller ranges; prints only", budget=10.0, per="point"
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help="interleaved rounds (5)"
    )
    args = parser.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 5)
    if args.quick:
        sizes = [10**4, 10**5, 10**6]
        widths = [1, 5, 20, 50]
        epochs = [10, 100, 1000, 10_000]
        n_features_samples, n_epochs_samples = 20_000, 100_000
    else:
        sizes = [10**4, 3 * 10**4, 10**5, 3 * 10**5, 10**6, 3 * 10**6, 10**7]
        widths = [1, 2, 5, 10, 20, 50, 100, 200]
        epochs = [10, 100, 1000, 10_000, 100_000]
        n_features_samples, n_epochs_samples = 100_000, 1_000_000

    print("Time vs n_samples:", flush=True)
    samples = sweep_samples(sizes, repeat, args.budget)
    print("Time vs n_features:", flush=True)
    features = sweep_features(widths, n_features_samples, repeat, args.budget)
    print("Time vs max_iter:", flush=True)
    epoch_rows = sweep_epochs(epochs, n_epochs_samples, repeat, args.budget)

    command = "python benchmarks/bench_scaling.py" + (" --quick" if args.quick else "")
    report = Report("Benchmark: scaling of fit", command)
    report.section("Time and memory vs n_samples")
    report.paragraph(
        "One feature, `make_quadratic(n, noise=1.0)`, "
        "`QuadraticGDRegressor(max_iter=1000, tol=None)`: exactly 1000 epochs, "
        "interleaved with `x.sum() + y.sum()` (one read of the data). Times "
        "are medians over the rounds, ratios medians of the per-round ratios. "
        "The memory peak is traced by tracemalloc during fit."
    )
    report.table(
        [
            "n_samples",
            "fit",
            "rounds",
            "x.sum() + y.sum()",
            "fit / sum pass",
            "peak memory",
            "peak / X.nbytes",
        ],
        [
            [
                f"{n:,}",
                fmt_seconds(t),
                runs,
                fmt_seconds(floor),
                f"{ratio:.3g}",
                mib(peak),
                f"{peak / nbytes:.3g}",
            ]
            for n, t, runs, floor, ratio, peak, nbytes in samples
        ],
    )
    report.section("Time and memory vs n_features")
    report.paragraph(
        f"n_samples={n_features_samples:,}, `X` standard normal, additive quadratic "
        "target with noise; default parameters (`tol=1e-6`) with `precompute=True` "
        'and `precompute=False`, interleaved. "auto" is the `precompute_` that '
        '`precompute="auto"` picks.'
    )
    report.table(
        [
            "n_features",
            "auto",
            "True",
            "epochs",
            "peak",
            "False",
            "epochs",
            "peak",
            "X.nbytes",
        ],
        [
            [
                p,
                auto,
                fmt_seconds(t_s),
                it_s,
                mib(peak_s),
                fmt_seconds(t_d),
                it_d,
                mib(peak_d),
                mib(nbytes),
            ]
            for p, auto, t_s, _, it_s, peak_s, t_d, _, it_d, peak_d, nbytes in features
        ],
    )
    report.section("Time vs number of epochs")
    report.paragraph(
        f"One feature, n_samples={n_epochs_samples:,}, `tol=None`: exactly max_iter "
        "epochs, each interleaved with `max_iter=10`. Once the statistics are "
        "gathered, an epoch does not read the data."
    )
    report.table(
        ["max_iter", "fit", "rounds", "ratio to max_iter=10"],
        [
            [f"{k:,}", fmt_seconds(t), runs, f"{ratio:.3g}"]
            for k, t, runs, ratio in epoch_rows
        ],
    )
    report.image("scaling.png", "Time of fit vs n_samples, n_features, max_iter")
    directory = output_directory(args)
    report.write("scaling", directory)
    if directory is not None:
        figure(
            samples,
            features,
            epoch_rows,
            n_features_samples,
            n_epochs_samples,
            directory / "scaling.png",
        )


if __name__ == "__main__":
    main()
