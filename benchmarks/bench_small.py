# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Time fits on small data, where the fixed cost of a call is what counts.

Grid searches and cross-validation fit many small models: on scikit-learn's
diabetes data without its two-valued ``sex`` column (442 x 9), what a fit costs
is mostly the cost of a call (checks of the parameters and of the input, the
small linear algebra of the statistics, the words of a warning). Four figures,
each against a peer timed side by side in the same process:

1. ``QuadraticGDRegressor(solver="newton-cholesky").fit(X, y)`` against
   ``LinearRegression().fit(np.hstack([X**2, X]), y)``, the expansion timed
   with it;
2. the first fit in a fresh process, once the estimator is imported (each in
   a child process of its own; the import is timed apart);
3. the default fit, ``QuadraticGDRegressor().fit(X, y)`` (gradient descent,
   1000 epochs, and the ConvergenceWarning it gives on this data), against
   the same ``LinearRegression``;
4. ``GridSearchCV`` over 5 learning rates and 5 folds against the same search
   over ``eta0`` of ``make_pipeline(StandardScaler(), SGDRegressor())`` on
   ``[X**2, X]``, both with ``n_jobs=1``.

Every pair runs interleaved: each round times both once, in turn, each time a
batch of calls (a single fit lasts about a millisecond, as long as the timer's
noise on a busy machine); times are per call, medians over the rounds, the
ratio the median of the per-round ratios.

Run ``python benchmarks/bench_small.py`` (about two minutes; writes
``benchmarks/results/small.md`` and ``small.rst``) or ``--quick`` (fewer
rounds, prints only: a smoke test, the targets are not checked).
"""

import json
import os
import subprocess
import sys
import warnings

import numpy as np
from _common import (
    REPOSITORY,
    Report,
    benchmark_parser,
    conclude,
    fmt_ratio,
    fmt_seconds,
    interleaved,
)
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression, SGDRegressor
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_quadneuron import QuadraticGDRegressor

NEWTON_TARGET = 1.2  # times LinearRegression's time
FIRST_CALL_TARGET = 1e-2  # seconds
DEFAULT_TARGET = 2.0  # times LinearRegression's time
SEARCH_TARGET = 0.5  # times the SGDRegressor pipeline's search
# The grid of both searches: gradient descent converges on all five here
# (0.3 diverges on this data).
RATES = [0.001, 0.003, 0.01, 0.03, 0.1]

# A child process: the data, then the estimator's import, then the first fit.
FIRST_CALL = """
import json, sys, time, warnings
import numpy as np
from sklearn.datasets import load_diabetes
X, y = load_diabetes(return_X_y=True)
X = np.delete(X, 1, axis=1)
warnings.simplefilter("ignore")
start = time.perf_counter()
from sklearn_quadneuron import QuadraticGDRegressor
imported = time.perf_counter()
QuadraticGDRegressor(solver=sys.argv[1]).fit(X, y)
first = time.perf_counter()
QuadraticGDRegressor(solver=sys.argv[1]).fit(X, y)
second = time.perf_counter()
print(json.dumps([imported - start, first - imported, second - first]))
"""


def diabetes():
    """Diabetes without its two-valued ``sex`` column (442 x 9)."""
    X, y = load_diabetes(return_X_y=True)
    return np.delete(X, 1, axis=1), y


def batch(func, calls):
    def run():
        for _ in range(calls):
            result = func()
        return result

    return run


def fits(X, y, args):
    """Figures 1 and 3: per-call times of the three fits, interleaved."""

    def newton():
        return QuadraticGDRegressor(solver="newton-cholesky").fit(X, y)

    def default():
        # As a user gets it: the ConvergenceWarning is issued (and ignored).
        return QuadraticGDRegressor().fit(X, y)

    def linear_regression():
        return LinearRegression().fit(np.hstack([X**2, X]), y)

    calls = args.calls
    rounds = interleaved(
        {
            "newton": batch(newton, calls),
            "default": batch(default, calls),
            "linear": batch(linear_regression, calls),
        },
        rounds=args.rounds,
        budget=args.budget,
    )
    return rounds, calls


def searches(X, y, args):
    """Figure 4: the two grid searches, interleaved."""
    Z = np.hstack([X**2, X])

    def ours():
        search = GridSearchCV(
            QuadraticGDRegressor(), {"learning_rate": RATES}, cv=5, n_jobs=1
        )
        return search.fit(X, y)

    def sgd():
        pipe = make_pipeline(StandardScaler(), SGDRegressor(random_state=0))
        search = GridSearchCV(pipe, {"sgdregressor__eta0": RATES}, cv=5, n_jobs=1)
        return search.fit(Z, y)

    return interleaved(
        {"ours": ours, "sgd": sgd}, rounds=args.rounds, budget=args.budget
    )


def first_calls(solver, runs):
    """Import and first-fit times in fresh processes (medians over ``runs``)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPOSITORY), *filter(None, [env.get("PYTHONPATH")])]
    )
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", FIRST_CALL, solver],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        times.append(json.loads(done.stdout.splitlines()[-1]))
    return np.median(np.asarray(times), axis=0), len(times)


