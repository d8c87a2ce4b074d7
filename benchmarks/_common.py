# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Timing, memory and report helpers shared by the benchmark scripts.

The basis of every figure: the competitors of a comparison run in turn, round
after round, in one process on the same data (:func:`interleaved`); a time is
the median over the rounds, and a ratio the median of the per-round ratios, so
that every competitor sees the same load of a shared machine. A warm-up call of
each keeps imports, caches and first-touch page faults out of the figures.
"""

import argparse
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.linear_model import LinearRegression, Ridge, SGDRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# The scripts measure the package of this checkout, not an installed copy.
REPOSITORY = Path(__file__).resolve().parents[1]
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))


def wide_data(n_samples, n_features, seed=0):
    """Additive quadratic data: ``y = X**2 @ a + X @ b + 1 + noise``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    a = rng.uniform(-2, 2, n_features)
    b = rng.uniform(-2, 2, n_features)
    y = X**2 @ a + X @ b + 1.0 + 0.1 * rng.standard_normal(n_samples)
    return X, y


# The article's step size on the raw [x**2, x, 1]: stable on one standard normal
# feature, whose loss Hessian has largest eigenvalue about 6.8 (steps below
# 2 / 6.8). Over the columns [X**2, X] of p standard normal features that
# eigenvalue is about 2p + 5: the step diverges from 8 features on.
ARTICLE_LEARNING_RATE = 0.1
# The article's number of epochs.
ARTICLE_EPOCHS = 50


def article_procedure(X, y, n_epochs, learning_rate=ARTICLE_LEARNING_RATE):
    """The article's full-batch gradient descent, in vectorised numpy.

    ``y_hat = a x**2 + b x + c`` from zero: each epoch predicts every sample,
    takes the residuals and the mean-squared-error gradients of a, b and c (dot
    products over the data) and steps. ``X`` is one feature as a 1-d array (a,
    b scalars, as in the article) or several as columns (a, b vectors: the same
    arithmetic over the columns ``[X**2, X]``). Returns ``(a, b, c)`` as one
    array, a's and b's entries first.
    """
    n = X.shape[0]
    X2 = X * X
    zero = 0.0 if X.ndim == 1 else np.zeros(X.shape[1])
    a, b, c = zero, zero, 0.0
    for _ in range(n_epochs):
        # np.dot of an array and a float is their product.
        residual = np.dot(X2, a) + np.dot(X, b) + c - y
        a = a - learning_rate * 2.0 * np.dot(residual, X2) / n
        b = b - learning_rate * 2.0 * np.dot(residual, X) / n
        c -= learning_rate * 2.0 * residual.sum() / n
    return np.r_[a, b, c]


def expanded(X):
    """The expanded features ``[X**2, X]`` that linear models fit the quadratic on."""
    return np.hstack([X**2, X])


def ridge(X, y):
    """``Ridge(alpha=1e-10, solver="cholesky")`` on ``[X**2, X]``: least squares."""
    model = Ridge(alpha=1e-10, solver="cholesky").fit(expanded(X), y)
    return np.r_[model.coef_, model.intercept_]


def linear(X, y):
    """``LinearRegression`` on ``[X**2, X]``."""
    model = LinearRegression().fit(expanded(X), y)
    return np.r_[model.coef_, model.intercept_]


def sgd(X, y):
    """``StandardScaler`` + default ``SGDRegressor`` (seeded) on ``[X**2, X]``.

    Returns the coefficients on the unscaled features.
    """
    pipe = make_pipeline(StandardScaler(), SGDRegressor(random_state=0))
    pipe.fit(expanded(X), y)
    scaler, model = pipe
    coef = model.coef_ / scaler.scale_
    return np.r_[coef, model.intercept_[0] - coef @ scaler.mean_]


