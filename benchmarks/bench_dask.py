# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Fitting Dask arrays too large for memory on a local distributed cluster.

A ``LocalCluster`` of two single-threaded worker processes fits
``QuadraticGDRegressor`` on a lazily generated Dask array: ``x`` standard normal,
``y = 10 x**2 + 5 x + 12 + noise`` (the article's coefficients), computed block by
block on the workers and never held whole anywhere. For n = 1e6, 1e7 and 1e8 rows
it reports the wall time of ``fit`` (two passes over the data: the reference
location and scale, then the statistics), the rows per second, the peak resident
memory of the client process and of each worker process, and the fitted
coefficients against the truth.

Run ``python benchmarks/bench_dask.py`` (a few minutes on two cores), ``--quick``
(stops at 1e7 rows) or ``--max-rows N``. Writes ``benchmarks/results/dask.md``.
"""

import argparse
import os
import platform
import resource
import sys
import time
from pathlib import Path

import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster

from sklearn_quadneuron import QuadraticGDRegressor

RESULTS = Path(__file__).resolve().parent / "results" / "dask.md"
TRUTH = {"a": 10.0, "b": 5.0, "c": 12.0}
NOISE = 1.0


def peak_rss_mib():
    """Peak resident memory of the calling process, in MiB (Linux: KiB units)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def lazy_data(n_rows, chunk_rows):
    """x and y as Dask arrays: nothing is generated until a worker needs a block."""
    rng = da.random.default_rng(0)
    X = rng.standard_normal((n_rows, 1), chunks=(chunk_rows, 1))
    noise = rng.standard_normal(n_rows, chunks=chunk_rows) * NOISE
    x = X[:, 0]
    y = TRUTH["a"] * x**2 + TRUTH["b"] * x + TRUTH["c"] + noise
    return X, y


def run(client, n_rows, chunk_rows):
    X, y = lazy_data(n_rows, chunk_rows)
    est = QuadraticGDRegressor()
    start = time.perf_counter()
    est.fit(X, y)
    seconds = time.perf_counter() - start
    workers = client.run(peak_rss_mib)
    a, b = est.coef_
    return {
        "rows": n_rows,
        "blocks": X.numblocks[0],
        "seconds": seconds,
        "rows_per_s": n_rows / seconds,
        "client_mib": peak_rss_mib(),
        "worker_mib": max(workers.values()),
        "error": max(
            abs(a - TRUTH["a"]), abs(b - TRUTH["b"]), abs(est.intercept_ - TRUTH["c"])
        ),
        "coef": (a, b, est.intercept_),
        "n_iter": est.n_iter_,
    }


def table(rows, chunk_rows):
    lines = [
        "| rows | blocks | fit time | rows/s | client peak RSS | worker peak RSS "
        "| fitted a, b, c | max abs error | epochs |",
        "|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in rows:
        a, b, c = r["coef"]
        lines.append(
            f"| {r['rows']:,} | {r['blocks']} | {r['seconds']:.1f} s "
            f"| {r['rows_per_s']:.3g} | {r['client_mib']:.0f} MiB "
            f"| {r['worker_mib']:.0f} MiB | {a:.5f}, {b:.5f}, {c:.5f} "
            f"| {r['error']:.1e} | {r['n_iter']} |"
        )
    header = [
        "# QuadraticGDRegressor on Dask: lazily generated data, LocalCluster",
        "",
        f"2 worker processes x 1 thread; blocks of {chunk_rows:,} rows; "
        f"x ~ N(0, 1), y = 10 x^2 + 5 x + 12 + N(0, {NOISE:g}); default "
        "parameters (learning_rate='auto', tol=1e-6).",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores visible, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"dask {dask.__version__}.",
        "Peak RSS: ru_maxrss of the client process (since it started, imports "
        "included) and of the larger worker (a new cluster for each size).",
        "",
    ]
    return "\n".join(header + lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rows", type=float, default=1e8)
    parser.add_argument("--quick", action="store_true", help="stop at 1e7 rows")
    parser.add_argument("--chunk-rows", type=int, default=2_000_000)
    args = parser.parse_args(argv)
    limit = min(args.max_rows, 1e7) if args.quick else args.max_rows
    sizes = [int(n) for n in (1e6, 1e7, 1e8) if n <= limit]

    rows = []
    for n_rows in sizes:
        # A fresh cluster per size: each size's worker peak is its own.
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, dashboard_address=":0"
            ) as cluster,
            Client(cluster) as client,
        ):
            chunk_rows = min(args.chunk_rows, n_rows)
            result = run(client, n_rows, chunk_rows)
            rows.append(result)
            print(
                f"n={n_rows:.0e}: {result['seconds']:.1f} s, "
                f"{result['rows_per_s']:.3g} rows/s, client "
                f"{result['client_mib']:.0f} MiB, worker "
                f"{result['worker_mib']:.0f} MiB, max error "
                f"{result['error']:.1e}",
                flush=True,
            )
            RESULTS.parent.mkdir(exist_ok=True)
            RESULTS.write_text(table(rows, args.chunk_rows))
    print(table(rows, args.chunk_rows))


if __name__ == "__main__":
    main()