def main(argv=None):
    parser = benchmark_parser(
        __doc__, "3 rounds, 3 child processes; prints only", budget=60.0
    )
    parser.add_argument("--rounds", type=int, default=None, help="rounds (15; 3)")
    parser.add_argument("--calls", type=int, default=20, help="fits per timed batch")
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 3 if args.quick else 15
    X, y = diabetes()

    rounds, calls = fits(X, y, args)
    search = searches(X, y, args)
    first = {
        solver: first_calls(solver, 3 if args.quick else 9)
        for solver in ("newton-cholesky", "gd")
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default_model = QuadraticGDRegressor().fit(X, y)

    command = "python benchmarks/bench_small.py" + (" --quick" if args.quick else "")
    report = Report("Benchmark: the fixed cost of a fit on small data", command)
    report.section("Fits on diabetes (442 x 9)")
    report.paragraph(
        "Per fit: medians over interleaved rounds, each timing a batch of "
        f"{calls} fits of each in turn; the ratio is the median of the "
        "per-round ratios to LinearRegression().fit(np.hstack([X**2, X]), y), "
        "the expansion timed with it. The default fit runs 1000 epochs of "
        f"gradient descent and stops on {default_model.stop_reason_!r} with a "
        "ConvergenceWarning, issued in every fit."
    )
    newton_ratio = rounds.ratio("newton", "linear")
    default_ratio = rounds.ratio("default", "linear")
    rows = [
        [
            "QuadraticGDRegressor(solver='newton-cholesky')",
            fmt_seconds(rounds.median("newton") / calls),
            fmt_ratio(newton_ratio),
        ],
        [
            "QuadraticGDRegressor() (default)",
            fmt_seconds(rounds.median("default") / calls),
            fmt_ratio(default_ratio),
        ],
        [
            "LinearRegression on [X**2, X]",
            fmt_seconds(rounds.median("linear") / calls),
            "1x",
        ],
    ]
    report.table(["fit", "time per fit", "ratio"], rows)
    report.paragraph(f"{rounds.rounds} rounds.")

    report.section("The first fit in a fresh process")
    report.paragraph(
        "A child process loads the data (importing scikit-learn), imports the "
        "estimator (from sklearn_quadneuron import QuadraticGDRegressor), then "
        "fits twice. Medians over the processes."
    )
    rows = [
        [
            solver,
            fmt_seconds(times[0]),
            fmt_seconds(times[1]),
            fmt_seconds(times[2]),
            str(runs),
        ]
        for solver, (times, runs) in first.items()
    ]
    report.table(["solver", "import", "first fit", "second fit", "processes"], rows)

    report.section("Grid search")
    report.paragraph(
        "GridSearchCV(QuadraticGDRegressor(), {'learning_rate': RATES}, cv=5) "
        "on X against GridSearchCV(make_pipeline(StandardScaler(), "
        "SGDRegressor()), {'sgdregressor__eta0': RATES}, cv=5) on [X**2, X], "
        f"RATES = {RATES}, n_jobs=1: 25 fits and a refit each."
    )
    search_ratio = search.ratio("ours", "sgd")
    report.table(
        ["search", "time", "ratio"],
        [
            ["QuadraticGDRegressor", fmt_seconds(search.median("ours")), ""],
            ["StandardScaler + SGDRegressor", fmt_seconds(search.median("sgd")), ""],
            ["ratio", "", fmt_ratio(search_ratio)],
        ],
    )
    report.paragraph(f"{search.rounds} rounds.")

    checks = [
        (
            newton_ratio <= NEWTON_TARGET,
            f"newton-cholesky at most {NEWTON_TARGET:g} times LinearRegression's time",
            fmt_ratio(newton_ratio),
        ),
    ]
    for solver, (times, _) in first.items():
        checks.append(
            (
                times[1] < FIRST_CALL_TARGET,
                f"first fit ({solver}) after the import under "
                f"{fmt_seconds(FIRST_CALL_TARGET)}",
                fmt_seconds(times[1]),
            )
        )
    checks += [
        (
            default_ratio <= DEFAULT_TARGET,
            f"default fit at most {DEFAULT_TARGET:g} times LinearRegression's time",
            fmt_ratio(default_ratio),
        ),
        (
            search_ratio <= SEARCH_TARGET,
            f"grid search at most {SEARCH_TARGET:g} times the SGDRegressor pipeline's",
            fmt_ratio(search_ratio),
        ),
    ]
    return conclude(report, "small", checks, args)


if __name__ == "__main__":
    sys.exit(main())