def quiet(func):
    """Call ``func`` with warnings silenced.

    Competitors such as SGDRegressor may warn about convergence at their
    default settings; the benchmark reports their accuracy instead.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func()


class Timing(NamedTuple):
    """Median and best of the timed runs, their number, the last result."""

    median: float
    best: float
    runs: int
    result: object


def measure(func, repeat=5, warmup=1, budget=None):
    """Median wall-clock time of ``func()`` over ``repeat`` runs.

    Parameters
    ----------
    func : callable
        Called without arguments; its return value is kept from the last run.
    repeat : int, default=5
        Number of timed runs.
    warmup : int, default=1
        Untimed runs before the timed ones.
    budget : float, default=None
        Seconds: when set, stop repeating once the timed runs have used this
        much (at least one run is always timed), so that a slow competitor does
        not hold up the whole benchmark. The number of runs is reported.

    Returns
    -------
    timing : Timing
        ``median`` and ``best`` (fastest) of the timed runs in seconds, the
        number of ``runs``, and the ``result`` of the last run. The median is
        the figure reported; the best shows how much other processes on the
        machine slowed the runs down.
    """
    result = None
    for _ in range(warmup):
        result = quiet(func)
    times = []
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        result = quiet(func)
        times.append(time.perf_counter() - start)
        if budget is not None and sum(times) >= budget:
            break
    return Timing(statistics.median(times), min(times), len(times), result)


# OpenBLAS's worker threads spin for about a tenth of a second after a threaded
# call (measured here: 0.1 to 0.15 s), taking a core from whatever runs next.
# Each timed call starts after this pause, so that no method pays for the one
# before it.
QUIET = 0.25


def interleaved(funcs, rounds=15, budget=None, warmup=True, pause=QUIET):
    """Per-round times of several functions, run in turn, round after round.

    On a shared machine the load changes from one second to the next: a ratio
    taken from two medians measured minutes apart mixes the two periods. Timing
    the competitors one after the other within each round, and taking the
    median of the per-round ratios, compares them under the same conditions.

    Parameters
    ----------
    funcs : dict of str to callable
    rounds : int, default=15
    budget : float, default=None
        Seconds: stop after the round that brings the total past this (at
        least two rounds are always run), so that slow competitors do not hold
        up a benchmark.
    warmup : bool, default=True
        Call each function once before the rounds (False for calls of many
        seconds, whose first-call costs are noise).
    pause : float, default=QUIET
        Seconds of sleep before each timed call: BLAS's threads left spinning
        by the previous call have stopped by then.

    Returns
    -------
    times : Rounds
        ``wall[name]`` and ``cpu[name]`` (process CPU time, all threads) are
        arrays of shape (rounds_run,); ``result[name]`` is the last return
        value.
    """
    result = {name: quiet(func) for name, func in funcs.items()} if warmup else {}
    wall = {name: [] for name in funcs}
    cpu = {name: [] for name in funcs}
    start = time.perf_counter()
    for i in range(rounds):
        for name, func in funcs.items():
            time.sleep(pause)
            c0, w0 = time.process_time(), time.perf_counter()
            result[name] = quiet(func)
            wall[name].append(time.perf_counter() - w0)
            cpu[name].append(time.process_time() - c0)
        if budget is not None and i >= 1 and time.perf_counter() - start > budget:
            break
    return Rounds(
        {name: np.asarray(v) for name, v in wall.items()},
        {name: np.asarray(v) for name, v in cpu.items()},
        result,
    )


class Rounds(NamedTuple):
    """Times of interleaved rounds (see :func:`interleaved`)."""

    wall: dict
    cpu: dict
    result: dict

    def median(self, name):
        return float(np.median(self.wall[name]))

    def ratio(self, numerator, denominator, clock="wall"):
        """Median over rounds of ``numerator / denominator``."""
        times = self.wall if clock == "wall" else self.cpu
        return float(np.median(times[numerator] / times[denominator]))

    def ratio_to_best(self, numerator, denominators):
        """Median over rounds of the ratio to the fastest of ``denominators``."""
        best = np.minimum.reduce([self.wall[d] for d in denominators])
        return float(np.median(self.wall[numerator] / best))

    @property
    def rounds(self):
        return len(next(iter(self.wall.values())))


def peak_memory(func):
    """Peak memory traced by :mod:`tracemalloc` while ``func()`` runs, in bytes.

    numpy reports its array buffers to tracemalloc, so this counts every
    temporary array the call allocates, on top of what existed before it.
    """
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        quiet(func)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


# OpenBLAS reads these as it loads: the settings the process started with, not
# what a library sets later (Dask's nanny sets OPENBLAS_NUM_THREADS=1 in the
# client for the worker processes it spawns; the client's BLAS keeps its own).
_STARTING_SETTINGS = {
    name: os.environ[name]
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")
    if name in os.environ
}


def blas_description():
    """Which BLAS ran: library, version, kernel architecture, threads."""
    from threadpoolctl import threadpool_info

    parts = []
    for lib in threadpool_info():
        if lib.get("user_api") != "blas":
            continue
        owner = Path(lib["filepath"]).parent.name.removesuffix(".libs")
        parts.append(
            f"{lib['internal_api']} {lib['version']} ({owner}): "
            f"{lib.get('architecture') or '?'} kernels, "
            f"{lib['num_threads']} threads"
        )
    settings = [f"{name}={value}" for name, value in _STARTING_SETTINGS.items()]
    text = "; ".join(parts) or "no BLAS found by threadpoolctl"
    return text + (f" ({', '.join(settings)})" if settings else " (no OPENBLAS_* set)")


def compiled_kernels():
    """Which kernels the statistics pass runs (compiled: the ``fast`` extra)."""
    from sklearn_quadneuron._statistics import _kernels

    if _kernels.fused_kernels() is None:
        return "numpy kernels (numba not installed, or unusable)"
    import numba

    return f"compiled kernels (numba {numba.__version__})"


def on_numpy_kernels(func):
    """``func`` run with the statistics pass on numpy's kernels, as without numba."""
    from sklearn_quadneuron._statistics import _kernels

    def run():
        saved = _kernels._FUSED
        _kernels._FUSED = False
        try:
            return func()
        finally:
            _kernels._FUSED = saved

    return run


