# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The statistics pass: how fast QuadraticGDRegressor gathers its statistics.

Every fit on the statistics reads the data once into them, and again where
the Gram cannot resolve the fit. Each comparison runs in one process,
interleaved with its peers (each round times every method once, in turn);
times are medians over the rounds, ratios medians of the per-round ratios:

- **one feature** (``make_quadratic``, 1e6 samples):
  ``fit(max_iter=1000, tol=None)`` against one read of the data,
  ``x.sum() + y.sum()``;
- **20 and 100 features** (2e5 and 1e5 samples, additive quadratic data):
  ``fit(max_iter=1000, tol=None, precompute=True)`` against numpy's Gram
  ``Z.T @ Z`` of ``Z = [X**2, X, y]`` (built beforehand, not timed);
- **1000 features** (2e4 samples): ``fit`` with ``solver="newton-cholesky"``
  against building ``[X**2, X]`` and fitting ``Ridge(alpha=1e-10,
  solver="cholesky")`` on it, timed together;
- **extra passes**: the same shapes with the first row of ``X`` set to 1e6, one
  far point, which leaves the Gram unable to resolve the fit: the first pass
  (``_accumulation.gather``) against the second (``_accumulation.second_pass``,
  given the first pass's statistics, computed before the rounds); whether
  ``_statistics.needs_second_pass`` asks for it (at ``tol=1e-6``) on the data
  with and without the far point; and the whole newton-cholesky fit with the
  far point against the same fit without it (not timed where the far point
  leaves the fit unrepresentable in float64: it then raises ValueError); then
  the other data that needs a second pass: two clusters 1e6 apart, and a
  near-collinear pair of features, with the route the second pass takes.

The statistics pass alone (``gather``) is timed beside the fits, to show its
share of them.

Run ``python benchmarks/bench_statistics.py`` (a few minutes; writes
``benchmarks/results/statistics.md`` and ``statistics.rst``) or ``--quick``
(smaller problems, up to 200 features; prints only: a smoke test, the targets
are not checked).
"""

import sys

import numpy as np
from _common import (
    Report,
    benchmark_parser,
    conclude,
    fmt_ratio,
    fmt_seconds,
    interleaved,
    quiet,
    wide_data,
)
from sklearn.linear_model import Ridge

import sklearn_quadneuron._statistics as statistics_module
from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron._statistics import gather, needs_second_pass, second_pass
from sklearn_quadneuron.datasets import make_quadratic

# The fit on one feature may take this many times one read of the data (the
# target of bench_fit.py).
READ_RATIO_TARGET = 5
# The 1000-epoch fit on the statistics may take this many times Z.T @ Z.
GRAM_RATIO_TARGET = 2
# The newton-cholesky fit may take this many times Ridge on [X**2, X].
RIDGE_RATIO_TARGET = 1
# The second pass may take this many times the first.
SECOND_PASS_RATIO_TARGET = 1.5
# The tolerance at which needs_second_pass is asked.
TOL = 1e-6
# The value of the far point, in every column of the first row.
FAR = 1e6

# (n_features, n_samples, rounds) of a full run; of a quick one.
FULL = {
    "read": (1, 1_000_000, 15),
    "gram": [(20, 200_000, 7), (100, 100_000, 7)],
    "ridge": (1000, 20_000, 3),
    "passes": [(1, 1_000_000, 7), (20, 200_000, 7), (100, 100_000, 5)]
    + [(1000, 20_000, 3)],
    "other passes": [(1, 1_000_000, 7), (20, 200_000, 7), (100, 100_000, 5)],
}
QUICK = {
    "read": (1, 100_000, 3),
    "gram": [(20, 20_000, 3), (100, 5_000, 3)],
    "ridge": (200, 4_000, 3),
    "passes": [(1, 100_000, 3), (20, 20_000, 3), (100, 5_000, 3), (200, 4_000, 3)],
    "other passes": [(1, 100_000, 3), (20, 20_000, 3)],
}


def data(n_samples, n_features):
    """``make_quadratic`` for one feature, :func:`wide_data` for more."""
    if n_features == 1:
        return make_quadratic(n_samples, noise=1.0, random_state=0)
    return wide_data(n_samples, n_features)


def with_far_point(X):
    """A copy of ``X`` whose first row is ``FAR`` in every column."""
    far = X.copy()
    far[0] = FAR
    return far


def fit(X, y, **params):
    return QuadraticGDRegressor(**params).fit(X, y)


def ridge(X, y):
    return Ridge(alpha=1e-10, solver="cholesky").fit(np.hstack([X**2, X]), y)


def sci(value):
    """A power of ten as written in the code: ``1e-6``, ``1e6``."""
    return f"{value:.0e}".replace("e+0", "e").replace("e-0", "e-")


def shape(n, p):
    return f"{n:,} x {p}"


def many_seconds(p):
    """Calls of many seconds get no warm-up call: their first-call costs are noise."""
    return p >= 1000


FIT = "QuadraticGDRegressor(max_iter=1000, tol=None).fit"
FIT_STATS = "QuadraticGDRegressor(max_iter=1000, tol=None, precompute=True).fit"
NEWTON = 'QuadraticGDRegressor(solver="newton-cholesky").fit'
PASS = "statistics pass (gather)"
READ = "x.sum() + y.sum()"
GRAM = "Z.T @ Z"
RIDGE = 'np.hstack([X**2, X]) + Ridge(alpha=1e-10, solver="cholesky")'
FIRST = "first pass (gather)"
SECOND = "second pass (second_pass)"
FAR_FIT = "newton-cholesky fit, far point"
PLAIN_FIT = "newton-cholesky fit, no far point"


def rows_of(times, names, denominator):
    return [
        [
            name,
            fmt_seconds(times.median(name)),
            fmt_ratio(times.ratio(name, denominator)),
        ]
        for name in names
    ]


def one_feature(case, budget, report, checks):
    p, n, rounds = case
    print(f"One feature, n={n:,}, up to {rounds} rounds:", flush=True)
    X, y = data(n, p)
    x, Y = X[:, 0], y[:, None]
    methods = {
        FIT: lambda: fit(X, y, max_iter=1000, tol=None),
        PASS: lambda: gather(X, Y, None),
        READ: lambda: x.sum() + y.sum(),
    }
    times = interleaved(methods, rounds=rounds, budget=budget)
    for name in methods:
        print(f"  {name}: {fmt_seconds(times.median(name))}", flush=True)
    report.section(f"One feature, {n:,} samples ({times.rounds} rounds)")
    report.paragraph(
        f"Data: `make_quadratic({n}, noise=1.0, random_state=0)`. The fit against "
        "one read of the data, the floor of any method that reads it."
    )
    report.table(
        ["method", "median time", "ratio to one read"],
        rows_of(times, methods, READ),
    )
    ratio = times.ratio(FIT, READ)
    checks.append(
        (
            ratio <= READ_RATIO_TARGET,
            f"one feature, {shape(n, p)}: fit(max_iter=1000, tol=None) <= "
            f"{READ_RATIO_TARGET}x one read of the data ({READ})",
            f"{fmt_ratio(ratio)} (process CPU time: "
            f"{fmt_ratio(times.ratio(FIT, READ, clock='cpu'))}; the statistics "
            f"pass: {fmt_ratio(times.ratio(PASS, READ))})",
        )
    )


def against_gram(cases, budget, report, checks):
    for p, n, rounds in cases:
        print(f"{p} features, n={n:,}, up to {rounds} rounds:", flush=True)
        X, y = data(n, p)
        Y = y[:, None]
        Z = np.hstack([X**2, X, Y])
        methods = {
            FIT_STATS: lambda: fit(X, y, max_iter=1000, tol=None, precompute=True),
            PASS: lambda: gather(X, Y, None),
            GRAM: lambda: Z.T @ Z,
        }
        times = interleaved(
            methods, rounds=rounds, budget=budget, warmup=not many_seconds(p)
        )
        for name in methods:
            print(f"  {name}: {fmt_seconds(times.median(name))}", flush=True)
        report.section(f"{p} features, {n:,} samples ({times.rounds} rounds)")
        report.paragraph(
            "Data: `X` standard normal, `y = X**2 @ a + X @ b + 1 + noise`. "
            "`Z = np.hstack([X**2, X, y[:, None]])` is built before the rounds; "
            "its Gram runs on BLAS's own threads."
        )
        report.table(
            ["method", "median time", "ratio to Z.T @ Z"],
            rows_of(times, methods, GRAM),
        )
        ratio = times.ratio(FIT_STATS, GRAM)
        checks.append(
            (
                ratio <= GRAM_RATIO_TARGET,
                f"{p} features, {shape(n, p)}: fit(max_iter=1000, tol=None, "
                f"precompute=True) <= {GRAM_RATIO_TARGET}x {GRAM}",
                f"{fmt_ratio(ratio)} (the statistics pass: "
                f"{fmt_ratio(times.ratio(PASS, GRAM))})",
            )
        )


def against_ridge(case, budget, report, checks):
    p, n, rounds = case
    print(f"{p} features, n={n:,}, up to {rounds} rounds:", flush=True)
    X, y = data(n, p)
    Y = y[:, None]
    methods = {
        NEWTON: lambda: fit(X, y, solver="newton-cholesky"),
        PASS: lambda: gather(X, Y, None),
        RIDGE: lambda: ridge(X, y),
    }
    times = interleaved(
        methods, rounds=rounds, budget=budget, warmup=not many_seconds(p)
    )
    for name in methods:
        print(f"  {name}: {fmt_seconds(times.median(name))}", flush=True)
    model = times.result[NEWTON]
    report.section(f"{p} features, {n:,} samples ({times.rounds} rounds)")
    report.paragraph(
        "Data as above. One Newton step on the statistics against scikit-learn's "
        "Cholesky solve on the expanded features, whose construction is timed "
        f"with it. The fit stopped with `stop_reason_ == {model.stop_reason_!r}`."
    )
    report.table(
        ["method", "median time", "ratio to Ridge"],
        rows_of(times, methods, RIDGE),
    )
    ratio = times.ratio(NEWTON, RIDGE)
    checks.append(
        (
            ratio <= RIDGE_RATIO_TARGET,
            f'{p} features, {shape(n, p)}: fit(solver="newton-cholesky") <= '
            f"{RIDGE_RATIO_TARGET}x np.hstack([X**2, X]) + Ridge",
            f"{fmt_ratio(ratio)} (the statistics pass: "
            f"{fmt_ratio(times.ratio(PASS, RIDGE))})",
        )
    )


def extra_passes(cases, budget, report, checks):
    rows = []
    for p, n, rounds in cases:
        print(
            f"Extra passes, {shape(n, p)}, up to {rounds} rounds:",
            flush=True,
        )
        X, y = data(n, p)
        far = with_far_point(X)
        Y = y[:, None]
        first = gather(far, Y, None)
        needed_far = needs_second_pass(first, TOL)
        needed_plain = needs_second_pass(gather(X, Y, None), TOL)
        print(
            f"  needs_second_pass: {needed_far} with the far point, "
            f"{needed_plain} without",
            flush=True,
        )
        methods = {
            FIRST: lambda: gather(far, Y, None),
            SECOND: lambda: second_pass(far, Y, None, first),
            FAR_FIT: lambda: fit(far, y, solver="newton-cholesky"),
            PLAIN_FIT: lambda: fit(X, y, solver="newton-cholesky"),
        }
        # The far point may leave the fit unrepresentable in float64 (it then
        # raises ValueError): the fits are timed only where both succeed.
        try:
            far_stop = quiet(methods[FAR_FIT]).stop_reason_
        except ValueError:
            far_stop = "raises ValueError"
            del methods[FAR_FIT], methods[PLAIN_FIT]
        times = interleaved(
            methods, rounds=rounds, budget=budget, warmup=not many_seconds(p)
        )
        for name in methods:
            print(f"  {name}: {fmt_seconds(times.median(name))}", flush=True)
        fitted = FAR_FIT in methods
        ratio = times.ratio(SECOND, FIRST)
        rows.append(
            [
                shape(n, p),
                fmt_seconds(times.median(FIRST)),
                fmt_seconds(times.median(SECOND)),
                fmt_ratio(ratio),
                str(needed_far),
                str(needed_plain),
                fmt_seconds(times.median(FAR_FIT)) if fitted else "-",
                fmt_seconds(times.median(PLAIN_FIT)) if fitted else "-",
                fmt_ratio(times.ratio(FAR_FIT, PLAIN_FIT)) if fitted else "-",
                far_stop,
                str(times.rounds),
            ]
        )
        checks += [
            (
                ratio <= SECOND_PASS_RATIO_TARGET,
                f"far point, {shape(n, p)}: second pass <= "
                f"{SECOND_PASS_RATIO_TARGET}x the first",
                fmt_ratio(ratio),
            ),
            (
                not needed_plain,
                f"{shape(n, p)} without the far point: needs_second_pass("
                f"gather(X, Y, None), {sci(TOL)}) is False (no pass that is not "
                "needed)",
                f"{needed_plain} (with the far point: {needed_far})",
            ),
        ]
    report.section("Extra passes: one far point")
    report.paragraph(
        f"The data of the sections above with the first row of `X` set to {sci(FAR)} "
        "in every column (`y` unchanged). First pass: `gather(X, Y, None)`; "
        "second pass: `second_pass(X, Y, None, first)`, `first` the first "
        "pass's statistics, computed before the rounds. `needs_second_pass` is "
        f"asked at `tol={sci(TOL)}`, on the first pass's statistics of the data with "
        "and without the far point. The two newton-cholesky fits (whose "
        "ratio is not a target) read the data once, and the fit with the far "
        "point again where it needs it; where the far point leaves the fit "
        "unrepresentable in float64 (it raises ValueError), neither fit is "
        "timed. The timed methods share the same rounds."
    )
    report.table(
        [
            "samples x features",
            "first pass",
            "second pass",
            "second / first",
            "needs second pass, far point",
            "needs second pass, no far point",
            "fit, far point",
            "fit, no far point",
            "fit far / fit plain",
            "stop reason, far point",
            "rounds",
        ],
        rows,
    )


# Which way the second pass reads the rows, by the function that succeeds.
ROUTES = {
    "_far_apart": "far rows apart",
    "_cholesky_qr2": "CholeskyQR2",
    "_householder": "Householder QR",
}


def route_of(X, Y, first):
    """The route :func:`second_pass` takes on these rows (one untimed call)."""
    taken = []
    originals = {name: getattr(statistics_module, name) for name in ROUTES}

    def spy(name):
        def call(*args, **kwargs):
            result = originals[name](*args, **kwargs)
            if result is not None:
                taken.append(ROUTES[name])
            return result

        return call

    try:
        for name in ROUTES:
            setattr(statistics_module, name, spy(name))
        second_pass(X, Y, None, first)
    finally:
        for name, function in originals.items():
            setattr(statistics_module, name, function)
    return taken[-1] if taken else "none"


def far_clusters(X):
    """A copy of ``X`` whose second half of rows lies ``FAR`` away."""
    out = X.copy()
    out[X.shape[0] // 2 :] += FAR
    return out


def near_collinear(X):
    """A copy of ``X`` whose second column is the first plus 1e-6 noise."""
    out = X.copy()
    noise = np.random.default_rng(1).standard_normal(X.shape[0])
    out[:, 1] = out[:, 0] + 1e-6 * noise
    return out


def other_passes(cases, budget, report, checks):
    rows = []
    for p, n, rounds in cases:
        X, y = data(n, p)
        Y = y[:, None]
        kinds = {f"two clusters {sci(FAR)} apart": far_clusters(X)}
        if p >= 2:
            kinds["near-collinear pair (1e-6)"] = near_collinear(X)
        for kind, Xk in kinds.items():
            print(f"Extra passes, {kind}, {shape(n, p)}:", flush=True)
            first = gather(Xk, Y, None)
            needed = needs_second_pass(first, TOL)
            route = route_of(Xk, Y, first) if needed else "-"
            methods = {
                FIRST: lambda Xk=Xk: gather(Xk, Y, None),
                SECOND: lambda Xk=Xk, first=first: second_pass(Xk, Y, None, first),
            }
            times = interleaved(methods, rounds=rounds, budget=budget)
            ratio = times.ratio(SECOND, FIRST)
            rows.append(
                [
                    kind,
                    shape(n, p),
                    str(needed),
                    route,
                    fmt_seconds(times.median(FIRST)),
                    fmt_seconds(times.median(SECOND)),
                    fmt_ratio(ratio),
                    str(times.rounds),
                ]
            )
            checks.append(
                (
                    ratio <= SECOND_PASS_RATIO_TARGET,
                    f"{kind}, {shape(n, p)}: second pass ({route}) <= "
                    f"{SECOND_PASS_RATIO_TARGET}x the first",
                    fmt_ratio(ratio),
                )
            )
    report.section("Extra passes: clusters far apart, a near-collinear pair")
    report.paragraph(
        "Data whose Gram cannot resolve the fit without a far point: the "
        f"second half of the rows {sci(FAR)} away in every column, and (from "
        "two features) the second feature the first plus 1e-6 times standard "
        "normal noise. The route is the way the second pass reads the rows: "
        "CholeskyQR2 solves each block against the first factor (a "
        "triangular solve) and sums the products of the result, twice the "
        "arithmetic of the first pass's products; Householder QR of the rows "
        "costs twice it too. Where the first pass runs at the speed of BLAS "
        "(many features), no factor of the rows themselves costs less than "
        "twice it."
    )
    report.table(
        [
            "data",
            "samples x features",
            "needs second pass",
            "route",
            "first pass",
            "second pass",
            "second / first",
            "rounds",
        ],
        rows,
    )


def main(argv=None):
    parser = benchmark_parser(
        __doc__,
        "smaller problems, up to 200 features; prints only; targets not checked",
        budget=120.0,
    )
    args = parser.parse_args(argv)
    cases = QUICK if args.quick else FULL

    command = "python benchmarks/bench_statistics.py" + (
        " --quick" if args.quick else ""
    )
    report = Report("Benchmark: the statistics pass", command)
    report.paragraph(
        "Each comparison runs its methods in interleaved rounds (each round "
        "times every method once, in turn); times are medians over the rounds, "
        "ratios medians of the per-round ratios. The statistics pass alone, "
        "`gather(X, y[:, None], None)`, is timed beside each fit."
    )
    checks = []
    one_feature(cases["read"], args.budget, report, checks)
    against_gram(cases["gram"], args.budget, report, checks)
    against_ridge(cases["ridge"], args.budget, report, checks)
    extra_passes(cases["passes"], args.budget, report, checks)
    other_passes(cases["other passes"], args.budget, report, checks)
    return conclude(report, "statistics", checks, args)


if __name__ == "__main__":
    sys.exit(main())
