# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The optimizers: epochs to a certified fit, and what an epoch costs.

Two measurements:

- epochs to certify ``tol=1e-6`` with the defaults (``learning_rate="auto"``,
  ``momentum="auto"``) for each solver, on scikit-learn's diabetes and linnerud
  data and on ``make_ill_conditioned``, with the curvature ratio of each loss
  and the fit's time;
- free epochs: ``fit(max_iter=10)`` against ``fit(max_iter=10000, tol=None)`` on
  one feature and 1e6 samples, every solver on the statistics: both read the
  data once, so the ratio is the cost of 9990 epochs of O(p^2) arithmetic next
  to one pass over the data. The two fits of a ratio are timed in turn, round
  after round: times are medians over the rounds, the ratio the median of the
  per-round ratios.

Run ``python benchmarks/bench_optimizers.py`` (about a minute) or ``--quick``
(printed only). Full runs write ``benchmarks/results/optimizers.md`` and
``optimizers.rst``, which the User Guide includes.
"""

import warnings

from _common import (
    Report,
    benchmark_parser,
    fmt_ratio,
    fmt_seconds,
    interleaved,
    output_directory,
)
from sklearn.datasets import load_diabetes, load_linnerud

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_ill_conditioned, make_quadratic

SOLVERS = ("gd", "momentum", "nesterov", "adam")


def datasets():
    diabetes, linnerud = load_diabetes(), load_linnerud()
    return {
        "diabetes (442 x 10)": (diabetes.data, diabetes.target),
        "linnerud (20 x 3, 3 targets)": (linnerud.data, linnerud.target),
        "make_ill_conditioned (1000 x 4)": make_ill_conditioned(random_state=0),
    }


def condition(X, y):
    """The curvature ratio L / m of the loss, from the fitted objective."""
    model = QuadraticGDRegressor(solver="nesterov", max_iter=1, tol=None).fit(X, y)
    # Nesterov's tuned momentum is (sqrt(k) - 1) / (sqrt(k) + 1).
    root = (1 + model.momentum_) / (1 - model.momentum_)
    return root**2


# Interleaved rounds that time each solver's fit in the table of epochs.
TIME_ROUNDS = 5


def epochs_table(report, max_iter):
    rows = []
    for name, (X, y) in datasets().items():
        row = [name, f"{condition(X, y):,.0f}"]
        counts = {}
        times = interleaved(
            {
                solver: lambda solver=solver: QuadraticGDRegressor(
                    solver=solver, max_iter=max_iter
                ).fit(X, y)
                for solver in SOLVERS
            },
            rounds=TIME_ROUNDS,
        )
        for solver in SOLVERS:
            model = QuadraticGDRegressor(solver=solver, max_iter=max_iter)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model.fit(X, y)
            counts[solver] = model.n_iter_
            certified = model.stop_reason_ == "tol" and not caught
            epochs = f"{model.n_iter_:,}" if certified else f"> {max_iter:,} (warned)"
            row.append(f"{epochs} ({fmt_seconds(times.median(solver))})")
        row.append(
            " / ".join(
                fmt_ratio(counts["gd"] / counts[s]) for s in ("momentum", "nesterov")
            )
        )
        rows.append(row)
        print(f"  {name}: {row[1:]}", flush=True)
    report.section("Epochs to a certified fit")
    report.paragraph(
        "Epochs until the training loss is certified within `tol=1e-6` of its "
        'minimum (`stop_reason_ == "tol"`), default parameters but '
        f"`max_iter={max_iter:,}`, and the time of the fit (the median of "
        f"{TIME_ROUNDS} interleaved rounds of every solver's fit; a fit that "
        "warned would say so). Curvature ratio: the largest eigenvalue of the "
        "loss's Hessian (on the standardized features) over the smallest."
    )
    report.table(
        ["data", "curvature ratio", *SOLVERS, "gd / momentum, gd / nesterov"],
        rows,
    )


def free_epochs(report, n_samples, rounds):
    X, y = make_quadratic(n_samples, noise=1.0, random_state=0)
    rows = []
    for solver in SOLVERS:

        def fit(max_iter, solver=solver):
            model = QuadraticGDRegressor(solver=solver, max_iter=max_iter, tol=None)
            return model.fit(X, y)

        times = interleaved(
            {"10": lambda: fit(10), "10000": lambda: fit(10_000)}, rounds=rounds
        )
        rows.append(
            [
                solver,
                fmt_seconds(times.median("10")),
                fmt_seconds(times.median("10000")),
                fmt_ratio(times.ratio("10000", "10")),
            ]
        )
        print(f"  {solver}: {rows[-1][1:]}", flush=True)
    report.section("Free epochs")
    report.paragraph(
        f"One feature, {n_samples:,} samples, `tol=None`, on the statistics "
        "(`precompute_` is True): both fits read the data once, and an epoch "
        "costs O(p^2) arithmetic whatever the number of samples. Plain gradient "
        "descent writes its epochs down in closed form; the other solvers step "
        "through them, an update and a product with the Hessian each. The two "
        f"fits are timed in turn, {rounds} interleaved rounds: times are "
        "medians over the rounds, the ratio the median of the per-round ratios."
    )
    report.table(
        ["solver", "max_iter=10", "max_iter=10,000", "ratio"],
        rows,
    )


def main(argv=None):
    parser = benchmark_parser(__doc__, "1e5 samples, 3 rounds; print only")
    args = parser.parse_args(argv)
    n_samples = 100_000 if args.quick else 1_000_000
    rounds = 3 if args.quick else 11
    command = "python benchmarks/bench_optimizers.py" + (
        " --quick" if args.quick else ""
    )
    report = Report("Benchmark: optimizers", command)
    print("Epochs to a certified fit:", flush=True)
    epochs_table(report, 200_000)
    print("Free epochs:", flush=True)
    free_epochs(report, n_samples, rounds)
    report.write("optimizers", output_directory(args))


if __name__ == "__main__":
    main()