def environment():
    """One line describing the machine and library versions behind the figures."""
    import numpy
    import sklearn

    return (
        f"Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scikit-learn {sklearn.__version__}, {platform.machine()} "
        f"({os.cpu_count()} logical CPUs), {platform.system()}; statistics "
        f"pass: {compiled_kernels()}; BLAS: {blas_description()}"
    )


def fmt_seconds(seconds):
    """Seconds with three significant digits, in the unit that reads best."""
    if seconds != seconds:  # NaN: not measured
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} us"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def fmt_ratio(value):
    """A ratio such as ``12.3x``, or ``n/a``."""
    if value is None or value != value:
        return "n/a"
    if value >= 100:
        return f"{value:,.0f}x"
    return f"{value:.3g}x"


def fmt_float(value):
    """A small positive number (an error, a score) in scientific notation."""
    if value is None or value != value:
        return "n/a"
    return f"{value:.2e}"


def markdown_table(headers, rows):
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def rst_table(headers, rows, widths=None):
    """A reStructuredText ``list-table`` directive."""
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append("   :widths: " + " ".join(str(w) for w in widths))
    lines.append("")
    for row in [headers, *rows]:
        cells = [str(c) for c in row]
        # A cell starting with "*" or "-" would read as a nested list.
        cells = [c if c[:1] not in "*-+" else "\\" + c for c in cells]
        lines.append("   * - " + (cells[0] or "\\ "))
        lines += ["     - " + (c or "\\ ") for c in cells[1:]]
    return "\n".join(lines)


class Report:
    """Sections of tables and notes, written as markdown and reStructuredText.

    The markdown file is for reading on GitHub and in a terminal; the ``.rst``
    file is included verbatim by the documentation, so neither needs editing by
    hand.
    """

    def __init__(self, title, command):
        self.title = title
        self.command = command
        self.parts = []

    def section(self, title):
        self.parts.append(("section", title))

    def paragraph(self, text):
        self.parts.append(("paragraph", text))

    def table(self, headers, rows):
        self.parts.append(("table", (headers, rows)))

    def image(self, filename, alt):
        """A figure next to the results; in markdown only (the docs place it)."""
        self.parts.append(("image", (filename, alt)))

    def checks(self, checks, quick=False):
        """``checks``: list of (passed, target text, measured text).

        ``quick``: the figures of a quick run are too small and too few to
        judge; its checks are shown as not checked.
        """
        if quick:
            checks = [(None, target, measured) for _, target, measured in checks]
        self.parts.append(("checks", checks))

    def markdown(self):
        out = [
            f"# {self.title}",
            "",
            f"Generated by `{self.command}` on {environment()}.",
        ]
        for kind, value in self.parts:
            out.append("")
            if kind == "section":
                out.append(f"## {value}")
            elif kind == "paragraph":
                out.append(value)
            elif kind == "table":
                out.append(markdown_table(*value))
            elif kind == "image":
                out.append(f"![{value[1]}]({value[0]})")
            else:
                out += [
                    f"- **{_verdict(ok)}** {target}: {measured}"
                    for ok, target, measured in value
                ]
        return "\n".join(out) + "\n"

    def rst(self):
        # The page that includes this file owns the title; sections here are
        # one level below it.
        out = [f"Generated by ``{self.command}`` on {environment()}."]
        for kind, value in self.parts:
            out.append("")
            if kind == "section":
                out += [value, "~" * len(value)]
            elif kind == "paragraph":
                out.append(value.replace("`", "``"))
            elif kind == "table":
                out.append(rst_table(*value))
            elif kind == "image":
                # Image paths in an included file resolve against the including
                # page, which shows the figure itself.
                out.pop()
            else:
                out += [
                    f"- **{_verdict(ok)}** {target}: {measured}"
                    for ok, target, measured in value
                ]
        return "\n".join(out) + "\n"

    def write(self, stem, directory=None):
        """Print the markdown; write ``<stem>.md`` and ``<stem>.rst`` to ``directory``.

        ``directory=None`` only prints, so that a quick trial run does not
        overwrite the published figures.
        """
        text = self.markdown()
        print(text)
        if directory is None:
            return
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{stem}.md").write_text(text)
        (directory / f"{stem}.rst").write_text(self.rst())
        print(f"Written to {directory / stem}.md and .rst", file=sys.stderr)


def _verdict(ok):
    return "not checked (--quick)" if ok is None else ("PASS" if ok else "FAIL")


def finish(checks, quick):
    """Print the summary line; the exit status of a script (1 if a target failed).

    A quick run only smoke-tests the scripts: it says so and exits 0.
    """
    if quick:
        print(
            f"Quick mode: a smoke test of the script; the {len(checks)} targets "
            "are not checked (run without --quick to check them)."
        )
        return 0
    failed = [target for ok, target, _ in checks if not ok]
    print(f"{len(checks) - len(failed)}/{len(checks)} targets passed.")
    for target in failed:
        print(f"  FAILED: {target}")
    return 1 if failed else 0


def benchmark_parser(doc, quick, budget=None, per="comparison"):
    """The arguments every benchmark takes, for its own to be added to.

    ``--quick`` (what it shrinks the run to: ``quick``), ``--budget`` when a
    default is given (seconds of interleaved rounds ``per`` what, before fewer
    rounds are taken) and ``--output``; ``parse_args`` is the caller's.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick)
    if budget is not None:
        parser.add_argument(
            "--budget",
            type=float,
            default=budget,
            help=f"seconds of interleaved rounds per {per} before fewer are taken",
        )
    parser.add_argument("--output", default=None, help="directory for the results")
    return parser


def conclude(report, name, checks, args):
    """End a benchmark: its targets, its results written, its exit status."""
    report.section("Targets")
    report.checks(checks, quick=args.quick)
    report.write(name, output_directory(args))
    return finish(checks, args.quick)


def output_directory(args):
    """Where results go: ``--output``, else results/ for full runs, else nowhere."""
    if args.output is not None:
        return Path(args.output)
    return None if args.quick else RESULTS_DIR
